/* The strict JSON reader of json.h.
 *
 * One pass, no recursion: nesting is bounded by max_depth, which a caller may
 * set high enough to overflow the C stack, so open containers live on an
 * explicit stack of frames. Children are gathered on a shared stack of slots
 * (an inner container's children sit above its parent's) and copied into
 * exactly-sized arrays in the arena when their container closes.
 *
 * Memory: everything a document hands out, the json_doc included, lives in a
 * chunked bump arena. The first chunk is sized from the input, so a typical
 * policy costs one malloc; the slot and frame stacks start in the parser's
 * own stack frame and move to the heap only for unusually wide or deep input.
 */
#include "json.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define JSON_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define JSON_PRINTF(fmt, args)
#endif

/* Under AddressSanitizer the arena poisons its free space and leaves a gap
 * after every allocation, so an overrun of one value into the next is caught
 * as it would be with separate mallocs. */
#if defined(__SANITIZE_ADDRESS__)
#define JSON_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JSON_ASAN 1
#endif
#endif

#ifdef JSON_ASAN
#include <sanitizer/asan_interface.h>
#define ARENA_REDZONE 8u
#define ARENA_MIN_ALIGN 8u
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define ARENA_REDZONE 0u
#define ARENA_MIN_ALIGN 1u
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* ------------------------------------------------------------------ arena */

typedef struct chunk {
    struct chunk *next;
    size_t size; /* bytes of data after the header */
} chunk;

typedef struct arena {
    chunk *head;         /* newest first */
    unsigned char *cur;  /* free space of the newest chunk */
    unsigned char *end;
    size_t total;        /* data bytes in all chunks: next chunk at least this */
} arena;

static bool arena_add_chunk(arena *a, size_t need)
{
    size_t size = need > a->total ? need : a->total;
    if (size > (SIZE_MAX - sizeof(chunk)) / 2)
        return false;
    chunk *c = malloc(sizeof(chunk) + size);
    if (!c)
        return false;
    c->next = a->head;
    c->size = size;
    a->head = c;
    a->cur = (unsigned char *)(c + 1);
    a->end = a->cur + size;
    a->total += size;
    POISON(a->cur, size);
    return true;
}

static void *arena_alloc(arena *a, size_t size, size_t align)
{
    if (align < ARENA_MIN_ALIGN)
        align = ARENA_MIN_ALIGN;
    size_t pad = (size_t)(-(uintptr_t)a->cur) & (align - 1);
    size_t avail = (size_t)(a->end - a->cur);
    if (pad > avail || size + ARENA_REDZONE > avail - pad) {
        if (size > SIZE_MAX - align - ARENA_REDZONE)
            return NULL;
        if (!arena_add_chunk(a, size + align + ARENA_REDZONE))
            return NULL;
        pad = (size_t)(-(uintptr_t)a->cur) & (align - 1);
    }
    unsigned char *p = a->cur + pad;
    a->cur = p + size + ARENA_REDZONE;
    UNPOISON(p, size);
    return p;
}

static void arena_free(arena *a)
{
    chunk *c = a->head;
    while (c) {
        chunk *next = c->next;
        UNPOISON(c + 1, c->size);
        free(c);
        c = next;
    }
}

/* --------------------------------------------------------------- document */

struct json_doc {
    arena a; /* the doc itself lives in the arena's oldest chunk */
    json_value *root;
};

const json_value *jv_root(const json_doc *doc)
{
    return doc ? doc->root : NULL;
}

void jv_doc_free(json_doc *doc)
{
    if (!doc)
        return;
    arena a = doc->a; /* freeing the chunks frees doc too */
    arena_free(&a);
}

const json_value *jv_get(const json_value *obj, const char *key)
{
    if (!obj || obj->type != JV_OBJECT || !key)
        return NULL;
    size_t len = strlen(key);
    for (size_t j = 0; j < obj->u.object.count; j++) {
        const json_member *m = &obj->u.object.members[j];
        if (m->key_len == len && memcmp(m->key, key, len) == 0)
            return m->value;
    }
    return NULL;
}

/* ----------------------------------------------------------------- parser */

