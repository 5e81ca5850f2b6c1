/* Benchmarks of iameval through its public API (bench/run.sh drives them).
 *
 *   bench library [--threads N,...] [--runs R] SETUP REQUESTS [SETUP REQUESTS ...]
 *       Each pair: compiles SETUP (timed: iam_batch_setup_load), pre-parses
 *       REQUESTS (untimed, with jansson) into iam_request structs and policy
 *       sets built through the public API, then times iam_evaluate over all
 *       of them (median of R runs, N threads), every single evaluation once
 *       for the latency percentiles, and iam_batch_decide over the raw lines
 *       (the batch reader without the CLI). Every decision is checked
 *       against iam_batch_decide's, and the engine's calls to malloc during
 *       the timed loops are counted (they must be none).
 *   bench cli [--threads N,...] [--runs R] IAMEVAL SETUP REQUESTS [...]
 *       `IAMEVAL batch --threads N SETUP REQUESTS > /dev/null` for each
 *       pair: wall time end to end (median of R runs) and peak RSS.
 *   bench calibrate [--runs R]
 *       Two threads of pure arithmetic against one: the 2-thread scaling the
 *       machine itself allows at the time (other work on it lowers it).
 *   bench policies [--runs R] DIR
 *       Parses and compiles every .json file of DIR as an identity policy into one
 *       set (files read beforehand; median of R runs), and compares the
 *       heap the compiled set holds with the documents' minified JSON size.
 *
 * Each result is one line "RESULT key=value ..." for run.sh to tabulate. */
#define _DEFAULT_SOURCE /* wait4 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "iameval.h"

/* ---- counting the engine's allocations (linked with --wrap) ------------- */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

static _Atomic unsigned long engine_allocs;

void *__wrap_malloc(size_t size)
{
    engine_allocs++;
    return __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    engine_allocs++;
    return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    engine_allocs++;
    return __real_realloc(p, size);
}

/* ---- helpers ---------------------------------------------------------- */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* CPU seconds of the whole process: what the work cost, whatever else
 * runs on the machine. */
static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static _Noreturn void die(const char *what)
{
    fprintf(stderr, "bench: %s\n", what);
    exit(2);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    struct stat st;
    fstat(fileno(f), &st);
    char *buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
        die("cannot read a file");
    fclose(f);
    buf[st.st_size] = '\0';
    *len = (size_t)st.st_size;
    return buf;
}

/* libiameval.a exports a json_object_get of its own (engine/json.c) that
 * wins at link time: jansson's is reached by its other name. */
static json_t *jget(const json_t *object, const char *key)
{
    return json_object_getn(object, key, strlen(key));
}

/* A bump allocator for the pre-parsed requests: one block per many. */
typedef struct pool_block {
    struct pool_block *next;
} pool_block;

typedef struct pool {
    char *cur, *end;
    pool_block *blocks;
} pool;

static void *pool_alloc(pool *p, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if ((size_t)(p->end - p->cur) < size) {
        size_t block = size + 64 > (16u << 20) ? size + 64 : (16u << 20);
        pool_block *b = malloc(block);
        if (b == NULL)
            die("out of memory");
        b->next = p->blocks;
        p->blocks = b;
        p->cur = (char *)b + 64;
        p->end = (char *)b + block;
    }
    void *r = p->cur;
    p->cur += size;
    return r;
}

static void pool_free(pool *p)
{
    while (p->blocks != NULL) {
        pool_block *next = p->blocks->next;
        free(p->blocks);
        p->blocks = next;
    }
    p->cur = p->end = NULL;
}

static iam_str pool_str(pool *p, const json_t *s)
{
    if (s == NULL || !json_is_string(s))
        return (iam_str){NULL, 0};
    size_t n = json_string_length(s);
    char *d = pool_alloc(p, n + 1);
    memcpy(d, json_string_value(s), n + 1);
    return (iam_str){d, n};
}

/* ---- policy sets through the public API ----------------------------------- */

/* The SETUP's policies other than resource policies, remembered with their
 * levels so that one setup per resource policy can be built from them. */
typedef struct shared_policy {
    iam_policy *policy;
    unsigned level;
} shared_policy;

