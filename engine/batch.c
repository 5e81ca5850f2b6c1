/* Batches (FORMAT.md, section Batches): one SETUP compiled once, then many
 * JSONL request lines decided against it.
 *
 * The SETUP goes through the general JSON reader and the shared policy-field
 * loader (bundle.c), like a scenario. A request line does not: building a
 * tree costs far more than deciding the request, so lines are read by a
 * reader that knows their one shape and yields views into the line.
 *
 * That reader must accept exactly what jansson (JSON_REJECT_DUPLICATES)
 * accepts. It is built in two tiers so the hot path stays small:
 *  - the shape reader validates everything it reads (UTF-8, escapes,
 *    structure) and gives up on anything it does not expect;
 *  - whenever a line ends in any error, a generic validator (`skip_value`)
 *    re-reads the whole line. If the line is not valid JSON its first JSON
 *    error is what gets reported, so a line's status is IAM_ERR_JSON exactly
 *    when jansson would reject it, whatever the shape reader saw first.
 * Duplicate context keys are the one JSON error the shape reader does not
 * look for: iam_evaluate rejects keys equal ignoring case [C-K2], and the
 * validator then names the duplicate. Everything else it checks itself. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#endif

/* ------------------------------------------------------------------------ */
/* SETUP                                                                     */
/* ------------------------------------------------------------------------ */

typedef struct batch_target {
    const char *id;          /* decoded; in the setup's arena */
    size_t id_len;
    const iam_policy *policy; /* NULL: the id names "no resource policy" */
    iam_policy_set *set;
} batch_target;

struct iam_batch_setup {
    arena ids;               /* the targets' ids */
    policy_bundle bundle;
    iam_policy_set *own;     /* the setup's own resource_policy, or none */
    batch_target *targets;   /* sorted by id for bsearch */
    size_t target_count;
};

static const char *const setup_fields[] = {
    "identity_policies", "permissions_boundary", "session_policy", "scps", "rcps",
    "resource_policy", "resource_policies",
};

static int id_compare(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c != 0)
        return c;
    return alen < blen ? -1 : alen > blen;
}

static int target_compare(const void *x, const void *y)
{
    const batch_target *a = x, *b = y;
    return id_compare(a->id, a->id_len, b->id, b->id_len);
}

void iam_batch_setup_free(iam_batch_setup *setup)
{
    if (setup == NULL)
        return;
    iam_policy_set_free(setup->own);
    for (size_t i = 0; i < setup->target_count; i++)
        iam_policy_set_free(setup->targets[i].set);
    free(setup->targets);
    bundle_free(&setup->bundle);
    arena_release(&setup->ids);
    free(setup);
}

/* The resource_policies map: each policy is parsed into the bundle but kept
 * out of its setup, which has room for one resource policy only. */
static iam_status load_targets(iam_batch_setup *bs, const bundle_source *src, const json_value *map)
{
    if (map->type != JV_OBJECT)
        return error_set(src->err, IAM_ERR_REQUEST, src->file, &map->pos, "$.resource_policies",
                         "must be null or an object mapping an id to a resource policy");
    size_t n = map->u.object.count;
    bs->targets = calloc(n ? n : 1, sizeof *bs->targets);
    if (bs->targets == NULL)
        return error_set(src->err, IAM_ERR_NOMEM, src->file, NULL, "", "out of memory");
    iam_setup *setup = bs->bundle.setup;
    bs->bundle.setup = NULL;
    iam_status s = IAM_OK;
    for (size_t i = 0; i < n && s == IAM_OK; i++) {
        const json_member *m = &map->u.object.members[i];
        batch_target *t = &bs->targets[i];
        t->id = arena_strndup(&bs->ids, m->key, m->key_len);
        t->id_len = m->key_len;
        bs->target_count = i + 1;
        if (t->id == NULL) {
            s = error_set(src->err, IAM_ERR_NOMEM, src->file, NULL, "", "out of memory");
            break;
        }
        if (m->value->type == JV_NULL)
            continue;
        char suffix[200];
        snprintf(suffix, sizeof suffix, ".resource_policies.%.120s", m->key);
        s = bundle_add_policy(&bs->bundle, src, m->value, IAM_POLICY_RESOURCE, 0, suffix, &t->policy);
    }
    bs->bundle.setup = setup;
    return s;
}

/* One set per resource policy: the sets share every other policy, so each
 * costs a few lists, not a recompilation. */
static iam_status compile_sets(iam_batch_setup *bs, const iam_limits *limits, iam_error *err)
{
    iam_setup *setup = bs->bundle.setup;
    const iam_policy *own = setup->resource;
    iam_status s = iam_policy_set_compile(&bs->own, setup, limits, err);
    for (size_t i = 0; i < bs->target_count && s == IAM_OK; i++) {
        setup->resource = bs->targets[i].policy;
        s = iam_policy_set_compile(&bs->targets[i].set, setup, limits, err);
    }
    setup->resource = own;
    if (bs->target_count > 1)
        qsort(bs->targets, bs->target_count, sizeof *bs->targets, target_compare);
    return s;
}

/* The SETUP object: its fields, their policies, one set per resource policy. */
static iam_status setup_fields_read(iam_batch_setup *bs, const json_value *root, const char *file,
                                    const iam_limits *limits, iam_error *err)
{
    if (root->type != JV_OBJECT)
        return error_set(err, IAM_ERR_REQUEST, file, &root->pos, "$",
                         "a batch setup must be a JSON object of policy fields");
    /* A misspelt field would silently drop its policies: refuse it. */
    for (size_t i = 0; i < root->u.object.count; i++) {
        const json_member *m = &root->u.object.members[i];
        bool known = false;
        for (size_t k = 0; k < sizeof setup_fields / sizeof *setup_fields; k++)
            known |= strcmp(setup_fields[k], m->key) == 0;
        if (!known)
            return error_set(err, IAM_ERR_REQUEST, file, &m->key_pos, "$",
                             "unknown setup field \"%.120s\" (expected identity_policies, permissions_boundary, "
                             "session_policy, scps, rcps, resource_policy or resource_policies)",
                             m->key);
    }
    bundle_source src = {.file = file, .prefix = "$", .limits = limits, .err = err};
    iam_status s = bundle_load_fields(&bs->bundle, &src, root, true);
    if (s != IAM_OK)
        return s;
    const json_value *map = jv_get(root, "resource_policies");
    if (map != NULL && map->type != JV_NULL && (s = load_targets(bs, &src, map)) != IAM_OK)
        return s;
    if ((s = compile_sets(bs, limits, err)) != IAM_OK)
        return s;
    iam_setup_free(bs->bundle.setup);
    bs->bundle.setup = NULL;
    return IAM_OK;
}