enum {
    SLOTS_LOCAL = 64,
    FRAMES_LOCAL = 32,
    /* Objects up to this many members find duplicates by a linear scan,
     * which beats hashing for the handful of keys a policy object has. */
    HASH_MIN_MEMBERS = 16
};

typedef struct frame {
    json_pos pos;      /* of the '[' or '{' */
    size_t base;       /* index of this container's first slot */
    uint32_t *table;   /* set of member indexes + 1, only for big objects */
    size_t table_cap;  /* power of two */
    bool object;
} frame;

typedef struct parser {
    const unsigned char *s;
    size_t n;
    size_t i;
    uint32_t line;
    size_t line_start;
    /* UTF-8 continuation bytes in [line_start, i): they occupy no column.
     * Outside strings every byte is ASCII and strings cannot hold a raw
     * newline, so counting them while decoding strings keeps columns O(1). */
    size_t cont;
    arena *a;
    json_error *err;
    unsigned max_depth;
    json_member *slots; /* array items use only .value */
    size_t nslots, slots_cap;
    frame *frames;
    size_t nframes, frames_cap;
    json_member *slots_local;
    frame *frames_local;
} parser;

static json_pos pos_at(const parser *p, size_t off)
{
    json_pos r;
    r.line = p->line;
    r.column = (uint32_t)(off - p->line_start - p->cont + 1);
    r.offset = (uint32_t)off;
    return r;
}

static bool fail(parser *p, size_t off, const char *fmt, ...) JSON_PRINTF(3, 4);

static bool fail(parser *p, size_t off, const char *fmt, ...)
{
    va_list ap;
    p->err->pos = pos_at(p, off);
    va_start(ap, fmt);
    vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
    va_end(ap);
    return false;
}

static bool fail_oom(parser *p)
{
    return fail(p, p->i < p->n ? p->i : p->n, "out of memory");
}

/* Length of the valid UTF-8 sequence at s[0..avail), or 0 if it is not one
 * (overlong, surrogate, above U+10FFFF, truncated, stray continuation). */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t len;
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return 0;
    if (c < 0xE0) {
        len = 2;
    } else if (c < 0xF0) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong below U+0800 */
        else if (c == 0xED)
            hi = 0x9F; /* U+D800..U+DFFF are surrogates */
    } else if (c < 0xF5) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong below U+10000 */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
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

/* Describes the character at off for a message: 'x', '“' or byte 0xNN. */
static const char *describe(const parser *p, size_t off, char *buf, size_t cap)
{
    unsigned char c = p->s[off];
    if (c >= 0x20 && c < 0x7F) {
        snprintf(buf, cap, "'%c'", c);
    } else if (c >= 0x80 && utf8_len(p->s + off, p->n - off) > 1) {
        snprintf(buf, cap, "'%.*s'", (int)utf8_len(p->s + off, p->n - off),
                 (const char *)p->s + off);
    } else {
        snprintf(buf, cap, "byte 0x%02X", c);
    }
    return buf;
}

/* Eight bytes at a time for the runs that dominate a document's text:
 * indentation and plain ASCII inside strings. */
#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

static uint64_t load8(const unsigned char *s)
{
    uint64_t w;
    memcpy(&w, s, sizeof w);
    return w;
}

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Index of the first byte flagged in a nonzero mask of 0x80 bits or of
 * nonzero bytes: the lowest flagged byte is always exact. */
#define FIRST_BYTE(mask) ((size_t)__builtin_ctzll(mask) / 8)
#endif

/* Nonzero if some byte of w is '"', '\\', below 0x20 or above 0x7F. */
static uint64_t string_special(uint64_t w)
{
    uint64_t quote = w ^ (ONES * '"'), bslash = w ^ (ONES * '\\');
    return (((quote - ONES) & ~quote) | ((bslash - ONES) & ~bslash) |
            ((w - ONES * 0x20) & ~w) | w) & HIGHS;
}