typedef struct api_setup {
    shared_policy *shared;
    size_t shared_count;
    iam_policy **resources;      /* the sets' resource policies */
    size_t resource_count;
    unsigned levels[2];          /* SCP, RCP; 0 with no organization */
    bool org[2];
    iam_policy_set *own;
    char **ids;
    iam_policy_set **sets;
    size_t set_count;
} api_setup;

static iam_policy *parse_policy(const json_t *doc, iam_policy_type type)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    iam_policy *p;
    iam_error err;
    char msg[1024];
    if (text == NULL || iam_policy_parse(&p, text, strlen(text), type, "setup", NULL, &err) != IAM_OK) {
        fprintf(stderr, "bench: %s\n", iam_error_format(&err, msg, sizeof msg));
        exit(2);
    }
    free(text);
    return p;
}

static void share(api_setup *a, const json_t *doc, iam_policy_type type, unsigned level)
{
    a->shared = realloc(a->shared, (a->shared_count + 1) * sizeof *a->shared);
    if (a->shared == NULL)
        die("out of memory");
    a->shared[a->shared_count++] = (shared_policy){parse_policy(doc, type), level};
}

/* A set of the shared policies plus `resource` (may be NULL). */
static iam_policy_set *build_set(api_setup *a, iam_policy *resource)
{
    if (resource != NULL) {
        a->resources = realloc(a->resources, (a->resource_count + 1) * sizeof *a->resources);
        if (a->resources == NULL)
            die("out of memory");
        a->resources[a->resource_count++] = resource;
    }
    iam_setup *setup;
    iam_policy_set *set;
    if (iam_setup_create(&setup) != IAM_OK)
        die("out of memory");
    for (int t = 0; t < 2; t++)
        if (a->org[t])
            iam_setup_set_levels(setup, t ? IAM_POLICY_RCP : IAM_POLICY_SCP, a->levels[t], NULL);
    for (size_t i = 0; i < a->shared_count; i++)
        if (iam_setup_add(setup, a->shared[i].policy, a->shared[i].level, NULL) != IAM_OK)
            die("iam_setup_add failed");
    if (resource != NULL && iam_setup_add(setup, resource, 0, NULL) != IAM_OK)
        die("iam_setup_add failed");
    if (iam_policy_set_compile(&set, setup, NULL, NULL) != IAM_OK)
        die("compile failed");
    iam_setup_free(setup);
    return set;
}

static void api_setup_load(api_setup *a, const char *path)
{
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL)
        die("cannot read a SETUP with jansson");
    const json_t *v = jget(root, "identity_policies");
    for (size_t i = 0; v && i < json_array_size(v); i++)
        share(a, json_array_get(v, i), IAM_POLICY_IDENTITY, 0);
    if ((v = jget(root, "permissions_boundary")) && !json_is_null(v))
        share(a, v, IAM_POLICY_BOUNDARY, 0);
    if ((v = jget(root, "session_policy")) && !json_is_null(v))
        share(a, v, IAM_POLICY_SESSION, 0);
    static const char *const level_fields[2] = {"scps", "rcps"};
    for (int t = 0; t < 2; t++) {
        const json_t *levels = jget(root, level_fields[t]);
        if (levels == NULL || json_is_null(levels))
            continue;
        a->org[t] = true;
        a->levels[t] = (unsigned)json_array_size(levels);
        for (size_t l = 0; l < json_array_size(levels); l++)
            for (size_t i = 0; i < json_array_size(json_array_get(levels, l)); i++)
                share(a, json_array_get(json_array_get(levels, l), i), t ? IAM_POLICY_RCP : IAM_POLICY_SCP,
                      (unsigned)l);
    }
    v = jget(root, "resource_policy");
    a->own = build_set(a, v && !json_is_null(v) ? parse_policy(v, IAM_POLICY_RESOURCE) : NULL);
    const json_t *map = jget(root, "resource_policies");
    size_t n = map ? json_object_size(map) : 0;
    a->ids = calloc(n + 1, sizeof *a->ids);
    a->sets = calloc(n + 1, sizeof *a->sets);
    const char *key;
    json_t *doc;
    if (map != NULL)
        json_object_foreach((json_t *)map, key, doc) {
            a->ids[a->set_count] = strdup(key);
            a->sets[a->set_count++] =
                build_set(a, json_is_null(doc) ? NULL : parse_policy(doc, IAM_POLICY_RESOURCE));
        }
    json_decref(root);
}

