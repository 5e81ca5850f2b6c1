/* iameval batch: many requests against one SETUP compiled once
 * (FORMAT.md, section Batches). The requests file is mapped (or, from a
 * pipe, read) whole; its lines are decided in place, split into one byte
 * range per thread, and the output is written in input order. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

enum { MAX_THREADS = 256 };

static void usage(FILE *f)
{
    fputs("usage: iameval batch [--threads N] [--format jsonl] SETUP REQUESTS\n"
          "Decides every request line of REQUESTS (JSONL, or - for stdin) against SETUP (a JSON object of\n"
          "policy fields, plus an optional resource_policies map), compiled once. Prints one JSON line per\n"
          "request, in input order: {\"name\",\"decision\"[,\"ok\"][,\"error\"]}; on stderr a summary.\n"
          "--threads N decides with N threads (default 1).\n"
          "Exit: 0 every expect held, 1 some decision differed, 2 SETUP or REQUESTS could not be read or\n"
          "SETUP is malformed.\n",
          f);
}

typedef struct outbuf {
    char *p;
    size_t len, cap;
    bool failed;             /* memory ran out: the output is incomplete */
} outbuf;

static bool reserve(outbuf *o, size_t more)
{
    if (o->failed)
        return false;
    if (o->len + more <= o->cap)
        return true;
    size_t cap = o->cap ? o->cap : 4096;
    while (cap < o->len + more)
        cap *= 2;
    char *p = realloc(o->p, cap);
    if (p == NULL) {
        o->failed = true;
        return false;
    }
    o->p = p;
    o->cap = cap;
    return true;
}

static void put(outbuf *o, const char *s, size_t n)
{
    if (reserve(o, n)) {
        memcpy(o->p + o->len, s, n);
        o->len += n;
    }
}

static void put_str(outbuf *o, const char *s)
{
    put(o, s, strlen(s));
}

/* s[0..n) as a JSON string literal: valid UTF-8 stays as is. */
static void put_json_string(outbuf *o, const char *s, size_t n)
{
    if (!reserve(o, 6 * n + 2))
        return;
    char *d = o->p + o->len;
    *d++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *d++ = '\\';
            *d++ = (char)c;
        } else if (c == '\n') {
            *d++ = '\\';
            *d++ = 'n';
        } else if (c == '\t') {
            *d++ = '\\';
            *d++ = 't';
        } else if (c == '\r') {
            *d++ = '\\';
            *d++ = 'r';
        } else if (c < 0x20) {
            static const char hex[] = "0123456789abcdef";
            memcpy(d, "\\u00", 4);
            d[4] = hex[c >> 4];
            d[5] = hex[c & 15];
            d += 6;
        } else {
            *d++ = (char)c;
        }
    }
    *d++ = '"';
    o->len = (size_t)(d - o->p);
}

typedef struct chunk {
    const iam_batch_setup *setup;
    const char *path;        /* REQUESTS as named on the command line */
    const char *text;        /* the whole input, to number lines */
    const char *begin, *end; /* whole lines */
    size_t first_line;       /* of begin; 0 until an error message needs it */
    outbuf out;
    size_t requests, passed, failed, errors;
    bool no_reader;
    pthread_t thread;
    bool threaded;
} chunk;

static bool blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

/* The file's line number of the chunk's n-th line (from 1). Counting the
 * lines before a chunk is a pass over the input, so it waits for an error
 * message that needs it: most runs have none. */
static size_t file_line(chunk *c, size_t n)
{
    if (c->first_line == 0) {
        c->first_line = 1;
        for (const char *q = c->text; q < c->begin && (q = memchr(q, '\n', (size_t)(c->begin - q))) != NULL; q++)
            c->first_line++;
    }
    return c->first_line + n - 1;
}