static void skip_ws_slow(parser *p)
{
    const unsigned char *s = p->s;
    size_t i = p->i, n = p->n;
    while (i < n) {
        unsigned char c = s[i];
        if (c == ' ') {
            i++;
            while (n - i >= 8) {
                uint64_t other = load8(s + i) ^ (ONES * ' ');
                if (other) {
#ifdef FIRST_BYTE
                    i += FIRST_BYTE(other);
#endif
                    break;
                }
                i += 8;
            }
        } else if (c == '\n') {
            i++;
            p->line++;
            p->line_start = i;
            p->cont = 0;
        } else if (c == '\t' || c == '\r') {
            i++;
        } else {
            break;
        }
    }
    p->i = i;
}

static inline void skip_ws(parser *p)
{
    /* Often there is none: every whitespace byte is <= ' '. */
    if (p->i < p->n && p->s[p->i] > ' ')
        return;
    skip_ws_slow(p);
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

/* The four hex digits after the "\u" at s[at], or -1 after reporting. */
static long read_hex4(parser *p, size_t at)
{
    long v = 0;
    for (size_t k = at + 2; k < at + 6; k++) {
        if (k >= p->n) {
            fail(p, p->n, "unexpected end of input in string");
            return -1;
        }
        int h = hex_val(p->s[k]);
        if (h < 0) {
            fail(p, at, "invalid escape: \\u must be followed by 4 hex digits");
            return -1;
        }
        v = v * 16 + h;
    }
    return v;
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

/* Allocates the text of a string, after a json_value for it if v is not
 * NULL: one allocation instead of two for every string value. */
static char *alloc_text(parser *p, size_t size, json_value **v)
{
    if (!v)
        return arena_alloc(p->a, size, 1);
    if (size > SIZE_MAX - sizeof **v)
        return NULL;
    *v = arena_alloc(p->a, sizeof **v + size, _Alignof(json_value));
    return *v ? (char *)(*v + 1) : NULL;
}

/* Decodes the string whose opening quote is at p->i into the arena; if v is
 * not NULL, also allocates *v, the json_value to hold it. */
static bool parse_string(parser *p, json_value **v, const char **out, size_t *out_len)
{
    const unsigned char *s = p->s;
    size_t n = p->n;
    size_t start = p->i + 1, i = start;

    /* Most strings in a policy are plain ASCII: copy them in one go. */
    while (n - i >= 8) {
        uint64_t special = string_special(load8(s + i));
        if (special) {
#ifdef FIRST_BYTE
            i += FIRST_BYTE(special);
#endif
            break;
        }
        i += 8;
    }
    while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
        i++;
    if (i < n && s[i] == '"') {
        char *d = alloc_text(p, i - start + 1, v);
        if (!d)
            return fail_oom(p);
        memcpy(d, s + start, i - start);
        d[i - start] = '\0';
        *out = d;
        *out_len = i - start;
        p->i = i + 1;
        return true;
    }

    /* Decoding never lengthens a string (an escape of 2, 6 or 12 bytes
     * yields at most 1, 3 or 4), so the raw length bounds the output. */
    size_t k = i;
    while (k < n && s[k] != '"')
        k += s[k] == '\\' ? 2 : 1;
    size_t raw = (k < n ? k : n) - start;
    char *buf = alloc_text(p, raw + 1, v);
    if (!buf)
        return fail_oom(p);
    memcpy(buf, s + start, i - start);
    char *d = buf + (i - start);

    for (;;) {
        if (i >= n)
            return fail(p, n, "unexpected end of input in string");
        unsigned char c = s[i];
        if (c == '"')
            break;
        if (c >= 0x80) {
            size_t len = utf8_len(s + i, n - i);
            if (!len)
                return fail(p, i, "invalid UTF-8 in string");
            memcpy(d, s + i, len);
            d += len;
            i += len;
            p->cont += len - 1;
            continue;
        }
        if (c < 0x20)
            return fail(p, i, "unescaped control character U+%04X in string", c);
        if (c != '\\') {
            *d++ = (char)c;
            i++;
            continue;
        }
        if (i + 1 >= n)
            return fail(p, n, "unexpected end of input in string");
        unsigned char e = s[i + 1];
        switch (e) {
        case '"': case '\\': case '/': *d++ = (char)e; break;
        case 'b': *d++ = '\b'; break;
        case 'f': *d++ = '\f'; break;
        case 'n': *d++ = '\n'; break;
        case 'r': *d++ = '\r'; break;
        case 't': *d++ = '\t'; break;
        case 'u': {
            long cp = read_hex4(p, i);
            if (cp < 0)
                return false;
            if (cp == 0)
                return fail(p, i, "\\u0000 is not allowed in strings");
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return fail(p, i, "unpaired surrogate \\u%04lX", (unsigned long)cp);
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                size_t j = i + 6;
                if (j >= n || (s[j] == '\\' && j + 1 >= n))
                    return fail(p, n, "unexpected end of input in string");
                if (s[j] != '\\' || s[j + 1] != 'u')
                    return fail(p, i, "unpaired surrogate \\u%04lX", (unsigned long)cp);
                long lo = read_hex4(p, j);
                if (lo < 0)
                    return false;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return fail(p, i, "unpaired surrogate \\u%04lX", (unsigned long)cp);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
            d = put_utf8(d, (unsigned long)cp);
            i += 6;
            continue;
        }
        default:
            if (e >= 0x21 && e < 0x7F)
                return fail(p, i, "invalid escape \\%c", e);
            return fail(p, i, "invalid escape");
        }
        i += 2;
    }
    *d = '\0';
    *out = buf;
    *out_len = (size_t)(d - buf);
    p->i = i + 1;
    return true;
}

static bool is_digit(const parser *p, size_t i)
{
    return i < p->n && p->s[i] >= '0' && p->s[i] <= '9';
}

/* Fails at i: "unexpected end of input" there, msg otherwise. */
static bool fail_expect(parser *p, size_t i, const char *msg)
{
    if (i >= p->n)
        return fail(p, p->n, "unexpected end of input");
    return fail(p, i, "%s", msg);
}

static bool parse_number(parser *p, const char **out, size_t *out_len)
{
    size_t start = p->i, i = start;
    if (p->s[i] == '-')
        i++;
    if (!is_digit(p, i))
        return fail_expect(p, i, "expected a digit after '-'");
    if (p->s[i] == '0') {
        i++;
        if (is_digit(p, i))
            return fail(p, i, "leading zeros are not allowed in numbers");
    } else {
        while (is_digit(p, i))
            i++;
    }
    if (i < p->n && p->s[i] == '.') {
        i++;
        if (!is_digit(p, i))
            return fail_expect(p, i, "expected a digit after '.'");
        while (is_digit(p, i))
            i++;
    }
    if (i < p->n && (p->s[i] == 'e' || p->s[i] == 'E')) {
        i++;
        if (i < p->n && (p->s[i] == '+' || p->s[i] == '-'))
            i++;
        if (!is_digit(p, i))
            return fail_expect(p, i, "expected a digit in the exponent");
        while (is_digit(p, i))
            i++;
    }
    char *d = arena_alloc(p->a, i - start + 1, 1);
    if (!d)
        return fail_oom(p);
    memcpy(d, p->s + start, i - start);
    d[i - start] = '\0';
    *out = d;
    *out_len = i - start;
    p->i = i;
    return true;
}

static bool parse_literal(parser *p, const char *word)
{
    size_t len = strlen(word);
    for (size_t k = 0; k < len; k++) {
        size_t at = p->i + k;
        if (at >= p->n)
            return fail(p, p->n, "unexpected end of input");
        if (p->s[at] != (unsigned char)word[k])
            return fail(p, at, "invalid literal (expected \"%s\")", word);
    }
    p->i += len;
    return true;
}

static json_value *new_value(parser *p, jv_type type, json_pos pos)
{
    json_value *v = arena_alloc(p->a, sizeof *v, _Alignof(json_value));
    if (!v) {
        fail_oom(p);
        return NULL;
    }
    v->type = type;
    v->pos = pos;
    return v;
}

static json_value *parse_scalar(parser *p)
{
    unsigned char c = p->s[p->i];
    json_pos pos = pos_at(p, p->i);
    json_value *v;
    char buf[16];
    switch (c) {
    case '"': {
        const char *text;
        size_t len;
        if (!parse_string(p, &v, &text, &len))
            return NULL;
        v->type = JV_STRING;
        v->pos = pos;
        v->u.text.ptr = text;
        v->u.text.len = len;
        return v;
    }
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        if (!(v = new_value(p, JV_NUMBER, pos)))
            return NULL;
        return parse_number(p, &v->u.text.ptr, &v->u.text.len) ? v : NULL;
    case 't':
        return parse_literal(p, "true") ? new_value(p, JV_TRUE, pos) : NULL;
    case 'f':
        return parse_literal(p, "false") ? new_value(p, JV_FALSE, pos) : NULL;
    case 'n':
        return parse_literal(p, "null") ? new_value(p, JV_NULL, pos) : NULL;
    default:
        fail(p, p->i, "expected a value, found %s", describe(p, p->i, buf, sizeof buf));
        return NULL;
    }
}

static bool push_slot(parser *p, json_member **out)
{
    if (p->nslots == p->slots_cap) {
        size_t cap = p->slots_cap * 2;
        json_member *grown;
        if (cap > SIZE_MAX / sizeof *grown)
            return fail_oom(p);
        if (p->slots == p->slots_local) {
            grown = malloc(cap * sizeof *grown);
            if (grown)
                memcpy(grown, p->slots, p->nslots * sizeof *grown);
        } else {
            grown = realloc(p->slots, cap * sizeof *grown);
        }
        if (!grown)
            return fail_oom(p);
        p->slots = grown;
        p->slots_cap = cap;
    }
    *out = &p->slots[p->nslots++];
    return true;
}

static bool push_frame(parser *p, bool object)
{
    if (p->nframes >= p->max_depth)
        return fail(p, p->i, "nesting deeper than %u", p->max_depth);
    if (p->nframes == p->frames_cap) {
        size_t cap = p->frames_cap * 2;
        frame *grown;
        if (cap > SIZE_MAX / sizeof *grown)
            return fail_oom(p);
        if (p->frames == p->frames_local) {
            grown = malloc(cap * sizeof *grown);
            if (grown)
                memcpy(grown, p->frames, p->nframes * sizeof *grown);
        } else {
            grown = realloc(p->frames, cap * sizeof *grown);
        }
        if (!grown)
            return fail_oom(p);
        p->frames = grown;
        p->frames_cap = cap;
    }
    frame *f = &p->frames[p->nframes++];
    f->pos = pos_at(p, p->i);
    f->base = p->nslots;
    f->table = NULL;
    f->table_cap = 0;
    f->object = object;
    p->i++;
    return true;
}

static json_value *close_container(parser *p)
{
    frame *f = &p->frames[p->nframes - 1];
    size_t count = p->nslots - f->base;
    const json_member *kids = p->slots + f->base;
    json_value *v = new_value(p, f->object ? JV_OBJECT : JV_ARRAY, f->pos);
    if (!v)
        return NULL;
    if (f->object) {
        json_member *ms = NULL;
        if (count) {
            ms = arena_alloc(p->a, count * sizeof *ms, _Alignof(json_member));
            if (!ms) {
                fail_oom(p);
                return NULL;
            }
            memcpy(ms, kids, count * sizeof *ms);
        }
        v->u.object.members = ms;
        v->u.object.count = count;
    } else {
        json_value **items = NULL;
        if (count) {
            items = arena_alloc(p->a, count * sizeof *items, _Alignof(json_value *));
            if (!items) {
                fail_oom(p);
                return NULL;
            }
            for (size_t j = 0; j < count; j++)
                items[j] = kids[j].value;
        }
        v->u.array.items = items;
        v->u.array.count = count;
    }
    free(f->table);
    f->table = NULL;
    p->nslots = f->base;
    p->nframes--;
    p->i++;
    return v;
}

static uint32_t hash_key(const char *k, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t j = 0; j < len; j++) {
        h ^= (unsigned char)k[j];
        h *= 16777619u;
    }
    return h;
}

static bool report_duplicate(parser *p, const char *key, size_t len, json_pos at)
{
    /* Quote the name as JSON would, shortened to fit the message. */
    char shown[100];
    size_t o = 0, j = 0;
    while (j < len) {
        unsigned char c = (unsigned char)key[j];
        char esc[8];
        size_t elen, step = 1;
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            elen = 2;
        } else if (c < 0x20 || c == 0x7F) {
            elen = (size_t)snprintf(esc, sizeof esc, "\\u%04X", c);
        } else {
            step = c < 0x80 ? 1 : utf8_len((const unsigned char *)key + j, len - j);
            if (!step) /* cannot happen: names are validated UTF-8 */
                step = 1;
            memcpy(esc, key + j, step);
            elen = step;
        }
        if (o + elen + 4 > sizeof shown) {
            memcpy(shown + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(shown + o, esc, elen);
        o += elen;
        j += step;
    }
    shown[o] = '\0';
    p->err->pos = at;
    snprintf(p->err->message, sizeof p->err->message, "duplicate member \"%s\"", shown);
    return false;
}

/* Rebuilds f's hash set with room for at least want members. */
static bool rebuild_table(parser *p, frame *f, size_t want)
{
    size_t cap = 64;
    while (cap < want * 2) {
        if (cap > SIZE_MAX / 4 / sizeof(uint32_t))
            return fail_oom(p);
        cap *= 2;
    }
    uint32_t *t = calloc(cap, sizeof *t);
    if (!t)
        return fail_oom(p);
    const json_member *m = p->slots + f->base;
    size_t count = p->nslots - f->base;
    for (size_t j = 0; j < count; j++) {
        size_t h = hash_key(m[j].key, m[j].key_len) & (cap - 1);
        while (t[h])
            h = (h + 1) & (cap - 1);
        t[h] = (uint32_t)(j + 1);
    }
    free(f->table);
    f->table = t;
    f->table_cap = cap;
    return true;
}

/* Checks that f has no member named key yet and records it as the member
 * about to be pushed. */
static bool add_member_name(parser *p, frame *f, const char *key, size_t len, json_pos at)
{
    const json_member *m = p->slots + f->base;
    size_t count = p->nslots - f->base;
    if (count < HASH_MIN_MEMBERS) {
        for (size_t j = 0; j < count; j++)
            if (m[j].key_len == len && memcmp(m[j].key, key, len) == 0)
                return report_duplicate(p, key, len, at);
        return true;
    }
    /* Indexes are 32-bit: an object of 2^32 members needs over 20 GB. */
    if (count >= UINT32_MAX - 1)
        return fail_oom(p);
    if ((count + 1) * 2 > f->table_cap && !rebuild_table(p, f, count + 1))
        return false;
    size_t mask = f->table_cap - 1;
    size_t h = hash_key(key, len) & mask;
    while (f->table[h]) {
        const json_member *o = &m[f->table[h] - 1];
        if (o->key_len == len && memcmp(o->key, key, len) == 0)
            return report_duplicate(p, key, len, at);
        h = (h + 1) & mask;
    }
    f->table[h] = (uint32_t)(count + 1);
    return true;
}

/* Reads "name" : at p->i, leaving p->i at the start of the member's value. */
static bool parse_member_name(parser *p)
{
    if (p->i >= p->n || p->s[p->i] != '"')
        return fail_expect(p, p->i, "expected a member name (a string in double quotes)");
    frame *f = &p->frames[p->nframes - 1];
    json_pos at = pos_at(p, p->i);
    const char *key;
    size_t len;
    json_member *m;
    if (!parse_string(p, NULL, &key, &len) || !add_member_name(p, f, key, len, at) ||
        !push_slot(p, &m))
        return false;
    m->key = key;
    m->key_len = len;
    m->key_pos = at;
    m->value = NULL;
    skip_ws(p);
    if (p->i >= p->n || p->s[p->i] != ':')
        return fail_expect(p, p->i, "expected ':' after member name");
    p->i++;
    return true;
}

static json_value *parse_document(parser *p)
{
    json_value *v;
    char buf[16];

next_value:
    skip_ws(p);
    if (p->i >= p->n) {
        fail(p, p->n, p->nframes ? "unexpected end of input" : "empty input");
        return NULL;
    }
    if (p->s[p->i] == '[' || p->s[p->i] == '{') {
        bool object = p->s[p->i] == '{';
        if (!push_frame(p, object))
            return NULL;
        skip_ws(p);
        if (p->i < p->n && p->s[p->i] == (object ? '}' : ']')) {
            if (!(v = close_container(p)))
                return NULL;
            goto have_value;
        }
        if (object && !parse_member_name(p))
            return NULL;
        goto next_value;
    }
    if (!(v = parse_scalar(p)))
        return NULL;

have_value:
    /* v is complete: file it in the open container, then see what follows. */
    skip_ws(p);
    if (p->nframes == 0) {
        if (p->i < p->n) {
            fail(p, p->i, "unexpected %s after the JSON value",
                 describe(p, p->i, buf, sizeof buf));
            return NULL;
        }
        return v;
    }
    frame *f = &p->frames[p->nframes - 1];
    if (f->object) {
        p->slots[p->nslots - 1].value = v;
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            skip_ws(p);
            if (!parse_member_name(p))
                return NULL;
            goto next_value;
        }
        if (p->i < p->n && p->s[p->i] == '}') {
            if (!(v = close_container(p)))
                return NULL;
            goto have_value;
        }
        fail_expect(p, p->i, "expected ',' or '}' after object member");
        return NULL;
    }
    json_member *slot;
    if (!push_slot(p, &slot))
        return NULL;
    slot->value = v;
    if (p->i < p->n && p->s[p->i] == ',') {
        p->i++;
        goto next_value;
    }
    if (p->i < p->n && p->s[p->i] == ']') {
        if (!(v = close_container(p)))
            return NULL;
        goto have_value;
    }
    fail_expect(p, p->i, "expected ',' or ']' after array element");
    return NULL;
}

/* The first chunk holds the json_doc and, for typical documents, every value:
 * policies decode to about 3 bytes of arena per byte of text. */
static size_t first_chunk_size(size_t len)
{
    size_t want = sizeof(json_doc) + 64;
    if (len < (SIZE_MAX - want) / 4)
        want += len * 3 + len / 2;
    else
        want = SIZE_MAX / 4;
    if (want < 1024)
        want = 1024;
    if (want > ((size_t)1 << 20))
        want = (size_t)1 << 20; /* big documents grow geometrically instead */
    return want;
}

json_doc *jv_parse(const char *text, size_t len, uint32_t first_line,
                     unsigned max_depth, json_error *err)
{
    json_error scratch;
    if (!err)
        err = &scratch;
    memset(&err->pos, 0, sizeof err->pos);
    err->message[0] = '\0';

    json_member slots_local[SLOTS_LOCAL];
    frame frames_local[FRAMES_LOCAL];
    arena a = {0};
    parser p = {0};
    p.s = (const unsigned char *)text;
    p.n = len;
    p.line = first_line;
    p.a = &a;
    p.err = err;
    p.max_depth = max_depth;
    p.slots = p.slots_local = slots_local;
    p.slots_cap = SLOTS_LOCAL;
    p.frames = p.frames_local = frames_local;
    p.frames_cap = FRAMES_LOCAL;

    if (len > UINT32_MAX) {
        fail(&p, 0, "document too large (positions are limited to 4 GiB)");
        return NULL;
    }
    if (!text && len) {
        fail(&p, 0, "no input");
        return NULL;
    }

    json_doc *doc = NULL;
    json_value *root = NULL;
    if (arena_add_chunk(&a, first_chunk_size(len)) &&
        (doc = arena_alloc(&a, sizeof *doc, _Alignof(json_doc))) != NULL) {
        root = parse_document(&p);
    } else {
        fail_oom(&p);
    }

    for (size_t j = 0; j < p.nframes; j++)
        free(p.frames[j].table);
    if (p.frames != frames_local)
        free(p.frames);
    if (p.slots != slots_local)
        free(p.slots);
    if (!root) {
        arena_free(&a);
        return NULL;
    }
    doc->root = root;
    doc->a = a;
    return doc;
}