static void api_setup_free(api_setup *a)
{
    iam_policy_set_free(a->own);
    for (size_t i = 0; i < a->set_count; i++) {
        iam_policy_set_free(a->sets[i]);
        free(a->ids[i]);
    }
    for (size_t i = 0; i < a->resource_count; i++)
        iam_policy_free(a->resources[i]);
    for (size_t i = 0; i < a->shared_count; i++)
        iam_policy_free(a->shared[i].policy);
    free(a->resources);
    free(a->shared);
    free(a->ids);
    free(a->sets);
}

static const iam_policy_set *api_setup_pick(const api_setup *a, const char *id)
{
    if (id == NULL)
        return a->own;
    for (size_t i = 0; i < a->set_count; i++)
        if (strcmp(a->ids[i], id) == 0)
            return a->sets[i];
    return NULL;
}

/* ---- pre-parsed requests -------------------------------------------------- */

typedef struct prepared {
    iam_request req;
    const iam_policy_set *set;   /* NULL: an unknown id (the line is an error) */
} prepared;

typedef struct workload {
    char *text;                  /* the raw lines */
    size_t len;
    const char **lines;
    size_t *line_lens;
    prepared *reqs;
    size_t count;
} workload;

static void prepare(workload *w, const api_setup *a, const char *path, pool *p)
{
    w->text = read_file(path, &w->len);
    size_t cap = 1024;
    w->lines = malloc(cap * sizeof *w->lines);
    w->line_lens = malloc(cap * sizeof *w->line_lens);
    w->reqs = malloc(cap * sizeof *w->reqs);
    for (char *s = w->text, *end = w->text + w->len; s < end;) {
        char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = (size_t)((nl ? nl : end) - s);
        if (n == 0) {
            s++;
            continue;
        }
        if (w->count == cap) {
            cap *= 2;
            w->lines = realloc(w->lines, cap * sizeof *w->lines);
            w->line_lens = realloc(w->line_lens, cap * sizeof *w->line_lens);
            w->reqs = realloc(w->reqs, cap * sizeof *w->reqs);
            if (!w->lines || !w->line_lens || !w->reqs)
                die("out of memory");
        }
        json_error_t je;
        json_t *line = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
        if (line == NULL)
            die("a request line jansson cannot read");
        const json_t *r = jget(line, "request");
        prepared *pr = &w->reqs[w->count];
        memset(pr, 0, sizeof *pr);
        pr->req.principal = pool_str(p, jget(r, "principal"));
        pr->req.action = pool_str(p, jget(r, "action"));
        pr->req.resource = pool_str(p, jget(r, "resource"));
        pr->req.resource_account = pool_str(p, jget(r, "resource_account"));
        pr->req.management_account = pool_str(p, jget(r, "management_account"));
        pr->req.federated_by = pool_str(p, jget(r, "federated_by"));
        const json_t *ctx = jget(r, "context");
        size_t nk = ctx ? json_object_size(ctx) : 0;
        iam_context_entry *entries = pool_alloc(p, (nk ? nk : 1) * sizeof *entries);
        size_t k = 0;
        const char *key;
        json_t *v;
        if (ctx != NULL) {
            json_object_foreach((json_t *)ctx, key, v) {
                iam_context_entry *e = &entries[k++];
                memset(e, 0, sizeof *e);   /* pool memory is recycled, not zeroed */
                size_t kl = strlen(key);
                char *kd = pool_alloc(p, kl + 1);
                memcpy(kd, key, kl + 1);
                e->key = (iam_str){kd, kl};
                if (json_is_array(v)) {
                    size_t c = json_array_size(v);
                    iam_str *vals = pool_alloc(p, (c ? c : 1) * sizeof *vals);
                    for (size_t i = 0; i < c; i++)
                        vals[i] = pool_str(p, json_array_get(v, i));
                    e->values = vals;
                    e->value_count = c;
                    e->multivalued = 1;
                } else {
                    iam_str *one = pool_alloc(p, sizeof *one);
                    *one = pool_str(p, v);
                    e->values = one;
                    e->value_count = 1;
                }
            }
        }
        pr->req.context = entries;
        pr->req.context_count = k;
        const json_t *id = jget(line, "resource_policy");
        pr->set = api_setup_pick(a, id && json_is_string(id) ? json_string_value(id) : NULL);
        json_decref(line);
        w->lines[w->count] = s;
        w->line_lens[w->count] = n;
        w->count++;
        s += n + 1;
    }
}