static void emit(chunk *c, const iam_batch_result *r, size_t line)
{
    bool is_error = r->status != IAM_OK;
    put_str(&c->out, "{\"name\":");
    if (r->name.ptr)
        put_json_string(&c->out, r->name.ptr, r->name.len);
    else
        put_str(&c->out, "null");
    put_str(&c->out, ",\"decision\":\"");
    put_str(&c->out, is_error ? "error" : iam_decision_name(r->decision));
    put_str(&c->out, "\"");
    if (r->expect != IAM_EXPECT_NONE) {
        bool ok = r->expect == IAM_EXPECT_ERROR ? is_error : !is_error && (int)r->decision == (int)r->expect;
        put_str(&c->out, ok ? ",\"ok\":true" : ",\"ok\":false");
        if (ok)
            c->passed++;
        else
            c->failed++;
    }
    if (is_error) {
        /* The reader counts lines and columns within the line. */
        iam_error e = r->error;
        snprintf(e.file, sizeof e.file, "%s", c->path);
        if (e.line)
            e.line += (uint32_t)file_line(c, line) - 1;
        char msg[1024];
        iam_error_format(&e, msg, sizeof msg);
        put_str(&c->out, ",\"error\":");
        put_json_string(&c->out, msg, strlen(msg));
        c->errors++;
    }
    put_str(&c->out, "}\n");
}

static void *run_chunk(void *arg)
{
    /* Counters and the output buffer change on every line: work on a copy,
     * as neighbouring chunks of the array share cache lines. */
    chunk local = *(chunk *)arg, *c = &local;
    iam_batch_reader *reader;
    if (iam_batch_reader_create(&reader, NULL) != IAM_OK) {
        ((chunk *)arg)->no_reader = true;
        return NULL;
    }
    /* Output runs about a tenth of the input. */
    reserve(&c->out, (size_t)(c->end - c->begin) / 8 + 256);
    size_t line = 1;   /* within the chunk */
    iam_batch_result r;
    for (const char *p = c->begin; p < c->end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(c->end - p));
        size_t n = (size_t)((nl ? nl : c->end) - p);
        if (!(n > 0 && p[0] == '{') && blank(p, n)) {
            p += n + 1;
            continue;
        }
        iam_batch_decide(c->setup, p, n, reader, &r);
        c->requests++;
        emit(c, &r, line);
        p += n + 1;
    }
    iam_batch_reader_free(reader);
    chunk *shared = arg;
    shared->out = c->out;
    shared->requests = c->requests;
    shared->passed = c->passed;
    shared->failed = c->failed;
    shared->errors = c->errors;
    return NULL;
}

/* The whole input: mapped when it is a regular file, read otherwise. */
typedef struct input {
    char *text;
    size_t len;
    bool mapped;
} input;

static bool read_input(input *in, const char *path)
{
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "iameval batch: %s: %s\n", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            posix_madvise(m, (size_t)st.st_size, POSIX_MADV_SEQUENTIAL);
            in->text = m;
            in->len = (size_t)st.st_size;
            in->mapped = true;
            if (fd != STDIN_FILENO)
                close(fd);
            return true;
        }
    }
    /* A pipe: read it whole, growing one buffer. */
    size_t cap = 1 << 20;
    char *text = malloc(cap);
    size_t len = 0;
    bool ok = text != NULL;
    while (ok) {
        if (len == cap) {
            char *grown = realloc(text, cap * 2);
            if (grown == NULL) {
                ok = false;
                break;
            }
            text = grown;
            cap *= 2;
        }
        ssize_t got = read(fd, text + len, cap - len);
        if (got > 0)
            len += (size_t)got;
        else if (got == 0)
            break;
        else if (errno != EINTR)
            ok = false;
    }
    if (!ok) {
        fprintf(stderr, "iameval batch: %s: %s\n", path, text ? strerror(errno) : "out of memory");
        free(text);
        text = NULL;
    }
    if (fd != STDIN_FILENO)
        close(fd);
    in->text = text;
    in->len = len;
    return text != NULL;
}