/* Reads the SETUP's document; the policies copy what they keep, so the
 * document goes when this returns. */
static iam_status setup_read(iam_batch_setup *bs, const char *text, size_t len, const char *file,
                             const iam_limits *limits, iam_error *err)
{
    if (len > limits->max_file_bytes)
        return error_set(err, IAM_ERR_LIMIT, file, NULL, "", "setup is %zu bytes, more than the limit of %zu",
                         len, limits->max_file_bytes);
    json_error je;
    json_doc *doc = jv_parse(text, len, 1, limits->max_depth, &je);
    if (doc == NULL)
        return error_set(err, IAM_ERR_JSON, file, &je.pos, "", "%s", je.message);
    iam_status s = setup_fields_read(bs, jv_root(doc), file, limits, err);
    jv_doc_free(doc);
    return s;
}

iam_status iam_batch_setup_parse(iam_batch_setup **out, const char *text, size_t len, const char *source_name,
                                 const iam_limits *limits, iam_error *err)
{
    const char *file = source_name ? source_name : "";
    if (out == NULL || (text == NULL && len > 0))
        return error_set(err, IAM_ERR_ARGUMENT, file, NULL, "", "out or text is NULL");
    *out = NULL;
    iam_limits defaults;
    limits = limits_or_default(limits, &defaults);
    iam_batch_setup *bs = calloc(1, sizeof *bs);
    if (bs == NULL)
        return error_set(err, IAM_ERR_NOMEM, file, NULL, "", "out of memory");
    arena_init(&bs->ids);
    iam_status s = setup_read(bs, text ? text : "", len, file, limits, err);
    if (s != IAM_OK) {
        iam_batch_setup_free(bs);
        return s;
    }
    *out = bs;
    return IAM_OK;
}

iam_status iam_batch_setup_load(iam_batch_setup **out, const char *path, const iam_limits *limits,
                                iam_error *err)
{
    if (out == NULL || path == NULL)
        return error_set(err, IAM_ERR_ARGUMENT, path, NULL, "", "out or path is NULL");
    *out = NULL;
    iam_limits defaults;
    limits = limits_or_default(limits, &defaults);
    char *text;
    size_t len;
    iam_status s = file_read_all(path, limits->max_file_bytes, &text, &len, err);
    if (s != IAM_OK)
        return s;
    s = iam_batch_setup_parse(out, text, len, path, limits, err);
    free(text);
    return s;
}