static void workload_free(workload *w)
{
    free(w->text);
    free(w->lines);
    free(w->line_lens);
    free(w->reqs);
}

/* ---- library mode --------------------------------------------------------- */

typedef struct eval_job {
    const prepared *reqs;
    size_t from, to;
    iam_scratch *scratch;
    size_t decided;
} eval_job;

static void *eval_range(void *arg)
{
    eval_job *j = arg;
    iam_decision d;
    size_t ok = 0;
    for (size_t i = j->from; i < j->to; i++)
        if (j->reqs[i].set != NULL && iam_evaluate(j->reqs[i].set, &j->reqs[i].req, j->scratch, &d, NULL) == IAM_OK)
            ok++;
    j->decided = ok;
    return NULL;
}

/* Seconds to evaluate every request once with `threads` threads. */
static double eval_all(const workload *w, iam_scratch **scratches, unsigned threads, double *cpu)
{
    eval_job jobs[64];
    pthread_t tids[64];
    double c0 = cpu_now(), t0 = now();
    for (unsigned t = 0; t < threads; t++) {
        jobs[t] = (eval_job){w->reqs, w->count * t / threads, w->count * (t + 1) / threads, scratches[t], 0};
        if (t > 0)
            pthread_create(&tids[t], NULL, eval_range, &jobs[t]);
    }
    eval_range(&jobs[0]);
    for (unsigned t = 1; t < threads; t++)
        pthread_join(tids[t], NULL);
    double wall = now() - t0;
    *cpu = cpu_now() - c0;
    return wall;
}

typedef struct decide_job {
    const workload *w;
    const iam_batch_setup *bs;
    iam_batch_reader *reader;
    size_t from, to;
} decide_job;

static void *decide_range(void *arg)
{
    decide_job *j = arg;
    iam_batch_result r;
    for (size_t i = j->from; i < j->to; i++)
        iam_batch_decide(j->bs, j->w->lines[i], j->w->line_lens[i], j->reader, &r);
    return NULL;
}

static double decide_all(const workload *w, const iam_batch_setup *bs, iam_batch_reader **readers, unsigned threads,
                         double *cpu)
{
    decide_job jobs[64];
    pthread_t tids[64];
    double c0 = cpu_now(), t0 = now();
    for (unsigned t = 0; t < threads; t++) {
        jobs[t] = (decide_job){w, bs, readers[t], w->count * t / threads, w->count * (t + 1) / threads};
        if (t > 0)
            pthread_create(&tids[t], NULL, decide_range, &jobs[t]);
    }
    decide_range(&jobs[0]);
    for (unsigned t = 1; t < threads; t++)
        pthread_join(tids[t], NULL);
    double wall = now() - t0;
    *cpu = cpu_now() - c0;
    return wall;
}

/* The timings of one thread count, summed over the SETUP/REQUESTS pairs
 * (each pair's median of the runs). */
typedef struct timing {
    double eval, eval_cpu, decide, decide_cpu;
} timing;