static void free_input(input *in)
{
    if (in->mapped)
        munmap(in->text, in->len);
    else
        free(in->text);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Splits the input into n ranges of whole lines. */
static void split(chunk *chunks, unsigned n, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    for (unsigned k = 0; k < n; k++) {
        const char *stop = k + 1 == n ? end : text + len / n * (k + 1);
        if (stop < p)
            stop = p;
        if (stop < end) {
            const char *nl = memchr(stop, '\n', (size_t)(end - stop));
            stop = nl ? nl + 1 : end;
        }
        chunks[k].text = text;
        chunks[k].begin = p;
        chunks[k].end = stop;
        p = stop;
    }
}

int cmd_batch(int argc, char **argv)
{
    unsigned threads = 1;
    int i = 0;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--threads") == 0 && i + 1 < argc) {
            char *endp;
            long t = strtol(argv[++i], &endp, 10);
            if (*endp != '\0' || t < 1 || t > MAX_THREADS) {
                fprintf(stderr, "iameval batch: --threads takes a number from 1 to %d\n", MAX_THREADS);
                return EXIT_INPUT;
            }
            threads = (unsigned)t;
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            if (strcmp(argv[++i], "jsonl") != 0) {
                fprintf(stderr, "iameval batch: unknown format \"%s\" (jsonl)\n", argv[i]);
                return EXIT_INPUT;
            }
        } else {
            if (end_of_options("batch", argv, &i, usage) != EXIT_OK)
                return EXIT_INPUT;
            break;
        }
    }
    if (argc - i != 2) {
        usage(stderr);
        return EXIT_INPUT;
    }
    const char *setup_path = argv[i], *requests_path = argv[i + 1];

    double t0 = now();
    iam_batch_setup *setup;
    iam_error err;
    char msg[1024];
    if (iam_batch_setup_load(&setup, setup_path, NULL, &err) != IAM_OK) {
        fprintf(stderr, "%s\n", iam_error_format(&err, msg, sizeof msg));
        return EXIT_INPUT;
    }
    double t_setup = now() - t0;
    input in = {0};
    if (!read_input(&in, requests_path)) {
        iam_batch_setup_free(setup);
        return EXIT_INPUT;
    }

    double t1 = now();
    chunk *chunks = calloc(threads, sizeof *chunks);
    if (chunks == NULL) {
        fputs("iameval batch: out of memory\n", stderr);
        free_input(&in);
        iam_batch_setup_free(setup);
        return EXIT_INPUT;
    }
    split(chunks, threads, in.text, in.len);
    for (unsigned k = 0; k < threads; k++) {
        chunks[k].setup = setup;
        chunks[k].path = strcmp(requests_path, "-") == 0 ? "<stdin>" : requests_path;
    }
    /* Chunk 0 runs here; a thread that cannot start runs here too. */
    for (unsigned k = 1; k < threads; k++)
        chunks[k].threaded = pthread_create(&chunks[k].thread, NULL, run_chunk, &chunks[k]) == 0;
    run_chunk(&chunks[0]);
    for (unsigned k = 1; k < threads; k++) {
        if (chunks[k].threaded)
            pthread_join(chunks[k].thread, NULL);
        else
            run_chunk(&chunks[k]);
    }

    int status = EXIT_OK;
    size_t requests = 0, passed = 0, failed = 0, errors = 0;
    for (unsigned k = 0; k < threads; k++) {
        chunk *c = &chunks[k];
        if (c->no_reader || c->out.failed) {
            fputs("iameval batch: out of memory\n", stderr);
            status = EXIT_INPUT;
            break;
        }
        if (c->out.len && fwrite(c->out.p, 1, c->out.len, stdout) != c->out.len) {
            fprintf(stderr, "iameval batch: writing the output: %s\n", strerror(errno));
            status = EXIT_INPUT;
            break;
        }
        requests += c->requests;
        passed += c->passed;
        failed += c->failed;
        errors += c->errors;
    }
    if (fflush(stdout) != 0 && status == EXIT_OK) {
        fprintf(stderr, "iameval batch: writing the output: %s\n", strerror(errno));
        status = EXIT_INPUT;
    }
    double secs = now() - t1;
    if (status == EXIT_OK) {
        fprintf(stderr, "%zu requests, %.3f seconds, %.0f requests/s", requests, secs,
                secs > 0 ? (double)requests / secs : 0.0);
        if (passed + failed)
            fprintf(stderr, ", %zu passed, %zu failed", passed, failed);
        if (errors)
            fprintf(stderr, ", %zu errors", errors);
        fprintf(stderr, " (setup compiled in %.1f ms, %u thread%s)\n", t_setup * 1e3, threads,
                threads == 1 ? "" : "s");
        if (failed)
            status = EXIT_MISMATCH;
    }
    for (unsigned k = 0; k < threads; k++)
        free(chunks[k].out.p);
    free(chunks);
    free_input(&in);
    iam_batch_setup_free(setup);
    return status;
}