static const iam_policy_set *find_set(const iam_batch_setup *bs, const char *id, size_t len, bool *found)
{
    size_t lo = 0, hi = bs->target_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = id_compare(id, len, bs->targets[mid].id, bs->targets[mid].id_len);
        if (c == 0) {
            *found = true;
            return bs->targets[mid].set;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    *found = false;
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Reader                                                                    */
/* ------------------------------------------------------------------------ */

/* A member name the generic validator has seen in an open object: raw
 * offsets into the line, compared decoded only when the hashes agree. */
typedef struct vkey {
    uint32_t start, end;     /* the name's bytes between its quotes */
    uint32_t hash;           /* of the decoded code points */
} vkey;

typedef struct vframe {
    uint32_t key_base;       /* first of this object's keys */
    bool object;
} vframe;

struct iam_batch_reader {
    iam_scratch *scratch;
    iam_limits limits;
    iam_context_entry *entries;  /* max_context_keys */
    iam_str *values;             /* max_values, all context values of a line */
    char *buf;                   /* decoded strings; max_document_bytes */
    vframe *frames;              /* max_depth */
    vkey *keys;
    size_t key_cap;
};

void iam_batch_reader_free(iam_batch_reader *reader)
{
    if (reader == NULL)
        return;
    iam_scratch_free(reader->scratch);
    free(reader->entries);
    free(reader->values);
    free(reader->buf);
    free(reader->frames);
    free(reader->keys);
    free(reader);
}

iam_status iam_batch_reader_create(iam_batch_reader **out, const iam_limits *limits)
{
    if (out == NULL)
        return IAM_ERR_ARGUMENT;
    *out = NULL;
    iam_batch_reader *r = calloc(1, sizeof *r);
    if (r == NULL)
        return IAM_ERR_NOMEM;
    if (limits)
        r->limits = *limits;
    else
        iam_limits_init(&r->limits);
    /* Offsets into a line are 32-bit. */
    if (r->limits.max_document_bytes > UINT32_MAX - 1)
        r->limits.max_document_bytes = UINT32_MAX - 1;
    /* Enough for any real line; beyond it the validator gives up with
     * IAM_ERR_LIMIT rather than spend quadratic time on duplicate checks. */
    r->key_cap = 4096 + 4 * (size_t)r->limits.max_context_keys;
    iam_status s = iam_scratch_create(&r->scratch, &r->limits);
    r->entries = malloc(((size_t)r->limits.max_context_keys + 1) * sizeof *r->entries);
    r->values = malloc(((size_t)r->limits.max_values + 1) * sizeof *r->values);
    r->buf = malloc(r->limits.max_document_bytes + 1);
    r->frames = malloc(((size_t)r->limits.max_depth + 1) * sizeof *r->frames);
    r->keys = malloc(r->key_cap * sizeof *r->keys);
    if (s != IAM_OK || r->entries == NULL || r->values == NULL || r->buf == NULL || r->frames == NULL ||
        r->keys == NULL) {
        iam_batch_reader_free(r);
        return IAM_ERR_NOMEM;
    }
    *out = r;
    return IAM_OK;
}

/* ---- strings ------------------------------------------------------------ */

enum str_problem { SP_END, SP_UTF8, SP_CONTROL, SP_ESCAPE, SP_HEX, SP_NUL, SP_SURROGATE };

typedef struct str_fail {
    size_t at;
    uint8_t why;             /* str_problem */
    unsigned long cp;        /* SP_SURROGATE: the escape's value */
} str_fail;

/* Length of the valid UTF-8 sequence at s[0..avail), 0 if none (the rules of
 * json.c: no overlongs, surrogates or code points above U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t len;
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return 0;
    if (c < 0xE0) {
        len = 2;
    } else if (c < 0xF0) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c < 0xF5) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (avail < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return len;
}

static int hex_val(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The four hex digits at s[at..at+4): value, -1 when not hex, -2 past n. */
static long hex4(const unsigned char *s, size_t n, size_t at)
{
    long v = 0;
    for (size_t k = at; k < at + 4; k++) {
        if (k >= n)
            return -2;
        int h = hex_val(s[k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Bytes taken by the escape at s[i] == '\\', or 0 with *f filled. */
static size_t escape_len(const unsigned char *s, size_t n, size_t i, str_fail *f)
{
    f->at = i;
    if (i + 1 >= n) {
        f->at = n;
        f->why = SP_END;
        return 0;
    }
    switch (s[i + 1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        return 2;
    case 'u':
        break;
    default:
        f->why = SP_ESCAPE;
        return 0;
    }
    long cp = hex4(s, n, i + 2);
    if (cp < 0) {
        f->why = cp == -2 ? SP_END : SP_HEX;
        f->at = cp == -2 ? n : i;
        return 0;
    }
    f->cp = (unsigned long)cp;
    if (cp == 0) {
        f->why = SP_NUL;
        return 0;
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
        f->why = SP_SURROGATE;
        return 0;
    }
    if (cp < 0xD800 || cp > 0xDBFF)
        return 6;
    size_t j = i + 6;
    if (j >= n || (s[j] == '\\' && j + 1 >= n)) {
        f->why = SP_END;
        f->at = n;
        return 0;
    }
    if (s[j] != '\\' || s[j + 1] != 'u') {
        f->why = SP_SURROGATE;
        return 0;
    }
    long lo = hex4(s, n, j + 2);
    if (lo < 0) {
        f->why = lo == -2 ? SP_END : SP_HEX;
        f->at = lo == -2 ? n : j;
        return 0;
    }
    if (lo < 0xDC00 || lo > 0xDFFF) {
        f->why = SP_SURROGATE;
        return 0;
    }
    return 12;
}

/* Whether any of 8 bytes is '"', '\\', a control character or non-ASCII.
 * The zero-byte trick may flag bytes above a true hit, never below it, so
 * the lowest flagged byte is always a real one. */
static inline uint64_t special8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    return (((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x) | x) & high;
}

/* Index of the first byte from i on that is '"', '\\', a control character
 * or non-ASCII, or n. Request strings are long runs of plain ASCII, so this
 * loop is most of the reader's time: 16 bytes a step where SSE2 exists (a
 * signed compare with 0x20 catches control and non-ASCII bytes at once), 8
 * elsewhere. */
static inline size_t plain_run(const unsigned char *s, size_t n, size_t i)
{
#if defined(__SSE2__) && defined(__GNUC__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)),
                                 _mm_cmplt_epi8(x, space));
        unsigned mask = (unsigned)_mm_movemask_epi8(m);
        if (mask != 0)
            return i + (size_t)__builtin_ctz(mask);
    }
#endif
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t m = special8(x);
        if (m != 0) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return i + ((size_t)__builtin_ctzll(m) >> 3);
#else
            break;
#endif
        }
    }
    while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
        i++;
    return i;
}

/* string_end from s[i], a byte plain_run stopped at: escapes, UTF-8 and
 * errors, out of the hot path. */
static size_t string_end_slow(const unsigned char *s, size_t n, size_t i, bool *esc, str_fail *f)
{
    for (;;) {
        if (i >= n) {
            f->at = n;
            f->why = SP_END;
            return 0;
        }
        unsigned char c = s[i];
        if (c == '"')
            return i + 1;
        if (c == '\\') {
            size_t k = escape_len(s, n, i, f);
            if (k == 0)
                return 0;
            *esc = true;
            i += k;
        } else if (c >= 0x80) {
            size_t k = utf8_len(s + i, n - i);
            if (k == 0) {
                f->at = i;
                f->why = SP_UTF8;
                return 0;
            }
            i += k;
        } else {
            f->at = i;
            f->why = SP_CONTROL;
            f->cp = c;
            return 0;
        }
        i = plain_run(s, n, i);
    }
}

/* Index just past the closing quote of the string opening at s[i], or 0
 * (with *f) when it is not a valid JSON string; *esc: it holds escapes. */
static inline size_t string_end(const unsigned char *s, size_t n, size_t i, bool *esc, str_fail *f)
{
    size_t k = plain_run(s, n, i + 1);
    *esc = false;
    if (k < n && s[k] == '"')
        return k + 1;
    return string_end_slow(s, n, k, esc, f);
}

/* The code point at s[*i] inside a string already validated, moving *i on. */
static unsigned long next_cp(const unsigned char *s, size_t *i)
{
    size_t k = *i;
    unsigned char c = s[k];
    if (c == '\\') {
        unsigned char e = s[k + 1];
        *i = k + 2;
        switch (e) {
        case 'b': return '\b';
        case 'f': return '\f';
        case 'n': return '\n';
        case 'r': return '\r';
        case 't': return '\t';
        case 'u': break;
        default: return e;
        }
        unsigned long cp = (unsigned long)hex4(s, k + 6, k + 2);
        *i = k + 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned long lo = (unsigned long)hex4(s, k + 12, k + 8);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            *i = k + 12;
        }
        return cp;
    }
    if (c < 0x80) {
        *i = k + 1;
        return c;
    }
    size_t len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    unsigned long cp = c & (0x7F >> len);
    for (size_t j = 1; j < len; j++)
        cp = (cp << 6) | (s[k + j] & 0x3F);
    *i = k + len;
    return cp;
}

static char *put_utf8(char *d, unsigned long cp)
{
    if (cp < 0x80) {
        *d++ = (char)cp;
    } else if (cp < 0x800) {
        *d++ = (char)(0xC0 | (cp >> 6));
        *d++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *d++ = (char)(0xE0 | (cp >> 12));
        *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *d++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *d++ = (char)(0xF0 | (cp >> 18));
        *d++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *d++ = (char)(0x80 | (cp & 0x3F));
    }
    return d;
}

/* Decodes the validated string content s[from..to) into d; returns its length. */
static size_t decode(const unsigned char *s, size_t from, size_t to, char *d)
{
    char *start = d;
    size_t i = from;
    while (i < to) {
        const unsigned char *bs = memchr(s + i, '\\', to - i);
        size_t plain = (bs ? (size_t)(bs - s) : to) - i;
        memcpy(d, s + i, plain);
        d += plain;
        i += plain;
        if (i < to)
            d = put_utf8(d, next_cp(s, &i));
    }
    return (size_t)(d - start);
}

/* ---- positions and errors ----------------------------------------------- */

/* json.c's positions for offset off of the line: lines from 1, columns in
 * code points. Computed only when a line fails. */
static json_pos line_pos(const unsigned char *s, size_t off)
{
    json_pos p = {1, 1, (uint32_t)off};
    for (size_t k = 0; k < off; k++) {
        if (s[k] == '\n') {
            p.line++;
            p.column = 1;
        } else if ((s[k] & 0xC0) != 0x80) {
            p.column++;
        }
    }
    return p;
}

typedef struct line_ctx {
    const unsigned char *s;
    size_t n;
    iam_batch_reader *r;
    iam_batch_result *out;
    size_t used;             /* bytes of r->buf taken by this line */
    bool failed;             /* out->error holds the line's first problem */
    bool syntax;             /* the shape reader met something that may be invalid JSON */
} line_ctx;

static void line_fail(line_ctx *c, iam_status code, size_t off, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static void line_fail(line_ctx *c, iam_status code, size_t off, const char *path, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = true;
    json_pos pos = line_pos(c->s, off);
    char msg[sizeof c->out->error.message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    error_set(&c->out->error, code, "", &pos, path, "%s", msg);
    c->out->status = code;
}

/* ---- the generic validator ---------------------------------------------- */

typedef struct checker {
    const unsigned char *s;
    size_t n;
    iam_batch_reader *r;
    size_t err_at;
    iam_status err_code;
    char msg[160];
} checker;

static bool check_fail(checker *c, size_t at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static bool check_fail(checker *c, size_t at, const char *fmt, ...)
{
    c->err_at = at;
    c->err_code = IAM_ERR_JSON;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    return false;
}

static bool check_fail_expect(checker *c, size_t i, const char *msg)
{
    if (i >= c->n)
        return check_fail(c, c->n, "unexpected end of input");
    return check_fail(c, i, "%s", msg);
}

static bool string_fail(checker *c, const str_fail *f)
{
    switch (f->why) {
    case SP_END: return check_fail(c, f->at, "unexpected end of input in string");
    case SP_UTF8: return check_fail(c, f->at, "invalid UTF-8 in string");
    case SP_CONTROL: return check_fail(c, f->at, "unescaped control character U+%04lX in string", f->cp);
    case SP_HEX: return check_fail(c, f->at, "invalid escape: \\u must be followed by 4 hex digits");
    case SP_NUL: return check_fail(c, f->at, "\\u0000 is not allowed in strings");
    case SP_SURROGATE: return check_fail(c, f->at, "unpaired surrogate \\u%04lX", f->cp);
    default: {
        unsigned char e = c->s[f->at + 1];
        if (e >= 0x21 && e < 0x7F)
            return check_fail(c, f->at, "invalid escape \\%c", e);
        return check_fail(c, f->at, "invalid escape");
    }
    }
}

static inline size_t skip_ws(const unsigned char *s, size_t n, size_t i)
{
    if (i < n && s[i] > ' ')   /* every JSON whitespace byte is <= ' ' */
        return i;
    /* The usual separator: ", " or ": ", one space. */
    if (i + 1 < n && s[i] == ' ' && s[i + 1] > ' ')
        return i + 1;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

static uint32_t key_hash(const unsigned char *s, size_t from, size_t to)
{
    uint32_t h = 2166136261u;
    for (size_t i = from; i < to;) {
        h ^= (uint32_t)next_cp(s, &i);
        h *= 16777619u;
    }
    return h;
}

static bool keys_equal(const unsigned char *s, const vkey *a, const vkey *b)
{
    if (a->end - a->start == b->end - b->start && memcmp(s + a->start, s + b->start, a->end - a->start) == 0)
        return true;
    size_t i = a->start, j = b->start;
    while (i < a->end && j < b->end)
        if (next_cp(s, &i) != next_cp(s, &j))
            return false;
    return i == a->end && j == b->end;
}

/* jansson keeps numbers as int64 or double and refuses those that do not
 * fit (its json_error_numeric_overflow). */
static bool number_fits(checker *c, size_t start, size_t end, bool real)
{
    const unsigned char *s = c->s;
    if (!real) {
        bool neg = s[start] == '-';
        size_t k = start + neg;
        if (end - k < 19)
            return true;
        if (end - k > 19)
            return false;
        const char *max = neg ? "9223372036854775808" : "9223372036854775807";
        return memcmp(s + k, max, 19) <= 0;
    }
    /* strtod needs a terminated copy; r->buf holds any line. */
    char *copy = c->r->buf + c->r->limits.max_document_bytes - (end - start);
    memcpy(copy, s + start, end - start);
    copy[end - start] = '\0';
    double d = strtod(copy, NULL);
    return d != HUGE_VAL && d != -HUGE_VAL;
}

static bool skip_number(checker *c, size_t *pi)
{
    const unsigned char *s = c->s;
    size_t n = c->n, start = *pi, i = start;
    bool real = false;
    if (s[i] == '-')
        i++;
    if (i >= n || s[i] < '0' || s[i] > '9')
        return check_fail_expect(c, i, "expected a digit after '-'");
    if (s[i] == '0') {
        i++;
        if (i < n && s[i] >= '0' && s[i] <= '9')
            return check_fail(c, i, "leading zeros are not allowed in numbers");
    } else {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && s[i] == '.') {
        real = true;
        i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return check_fail_expect(c, i, "expected a digit after '.'");
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        real = true;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return check_fail_expect(c, i, "expected a digit in the exponent");
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (!number_fits(c, start, i, real))
        return check_fail(c, start, "number out of range (jansson keeps 64-bit integers and doubles)");
    *pi = i;
    return true;
}

static bool skip_literal(checker *c, size_t *pi, const char *word)
{
    size_t len = strlen(word);
    for (size_t k = 0; k < len; k++) {
        size_t at = *pi + k;
        if (at >= c->n)
            return check_fail(c, c->n, "unexpected end of input");
        if (c->s[at] != (unsigned char)word[k])
            return check_fail(c, at, "invalid literal (expected \"%s\")", word);
    }
    *pi += len;
    return true;
}

static bool skip_scalar(checker *c, size_t *pi)
{
    const unsigned char *s = c->s;
    size_t i = *pi;
    switch (s[i]) {
    case '"': {
        bool esc;
        str_fail f;
        size_t end = string_end(s, c->n, i, &esc, &f);
        if (end == 0)
            return string_fail(c, &f);
        *pi = end;
        return true;
    }
    case 't': return skip_literal(c, pi, "true");
    case 'f': return skip_literal(c, pi, "false");
    case 'n': return skip_literal(c, pi, "null");
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        return skip_number(c, pi);
    default:
        if (s[i] >= 0x20 && s[i] < 0x7F)
            return check_fail(c, i, "expected a value, found '%c'", s[i]);
        return check_fail(c, i, "expected a value, found byte 0x%02X", s[i]);
    }
}

/* Validates the value at s[*pi] (whitespace before it allowed), nested in
 * `depth` containers, as jansson would: syntax, UTF-8, escapes, numbers,
 * duplicate member names; and nesting within limits.max_depth as json.c.
 * No recursion: frames and member names live in the reader. */
static bool skip_value(checker *c, size_t *pi, unsigned depth)
{
    const unsigned char *s = c->s;
    size_t n = c->n, i = *pi;
    vframe *frames = c->r->frames;
    vkey *keys = c->r->keys;
    size_t nf = 0, nk = 0;
    unsigned max_depth = c->r->limits.max_depth;

value:
    i = skip_ws(s, n, i);
    if (i >= n)
        return check_fail(c, n, depth + nf ? "unexpected end of input" : "empty input");
    if (s[i] == '{' || s[i] == '[') {
        bool object = s[i] == '{';
        if (depth + nf >= max_depth)
            return check_fail(c, i, "nesting deeper than %u", max_depth);
        frames[nf++] = (vframe){(uint32_t)nk, object};
        i = skip_ws(s, n, i + 1);
        if (i < n && s[i] == (object ? '}' : ']')) {
            i++;
            nf--;
            goto after;
        }
        if (object)
            goto member;
        goto value;
    }
    if (!skip_scalar(c, &i))
        return false;

after:
    if (nf == 0) {
        *pi = i;
        return true;
    }
    i = skip_ws(s, n, i);
    if (frames[nf - 1].object) {
        if (i < n && s[i] == ',') {
            i = skip_ws(s, n, i + 1);
            goto member;
        }
        if (i < n && s[i] == '}') {
            i++;
            nk = frames[--nf].key_base;
            goto after;
        }
        return check_fail_expect(c, i, "expected ',' or '}' after object member");
    }
    if (i < n && s[i] == ',') {
        i++;
        goto value;
    }
    if (i < n && s[i] == ']') {
        i++;
        nf--;
        goto after;
    }
    return check_fail_expect(c, i, "expected ',' or ']' after array element");

member:
    if (i >= n || s[i] != '"')
        return check_fail_expect(c, i, "expected a member name (a string in double quotes)");
    {
        bool esc;
        str_fail f;
        size_t end = string_end(s, n, i, &esc, &f);
        if (end == 0)
            return string_fail(c, &f);
        vkey k = {(uint32_t)i + 1, (uint32_t)end - 1, key_hash(s, i + 1, end - 1)};
        for (size_t j = frames[nf - 1].key_base; j < nk; j++)
            if (keys[j].hash == k.hash && keys_equal(s, &keys[j], &k)) {
                size_t shown = k.end - k.start > 96 ? 96 : k.end - k.start;
                return check_fail(c, i, "duplicate member \"%.*s\"", (int)shown, (const char *)s + k.start);
            }
        if (nk == c->r->key_cap) {
            check_fail(c, i, "more than %zu object members open at once: too many to check for duplicates",
                       c->r->key_cap);
            c->err_code = IAM_ERR_LIMIT;
            return false;
        }
        keys[nk++] = k;
        i = skip_ws(s, n, end);
    }
    if (i >= n || s[i] != ':')
        return check_fail_expect(c, i, "expected ':' after member name");
    i++;
    goto value;
}

/* The line as a whole: one JSON value and nothing after it. */
static bool check_line(checker *c)
{
    size_t i = 0;
    if (!skip_value(c, &i, 0))
        return false;
    i = skip_ws(c->s, c->n, i);
    if (i < c->n) {
        unsigned char b = c->s[i];
        if (b >= 0x20 && b < 0x7F)
            return check_fail(c, i, "unexpected '%c' after the JSON value", b);
        return check_fail(c, i, "unexpected byte 0x%02X after the JSON value", b);
    }
    return true;
}

/* ---- the shape reader --------------------------------------------------- */

/* A string the shape reader took: a view into the line, or decoded into
 * the reader's buffer when it holds escapes. */
#if defined(__GNUC__)
#define HOT_INLINE inline __attribute__((always_inline))
#else
#define HOT_INLINE inline
#endif

static HOT_INLINE bool take_string(line_ctx *c, size_t *pi, iam_str *out)
{
    bool esc;
    str_fail f;
    size_t i = *pi, end = string_end(c->s, c->n, i, &esc, &f);
    if (end == 0) {
        c->syntax = true;
        return false;
    }
    if (!esc) {
        *out = (iam_str){(const char *)c->s + i + 1, end - i - 2};
    } else {
        char *d = c->r->buf + c->used;
        size_t len = decode(c->s, i + 1, end - 1, d);
        c->used += len;
        *out = (iam_str){d, len};
    }
    *pi = end;
    return true;
}

/* Skips a value the shape reader does not take (after a problem), keeping
 * the line's JSON validity in check. */
static bool skip_other(line_ctx *c, size_t *pi, unsigned depth)
{
    checker k = {.s = c->s, .n = c->n, .r = c->r};
    if (skip_value(&k, pi, depth))
        return true;
    c->syntax = true;
    return false;
}

static bool is_null(const line_ctx *c, size_t i)
{
    return i + 4 <= c->n && memcmp(c->s + i, "null", 4) == 0;
}

static bool str_is(iam_str s, const char *word, size_t len)
{
    return s.len == len && memcmp(s.ptr, word, len) == 0;
}

/* Opens an object or array at s[*pi] nested in depth containers. */
static bool open_container(line_ctx *c, size_t *pi, unsigned depth)
{
    if (depth >= c->r->limits.max_depth) {
        c->syntax = true;   /* the validator words it */
        return false;
    }
    *pi = skip_ws(c->s, c->n, *pi + 1);
    return true;
}

/* After a member or element: true with *more when ',' follows, true with
 * !*more after the closing byte. */
static inline bool next_item(line_ctx *c, size_t *pi, char close, bool *more)
{
    size_t i = skip_ws(c->s, c->n, *pi);
    if (i < c->n && c->s[i] == ',') {
        *more = true;
        *pi = skip_ws(c->s, c->n, i + 1);
        return true;
    }
    if (i < c->n && c->s[i] == (unsigned char)close) {
        *more = false;
        *pi = i + 1;
        return true;
    }
    c->syntax = true;
    return false;
}

/* Reads `"name":` at s[*pi], leaving *pi at the value. The name is a view,
 * or decoded into the free part of the buffer (not kept) when escaped. */
static bool member_name(line_ctx *c, size_t *pi, iam_str *name, size_t *name_at)
{
    size_t i = *pi;
    if (i >= c->n || c->s[i] != '"') {
        c->syntax = true;
        return false;
    }
    *name_at = i;
    size_t used = c->used;
    if (!take_string(c, &i, name))
        return false;
    c->used = used;
    i = skip_ws(c->s, c->n, i);
    if (i >= c->n || c->s[i] != ':') {
        c->syntax = true;
        return false;
    }
    *pi = skip_ws(c->s, c->n, i + 1);
    return true;
}

/* Names from the line are quoted in messages up to 120 bytes (error_set
 * escapes their control characters). */
static int shown_len(iam_str s)
{
    return s.len > 120 ? 120 : (int)s.len;
}

typedef struct line_req {
    iam_request req;
    iam_str policy_id;       /* ptr NULL: the setup's own */
    size_t policy_at;
    unsigned seen;           /* members met, to refuse duplicates */
    size_t request_at;
} line_req;

enum {
    SEEN_NAME = 1u << 0, SEEN_REQUEST = 1u << 1, SEEN_POLICY = 1u << 2, SEEN_EXPECT = 1u << 3,
    SEEN_PRINCIPAL = 1u << 4, SEEN_ACTION = 1u << 5, SEEN_RESOURCE = 1u << 6, SEEN_ACCOUNT = 1u << 7,
    SEEN_CONTEXT = 1u << 8, SEEN_MGMT = 1u << 9, SEEN_FEDERATED = 1u << 10
};

/* A string or null member value. *value stays absent for null. Anything
 * else is recorded as a problem at path and skipped. */
static bool string_or_null(line_ctx *c, size_t *pi, unsigned depth, iam_str *value, const char *path)
{
    size_t i = *pi;
    if (i < c->n && c->s[i] == '"')
        return take_string(c, pi, value);
    if (is_null(c, i)) {
        *pi = i + 4;
        return true;
    }
    line_fail(c, IAM_ERR_REQUEST, i, path, "must be a string");
    return skip_other(c, pi, depth);
}

static bool read_context(line_ctx *c, size_t *pi, line_req *lr)
{
    size_t i = *pi, nvalues = 0, nentries = 0;
    iam_batch_reader *r = c->r;
    size_t entry_cap = r->limits.max_context_keys, value_cap = r->limits.max_values;
    if (!open_container(c, &i, 2))
        return false;
    bool more = i < c->n && c->s[i] != '}';
    if (!more)
        i++;
    while (more) {
        iam_str key;
        size_t key_at;
        /* Keys are kept: decode them into the buffer for good. */
        if (i >= c->n || c->s[i] != '"') {
            c->syntax = true;
            return false;
        }
        key_at = i;
        if (!take_string(c, &i, &key))
            return false;
        i = skip_ws(c->s, c->n, i);
        if (i >= c->n || c->s[i] != ':') {
            c->syntax = true;
            return false;
        }
        i = skip_ws(c->s, c->n, i + 1);
        iam_context_entry *e = nentries < entry_cap ? &r->entries[nentries] : NULL;
        if (e == NULL)
            line_fail(c, IAM_ERR_LIMIT, key_at, "$.request.context",
                      "more than %zu context keys, the limit", entry_cap);
        nentries++;
        if (i < c->n && c->s[i] == '"') {
            iam_str v;
            if (!take_string(c, &i, &v))
                return false;
            if (nvalues < value_cap) {
                r->values[nvalues] = v;
                if (e != NULL)
                    *e = (iam_context_entry){key, &r->values[nvalues], 1, 0};
            }
            nvalues++;
        } else if (i < c->n && c->s[i] == '[') {
            size_t first = nvalues;
            if (!open_container(c, &i, 3))
                return false;
            bool item = i < c->n && c->s[i] != ']';
            if (!item)
                i++;
            while (item) {
                if (i < c->n && c->s[i] == '"') {
                    iam_str v;
                    if (!take_string(c, &i, &v))
                        return false;
                    if (nvalues < value_cap)
                        r->values[nvalues] = v;
                    nvalues++;
                } else {
                    char path[200];
                    snprintf(path, sizeof path, "$.request.context.%.*s", shown_len(key), key.ptr);
                    line_fail(c, IAM_ERR_REQUEST, i, path, "context values are strings or lists of strings [C-K1]");
                    if (!skip_other(c, &i, 4))
                        return false;
                }
                if (!next_item(c, &i, ']', &item))
                    return false;
            }
            if (e != NULL && nvalues <= value_cap)
                *e = (iam_context_entry){key, &r->values[first], nvalues - first, 1};
        } else {
            char path[200];
            snprintf(path, sizeof path, "$.request.context.%.*s", shown_len(key), key.ptr);
            line_fail(c, IAM_ERR_REQUEST, i, path,
                      "context values are strings or lists of strings (numbers, booleans and dates are "
                      "given as strings) [C-K1]");
            if (!skip_other(c, &i, 3))
                return false;
        }
        if (nvalues > value_cap)
            line_fail(c, IAM_ERR_LIMIT, key_at, "$.request.context",
                      "more than %zu context values in one request, the limit", value_cap);
        if (!next_item(c, &i, '}', &more))
            return false;
    }
    lr->req.context = r->entries;
    lr->req.context_count = nentries < entry_cap ? nentries : entry_cap;
    *pi = i;
    return true;
}

static bool read_request(line_ctx *c, size_t *pi, line_req *lr)
{
    static const struct {
        const char *name;
        size_t len;
        unsigned bit;
        size_t field;
        const char *path;
    } fields[] = {
        {"principal", 9, SEEN_PRINCIPAL, offsetof(iam_request, principal), "$.request.principal"},
        {"action", 6, SEEN_ACTION, offsetof(iam_request, action), "$.request.action"},
        {"resource", 8, SEEN_RESOURCE, offsetof(iam_request, resource), "$.request.resource"},
        {"resource_account", 16, SEEN_ACCOUNT, offsetof(iam_request, resource_account),
         "$.request.resource_account"},
        {"management_account", 18, SEEN_MGMT, offsetof(iam_request, management_account),
         "$.request.management_account"},
        {"federated_by", 12, SEEN_FEDERATED, offsetof(iam_request, federated_by), "$.request.federated_by"},
    };
    size_t i = *pi;
    if (!open_container(c, &i, 1))
        return false;
    bool more = i < c->n && c->s[i] != '}';
    if (!more)
        i++;
    while (more) {
        iam_str name;
        size_t name_at;
        if (!member_name(c, &i, &name, &name_at))
            return false;
        size_t f = 0, nf = sizeof fields / sizeof *fields;
        while (f < nf && !str_is(name, fields[f].name, fields[f].len))
            f++;
        unsigned bit = f < nf ? fields[f].bit : str_is(name, "context", 7) ? SEEN_CONTEXT : 0;
        if (bit & lr->seen) {
            c->syntax = true;   /* a duplicate member: the validator names it */
            return false;
        }
        lr->seen |= bit;
        if (f < nf) {
            iam_str *dst = (iam_str *)((char *)&lr->req + fields[f].field);
            if (!string_or_null(c, &i, 2, dst, fields[f].path))
                return false;
        } else if (bit == SEEN_CONTEXT) {
            if (i < c->n && c->s[i] == '{') {
                if (!read_context(c, &i, lr))
                    return false;
            } else if (is_null(c, i)) {
                i += 4;
            } else {
                line_fail(c, IAM_ERR_REQUEST, i, "$.request.context", "must be an object of condition keys");
                if (!skip_other(c, &i, 2))
                    return false;
            }
        } else {
            line_fail(c, IAM_ERR_REQUEST, name_at, "$.request", "unknown request field \"%.*s\"", shown_len(name),
                      name.ptr);
            if (!skip_other(c, &i, 2))
                return false;
        }
        if (!next_item(c, &i, '}', &more))
            return false;
    }
    *pi = i;
    return true;
}

static bool read_expect(line_ctx *c, size_t *pi)
{
    static const struct {
        const char *word;
        size_t len;
        iam_expect e;
    } words[] = {{"allowed", 7, IAM_EXPECT_ALLOWED},
                 {"explicitDeny", 12, IAM_EXPECT_EXPLICIT_DENY},
                 {"implicitDeny", 12, IAM_EXPECT_IMPLICIT_DENY},
                 {"error", 5, IAM_EXPECT_ERROR}};
    size_t at = *pi;
    iam_str v = {NULL, 0};
    size_t used = c->used;
    if (!string_or_null(c, pi, 1, &v, "$.expect"))
        return false;
    c->used = used;
    if (v.ptr == NULL)
        return true;
    for (size_t k = 0; k < 4; k++)
        if (str_is(v, words[k].word, words[k].len)) {
            c->out->expect = words[k].e;
            return true;
        }
    line_fail(c, IAM_ERR_REQUEST, at, "$.expect",
              "expect must be \"allowed\", \"explicitDeny\", \"implicitDeny\" or \"error\"");
    return true;
}

/* Reads the whole line into lr; false when it cannot go on (c->syntax, or
 * a problem already in out->error). Problems that leave the line readable
 * are recorded and reading goes on, so that name and expect are known. */
static bool read_line(line_ctx *c, line_req *lr)
{
    size_t i = skip_ws(c->s, c->n, 0);
    if (i >= c->n || c->s[i] != '{') {
        if (i < c->n && (c->s[i] == '[' || c->s[i] == '"' || c->s[i] == '-' || c->s[i] == 't' ||
                         c->s[i] == 'f' || c->s[i] == 'n' || (c->s[i] >= '0' && c->s[i] <= '9')))
            line_fail(c, IAM_ERR_REQUEST, i, "$", "a request line must be a JSON object");
        c->syntax = true;
        return false;
    }
    if (!open_container(c, &i, 0))
        return false;
    bool more = i < c->n && c->s[i] != '}';
    if (!more)
        i++;
    while (more) {
        iam_str name;
        size_t name_at;
        if (!member_name(c, &i, &name, &name_at))
            return false;
        unsigned bit = str_is(name, "name", 4)              ? SEEN_NAME
                       : str_is(name, "request", 7)         ? SEEN_REQUEST
                       : str_is(name, "resource_policy", 15) ? SEEN_POLICY
                       : str_is(name, "expect", 6)          ? SEEN_EXPECT
                                                            : 0;
        if (bit & lr->seen) {
            c->syntax = true;
            return false;
        }
        lr->seen |= bit;
        switch (bit) {
        case SEEN_NAME:
            if (i < c->n && c->s[i] == '"') {
                iam_str v;
                size_t before = c->used;
                if (!take_string(c, &i, &v))
                    return false;
                /* The name outlives the line: the header promises it until
                 * the reader's next call. A view is copied; decoded text
                 * (which took buffer room) is there already. */
                if (c->used == before) {
                    memcpy(c->r->buf + c->used, v.ptr, v.len);
                    v.ptr = c->r->buf + c->used;
                    c->used += v.len;
                }
                c->out->name = v;
            } else {
                line_fail(c, IAM_ERR_REQUEST, i, "$.name", "name must be a string");
                if (!skip_other(c, &i, 1))
                    return false;
            }
            break;
        case SEEN_REQUEST:
            lr->request_at = i;
            if (i < c->n && c->s[i] == '{') {
                if (!read_request(c, &i, lr))
                    return false;
            } else {
                lr->seen &= ~(unsigned)SEEN_REQUEST;
                line_fail(c, IAM_ERR_REQUEST, i, "$.request", "a request line needs a request object");
                if (!skip_other(c, &i, 1))
                    return false;
                lr->seen |= SEEN_REQUEST;
            }
            break;
        case SEEN_POLICY:
            lr->policy_at = i;
            if (!string_or_null(c, &i, 1, &lr->policy_id, "$.resource_policy"))
                return false;
            break;
        case SEEN_EXPECT:
            if (!read_expect(c, &i))
                return false;
            break;
        default:
            line_fail(c, IAM_ERR_REQUEST, name_at, "$",
                      "unknown line field \"%.*s\" (expected name, request, resource_policy or expect)",
                      shown_len(name), name.ptr);
            if (!skip_other(c, &i, 1))
                return false;
        }
        if (!next_item(c, &i, '}', &more))
            return false;
    }
    i = skip_ws(c->s, c->n, i);
    if (i < c->n) {
        c->syntax = true;
        return false;
    }
    if (!(lr->seen & SEEN_REQUEST)) {
        line_fail(c, IAM_ERR_REQUEST, 0, "$.request", "a request line needs a request object");
    } else {
        static const struct {
            unsigned bit;
            size_t field;
            const char *path;
        } required[] = {{SEEN_PRINCIPAL, offsetof(iam_request, principal), "$.request.principal"},
                        {SEEN_ACTION, offsetof(iam_request, action), "$.request.action"},
                        {SEEN_RESOURCE, offsetof(iam_request, resource), "$.request.resource"}};
        for (size_t k = 0; k < 3; k++) {
            const iam_str *v = (const iam_str *)((const char *)&lr->req + required[k].field);
            if (v->ptr == NULL)
                line_fail(c, IAM_ERR_REQUEST, lr->request_at, required[k].path, "the request needs this string");
        }
    }
    return !c->failed;
}

/* A line that failed: if it is not valid JSON at all, that is its error. */
static void settle_failure(line_ctx *c)
{
    checker k = {.s = c->s, .n = c->n, .r = c->r};
    if (!check_line(&k)) {
        c->failed = false;
        line_fail(c, k.err_code, k.err_at, "", "%s", k.msg);
        return;
    }
    if (!c->failed) /* cannot happen: the shape reader gives up only on bad JSON */
        line_fail(c, IAM_ERR_JSON, 0, "", "the line was rejected by the request reader");
}

iam_status iam_batch_decide(const iam_batch_setup *setup, const char *line, size_t len,
                            iam_batch_reader *reader, iam_batch_result *out)
{
    if (out == NULL)
        return IAM_ERR_ARGUMENT;
    out->status = IAM_OK;
    out->decision = IAM_IMPLICIT_DENY;
    out->expect = IAM_EXPECT_NONE;
    out->name = (iam_str){NULL, 0};
    if (setup == NULL || reader == NULL || (line == NULL && len > 0)) {
        out->status = error_set(&out->error, IAM_ERR_ARGUMENT, "", NULL, "", "setup, reader or line is NULL");
        return IAM_ERR_ARGUMENT;
    }
    line_ctx c = {.s = (const unsigned char *)(line ? line : ""), .n = len, .r = reader, .out = out};
    if (len > reader->limits.max_document_bytes) {
        line_fail(&c, IAM_ERR_LIMIT, 0, "", "line of %zu bytes, more than the limit of %zu", len,
                  reader->limits.max_document_bytes);
        return IAM_OK;
    }
    line_req lr = {0};
    if (!read_line(&c, &lr)) {
        settle_failure(&c);
        return IAM_OK;
    }
    const iam_policy_set *set = setup->own;
    if (lr.policy_id.ptr != NULL) {
        bool found;
        set = find_set(setup, lr.policy_id.ptr, lr.policy_id.len, &found);
        if (!found) {
            line_fail(&c, IAM_ERR_REQUEST, lr.policy_at, "$.resource_policy",
                      "unknown resource_policy \"%.*s\": the setup's resource_policies has no such id",
                      shown_len(lr.policy_id), lr.policy_id.ptr);
            settle_failure(&c);
            return IAM_OK;
        }
    }
    iam_status s = iam_evaluate(set, &lr.req, reader->scratch, &out->decision, &out->error);
    if (s != IAM_OK) {
        /* Request errors carry no position: point at the request. */
        json_pos pos = line_pos(c.s, lr.request_at);
        out->error.line = pos.line;
        out->error.column = pos.column;
        snprintf(out->error.path, sizeof out->error.path, "%s", "$.request");
        out->status = s;
        c.failed = true;
        /* Duplicate context keys end here as [C-K2]: name them as JSON does. */
        settle_failure(&c);
    }
    return IAM_OK;
}