static int cmd_library(int argc, char **argv, const unsigned *threads, int nthreads, int runs, const char *label)
{
    if (argc < 2 || argc % 2)
        die("library: SETUP REQUESTS pairs expected");
    unsigned most = 1;
    for (int t = 0; t < nthreads; t++)
        most = threads[t] > most ? threads[t] : most;
    iam_scratch *scratches[64];
    iam_batch_reader *readers[64];
    for (unsigned t = 0; t < most; t++)
        if (iam_scratch_create(&scratches[t], NULL) != IAM_OK || iam_batch_reader_create(&readers[t], NULL) != IAM_OK)
            die("out of memory");
    timing total[16] = {{0}};
    double compile_total = 0;
    size_t requests = 0, errors = 0, mismatches = 0, counts[3] = {0};
    unsigned long allocs = 0;
    uint32_t *lat = NULL;
    size_t nlat = 0;
    for (int k = 0; k < argc; k += 2) {
        double t0 = now();
        iam_batch_setup *bs;
        iam_error err;
        char msg[1024];
        if (iam_batch_setup_load(&bs, argv[k], NULL, &err) != IAM_OK) {
            fprintf(stderr, "bench: %s\n", iam_error_format(&err, msg, sizeof msg));
            return 2;
        }
        compile_total += now() - t0;
        api_setup a = {0};
        api_setup_load(&a, argv[k]);
        workload w = {0};
        pool p = {0};
        prepare(&w, &a, argv[k + 1], &p);

        /* Decisions of both paths must agree before anything is timed. */
        iam_batch_result r;
        for (size_t i = 0; i < w.count; i++) {
            iam_decision d = IAM_IMPLICIT_DENY;
            iam_status s = w.reqs[i].set ? iam_evaluate(w.reqs[i].set, &w.reqs[i].req, scratches[0], &d, NULL)
                                         : IAM_ERR_REQUEST;
            iam_batch_decide(bs, w.lines[i], w.line_lens[i], readers[0], &r);
            if ((s == IAM_OK) != (r.status == IAM_OK) || (s == IAM_OK && d != r.decision)) {
                if (mismatches++ < 5)
                    fprintf(stderr, "bench: %s line %zu: pre-parsed %s, iam_batch_decide %s\n", argv[k + 1], i + 1,
                            s == IAM_OK ? iam_decision_name(d) : "error",
                            r.status == IAM_OK ? iam_decision_name(r.decision) : "error");
            }
            if (s == IAM_OK)
                counts[d]++;
            else
                errors++;
        }

        /* Every evaluation alone, for the percentiles. The clock's own cost
         * (tens of ns) is included. */
        lat = realloc(lat, (nlat + w.count) * sizeof *lat);
        if (lat == NULL)
            die("out of memory");
        for (size_t i = 0; i < w.count; i++) {
            iam_decision d;
            uint64_t a0 = now_ns();
            if (w.reqs[i].set)
                iam_evaluate(w.reqs[i].set, &w.reqs[i].req, scratches[0], &d, NULL);
            uint64_t a1 = now_ns();
            lat[nlat++] = (uint32_t)(a1 - a0 > UINT32_MAX ? UINT32_MAX : a1 - a0);
        }

        /* Thread counts take turns within each run, so that whatever else
         * the machine does falls on all of them alike. */
        double ev[16][32], de[16][32], evc[16][32], dec[16][32];
        unsigned long before = engine_allocs;
        for (int run = 0; run < runs; run++)
            for (int t = 0; t < nthreads; t++) {
                ev[t][run] = eval_all(&w, scratches, threads[t], &evc[t][run]);
                de[t][run] = decide_all(&w, bs, readers, threads[t], &dec[t][run]);
            }
        allocs += engine_allocs - before;
        for (int t = 0; t < nthreads; t++) {
            total[t].eval += median(ev[t], runs);
            total[t].decide += median(de[t], runs);
            total[t].eval_cpu += median(evc[t], runs);
            total[t].decide_cpu += median(dec[t], runs);
        }
        requests += w.count;
        iam_batch_setup_free(bs);
        api_setup_free(&a);
        workload_free(&w);
        pool_free(&p);
    }
    qsort(lat, nlat, sizeof *lat, cmp_u32);
    double n = (double)requests;
    for (int t = 0; t < nthreads; t++)
        printf("RESULT workload=%s mode=library threads=%u requests=%zu setups=%d runs=%d "
               "eval_ns_per_request=%.1f eval_requests_per_s=%.0f eval_cpu_ns_per_request=%.1f "
               "decide_ns_per_request=%.1f decide_requests_per_s=%.0f decide_cpu_ns_per_request=%.1f "
               "p50_ns=%u p99_ns=%u p999_ns=%u max_ns=%u load_compile_ms=%.2f peak_rss_kb=%ld engine_allocs=%lu "
               "mismatches=%zu allowed=%zu explicit_deny=%zu implicit_deny=%zu errors=%zu\n",
               label, threads[t], requests, argc / 2, runs, total[t].eval / n * 1e9, n / total[t].eval,
               total[t].eval_cpu / n * 1e9, total[t].decide / n * 1e9, n / total[t].decide,
               total[t].decide_cpu / n * 1e9, nlat ? lat[nlat / 2] : 0, nlat ? lat[nlat * 99 / 100] : 0,
               nlat ? lat[nlat * 999 / 1000] : 0, nlat ? lat[nlat - 1] : 0, compile_total * 1e3, peak_rss_kb(),
               allocs, mismatches, counts[IAM_ALLOWED], counts[IAM_EXPLICIT_DENY], counts[IAM_IMPLICIT_DENY], errors);
    free(lat);
    for (unsigned t = 0; t < most; t++) {
        iam_scratch_free(scratches[t]);
        iam_batch_reader_free(readers[t]);
    }
    return mismatches ? 1 : 0;
}

/* ---- cli mode ------------------------------------------------------------- */

static size_t count_lines(const char *path)
{
    size_t len;
    char *t = read_file(path, &len);
    size_t n = 0;
    for (char *s = t, *end = t + len; s < end;) {
        char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t l = (size_t)((nl ? nl : end) - s);
        n += l > 0;
        s += l + 1;
    }
    free(t);
    return n;
}

/* One `IAMEVAL batch` per pair, output to /dev/null: wall seconds, and the
 * largest child's peak RSS into *peak. */
static double run_cli(int argc, char **argv, unsigned threads, long *peak)
{
    char nt[16];
    snprintf(nt, sizeof nt, "%u", threads);
    double t0 = now();
    for (int k = 1; k < argc; k += 2) {
        pid_t pid = fork();
        if (pid == 0) {
            int null = open("/dev/null", O_WRONLY);
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
            execl(argv[0], argv[0], "batch", "--threads", nt, argv[k], argv[k + 1], (char *)NULL);
            _exit(127);
        }
        int status = 0;
        struct rusage ru;
        if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
            die("cannot run iameval");
        if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
            die("iameval batch failed");
        if (ru.ru_maxrss > *peak)
            *peak = ru.ru_maxrss;
    }
    return now() - t0;
}

static int cmd_cli(int argc, char **argv, const unsigned *threads, int nthreads, int runs, const char *label)
{
    if (argc < 3 || (argc - 1) % 2)
        die("cli: IAMEVAL then SETUP REQUESTS pairs expected");
    size_t requests = 0;
    for (int k = 1; k < argc; k += 2)
        requests += count_lines(argv[k + 1]);
    double walls[16][32];
    long peak[16] = {0};
    for (int run = 0; run < runs; run++)
        for (int t = 0; t < nthreads; t++)
            walls[t][run] = run_cli(argc, argv, threads[t], &peak[t]);
    for (int t = 0; t < nthreads; t++) {
        double wall = median(walls[t], runs);
        printf("RESULT workload=%s mode=cli threads=%u requests=%zu setups=%d runs=%d ns_per_request=%.1f "
               "requests_per_s=%.0f wall_s=%.3f peak_rss_kb=%ld\n",
               label, threads[t], requests, (argc - 1) / 2, runs, wall / (double)requests * 1e9,
               (double)requests / wall, wall, peak[t]);
    }
    return 0;
}

/* ---- calibrate mode ------------------------------------------------------- */

static volatile uint64_t spin_sink;

static void *spin(void *arg)
{
    uint64_t x = 0;
    for (uint64_t i = 0; i < 200000000u; i++) {
        x += i ^ (x >> 3);
        __asm__ volatile("" : "+r"(x));   /* keep the loop a loop */
    }
    spin_sink = x;
    (void)arg;
    return NULL;
}

/* What two threads of pure arithmetic gain over one on this machine now:
 * the ceiling any 2-thread figure measured beside it can reach. */
static int cmd_calibrate(int runs, const char *label)
{
    double one[32], two[32];
    for (int run = 0; run < runs; run++) {
        double t0 = now();
        spin(NULL);
        one[run] = now() - t0;
        pthread_t a, b;
        t0 = now();
        pthread_create(&a, NULL, spin, NULL);
        pthread_create(&b, NULL, spin, NULL);
        pthread_join(a, NULL);
        pthread_join(b, NULL);
        two[run] = (now() - t0) / 2;
    }
    printf("RESULT workload=%s mode=calibrate runs=%d spin_scaling=%.2f\n", label, runs,
           median(one, runs) / median(two, runs));
    return 0;
}

/* ---- policies mode -------------------------------------------------------- */

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Bytes of the document without whitespace outside strings. */
static size_t minified_size(const char *s, size_t n)
{
    size_t out = 0;
    bool in_string = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_string) {
            out++;
            if (c == '\\') {
                out++;
                i++;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            out++;
            in_string = c == '"';
        }
    }
    return out;
}

/* Resident bytes now (Linux /proc/self/statm), 0 elsewhere: it also sees
 * memory outside malloc, such as PCRE2's JIT code. */
static size_t resident_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;
    if (f == NULL)
        return 0;
    if (fscanf(f, "%lu %lu", &size, &resident) != 2)
        resident = 0;
    fclose(f);
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

static int cmd_policies(const char *dir, int runs, const char *label)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        die("cannot open the policy directory");
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= 5 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 2048;
            names = realloc(names, cap * sizeof *names);
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    char **texts = malloc(n * sizeof *texts);
    size_t *lens = malloc(n * sizeof *lens), bytes = 0, minified = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        texts[i] = read_file(path, &lens[i]);
        bytes += lens[i];
        minified += minified_size(texts[i], lens[i]);
    }
    iam_policy **pol = malloc(n * sizeof *pol);
    double times[32];
    size_t held = 0, failed = 0, statements = 0, rss_growth = 0;
    for (int run = 0; run < runs; run++) {
        size_t heap0 = heap_in_use(), rss0 = resident_bytes();
        double t0 = now();
        iam_setup *setup;
        iam_setup_create(&setup);
        failed = 0;
        for (size_t i = 0; i < n; i++) {
            if (iam_policy_parse(&pol[i], texts[i], lens[i], IAM_POLICY_IDENTITY, names[i], NULL, NULL) != IAM_OK) {
                failed++;
                continue;
            }
            iam_setup_add(setup, pol[i], 0, NULL);
        }
        iam_policy_set *set;
        if (iam_policy_set_compile(&set, setup, NULL, NULL) != IAM_OK)
            die("compile failed");
        iam_setup_free(setup);
        times[run] = now() - t0;
        held = heap_in_use() - heap0;
        if (run == 0)   /* later runs reuse the pages freed by the first */
            rss_growth = resident_bytes() - rss0;
        statements = 0;
        for (size_t i = 0; i < n; i++)
            if (pol[i])
                statements += iam_policy_statement_count(pol[i]);
        iam_policy_set_free(set);
        for (size_t i = 0; i < n; i++)
            iam_policy_free(pol[i]);
    }
    printf("RESULT workload=%s mode=policies policies=%zu failed=%zu statements=%zu runs=%d load_compile_ms=%.2f "
           "compiled_bytes=%zu rss_growth_bytes=%zu json_bytes=%zu minified_bytes=%zu memory_ratio=%.2f "
           "rss_ratio=%.2f peak_rss_kb=%ld\n",
           label, n, failed, statements, runs, median(times, runs) * 1e3, held, rss_growth, bytes, minified,
           (double)held / (double)minified, (double)rss_growth / (double)minified, peak_rss_kb());
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        die("usage: bench library|cli|calibrate|policies [--threads N[,N...]] [--runs R] [--label L] ARGS...");
    const char *mode = argv[1];
    unsigned threads[16] = {1};
    int nthreads = 1, runs = 5;
    const char *label = "";
    int i = 2;
    for (; i + 1 < argc && argv[i][0] == '-' && argv[i][1] == '-'; i += 2) {
        if (strcmp(argv[i], "--threads") == 0) {
            nthreads = 0;
            for (char *p = argv[i + 1]; *p && nthreads < 16;) {
                long t = strtol(p, &p, 10);
                if (t < 1 || t > 64)
                    die("--threads takes counts from 1 to 64");
                threads[nthreads++] = (unsigned)t;
                if (*p == ',')
                    p++;
                else if (*p)
                    die("--threads takes a list like 1,2");
            }
        } else if (strcmp(argv[i], "--runs") == 0) {
            runs = atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "--label") == 0) {
            label = argv[i + 1];
        } else {
            die("unknown option");
        }
    }
    if (nthreads < 1 || runs < 1 || runs > 32)
        die("--threads 1..64, --runs 1..32");
    if (strcmp(mode, "library") == 0)
        return cmd_library(argc - i, argv + i, threads, nthreads, runs, label);
    if (strcmp(mode, "cli") == 0)
        return cmd_cli(argc - i, argv + i, threads, nthreads, runs, label);
    if (strcmp(mode, "calibrate") == 0)
        return cmd_calibrate(runs, label);
    if (strcmp(mode, "policies") == 0 && i < argc)
        return cmd_policies(argv[i], runs, label);
    die("unknown mode");
}
