/* IAM wildcard patterns: parsing, compilation and the three matching paths
 * (exact/prefix byte comparison, PCRE2, position-set simulation). See
 * match.h for the contract and spec 2.1 [M-W], 2.4 [M-R4], 3.5.7 [C-O20]. */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "match.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

/* PCRE2 budgets per match. Whatever exceeds them is decided by the
 * position-set matcher, whose cost is O(len * n / 64) whatever the pattern,
 * so these only cap the time spent before giving up on the backtracker. */
#define MATCH_LIMIT 200000u
#define DEPTH_LIMIT 10000u
#define JIT_STACK_START (32u * 1024u)
#define JIT_STACK_MAX (1024u * 1024u)

/* The interpreter's backtracking frames live in one heap vector inside the
 * match data (PCRE2 >= 10.41); it is allocated on first use (20 KiB for
 * patterns without captures) and reused by later matches, and it only grows
 * by doubling when a match needs more. glob_scratch_create runs one warm-up
 * match so that vector exists before any real match, and the heap limit
 * (in KiB) is set to that size so the vector never grows: a match that would
 * need more returns PCRE2_ERROR_HEAPLIMIT and falls back to the element
 * matcher. Verified against 10.42 with a counting allocator: after the
 * warm-up, neither pcre2_match nor pcre2_jit_match allocates, including
 * matches that hit the match or heap limit. */
#define HEAP_LIMIT_KIB 20u

#define NFA_WORDS ((GLOB_MAX_ELEMS + 1 + 63) / 64)

/* A literal table above this many 64-bit words is not built; the element
 * matcher then tests literals one active position at a time. */
#define LIT_TABLE_MAX_WORDS (1u << 16)

enum glob_path { PATH_EXACT, PATH_PREFIX, PATH_FIELDS, PATH_PCRE, PATH_ELEMS };

/* PATH_FIELDS: a pattern whose wildcards are all '*' is matched without a
 * regex. Its text splits into up to six fields at colons (one field when
 * every '*' may cross colons; the first five fields and the rest when none
 * in those five may), and each field into the literal segments between its
 * stars: the first anchored at the field's start, the last at its end, the
 * middle ones found leftmost in turn. Leftmost is enough because a run of
 * '*' that matches anything can always absorb what an earlier choice left.
 * On valid UTF-8 literals byte search is character search: a segment starts
 * with a lead byte, which no character of the subject has inside it. */
#define GLOB_MAX_FIELDS 6

typedef struct glob_segment {
    uint32_t off, len;         /* bytes of the pattern text */
} glob_segment;

typedef struct glob_field {
    uint32_t first, count;     /* its segments */
    bool star;                 /* false: one segment, matched exactly */
} glob_field;

/* Per-code-point masks of the literal positions, so that the element matcher
 * advances all positions with word operations. */
typedef struct lit_table {
    size_t words;              /* words per row */
    size_t ncps;               /* distinct non-ASCII literal code points */
    uint32_t *cps;             /* sorted, ncps entries */
    int32_t *cp_row;           /* row of cps[i] */
    int32_t ascii_row[128];    /* row of an ASCII code point, -1 if none */
    uint64_t *rows;
} lit_table;

struct iam_glob {
    uint8_t path;              /* enum glob_path */
    uint8_t mode;              /* glob_mode, to rebuild elements on demand */
    bool exact;
    bool jit;
    char *text;                /* the pattern as given: the exact, prefix and field paths match on it */
    size_t text_len;
    size_t prefix_len;         /* PATH_PREFIX: bytes before the final '*' */
    glob_elem *elems;          /* after collapsing runs of ANY_RUN */
    size_t n;
    pcre2_code *code;          /* PATH_PCRE only */
    glob_segment *segs;        /* PATH_FIELDS only */
    glob_field fields[GLOB_MAX_FIELDS];
    uint8_t field_count;
    bool last_field_colon_free; /* fewer than five colons: no field crosses one */
    lit_table *lits;           /* NULL: test literals position by position */
    uint64_t *masks;           /* storage of prog */
    struct nfa_prog *prog;     /* the element matcher's masks, built once */
};

struct glob_scratch {
    pcre2_match_data *md;
    pcre2_match_context *mc;
    pcre2_jit_stack *js;       /* NULL when JIT is unavailable */
};

/* ---- UTF-8 ---------------------------------------------------------------
 * Same convention as lit_utf8_decode (literal.h), kept private so matching
 * does not depend on literal.c: RFC 3629 sequences only (no overlongs, no
 * surrogates, nothing above U+10FFFF); any other byte is one character,
 * 0xDC00 + byte, which never equals a valid code point. PCRE2 applies the
 * same validity rules, so on valid text both agree on what a character is. */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned b0 = s[0];
    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    }
    size_t need;
    uint32_t c;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 2;
        c = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 3;
        c = b0 & 0x0F;
        if (b0 == 0xE0)
            lo = 0xA0; /* overlong */
        else if (b0 == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 4;
        c = b0 & 0x07;
        if (b0 == 0xF0)
            lo = 0x90; /* overlong */
        else if (b0 == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        goto invalid;
    }
    if (len < need || s[1] < lo || s[1] > hi)
        goto invalid;
    c = (c << 6) | (s[1] & 0x3Fu);
    for (size_t i = 2; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            goto invalid;
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    *cp = c;
    return need;
invalid:
    *cp = 0xDC00u + b0;
    return 1;
}

/* pcre2_jit_match skips PCRE2's own UTF check (invalid input is undefined
 * behaviour there), so the JIT path validates first. */
static bool utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (len - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if ((w & 0x8080808080808080ull) == 0) {
                i += 8;
                continue;
            }
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_decode(s + i, len - i, &cp);
        if (k == 1)
            return false; /* a non-ASCII byte decoded alone is invalid */
        i += k;
    }
    return true;
}

/* ---- Parsing -------------------------------------------------------------- */

/* Reads the pieces as one byte stream, so that field numbering, the "'*'
 * followed by ':'" rule and even a UTF-8 sequence split between pieces see
 * the concatenated pattern. */
typedef struct piece_cursor {
    const glob_piece *pieces;
    size_t n;
    size_t pi;                 /* current piece */
    size_t off;                /* offset in it */
} piece_cursor;

static void cursor_skip_empty(piece_cursor *c)
{
    while (c->pi < c->n && c->off >= c->pieces[c->pi].len) {
        c->pi++;
        c->off = 0;
    }
}

/* Copies up to cap bytes from the cursor without moving it. */
static size_t cursor_peek(const piece_cursor *c, unsigned char *buf, size_t cap)
{
    size_t got = 0, pi = c->pi, off = c->off;
    while (got < cap && pi < c->n) {
        const glob_piece *p = &c->pieces[pi];
        if (off < p->len) {
            buf[got++] = (unsigned char)p->ptr[off++];
        } else {
            pi++;
            off = 0;
        }
    }
    return got;
}

static void cursor_advance(piece_cursor *c, size_t k)
{
    while (k > 0) {
        cursor_skip_empty(c);
        size_t room = c->pieces[c->pi].len - c->off;
        size_t step = k < room ? k : room;
        c->off += step;
        k -= step;
    }
    cursor_skip_empty(c);
}

size_t glob_parse_pieces(const glob_piece *pieces, size_t n, glob_mode mode,
                         glob_elem *out, size_t cap)
{
    piece_cursor c = { pieces, n, 0, 0 };
    size_t count = 0;
    unsigned colons = 0;

    cursor_skip_empty(&c);
    while (c.pi < c.n) {
        unsigned char buf[5];
        size_t got = cursor_peek(&c, buf, sizeof buf);
        uint32_t cp;
        size_t k = utf8_decode(buf, got, &cp);
        bool literal_piece = c.pieces[c.pi].literal;
        glob_elem e;
        memset(&e, 0, sizeof e); /* padding too: callers may memcmp or hash elements */
        e.kind = GLOB_LITERAL;
        e.cp = cp;

        if (!literal_piece && (cp == '*' || cp == '?')) {
            e.kind = cp == '*' ? GLOB_ANY_RUN : GLOB_ANY_ONE;
            e.cp = 0;
            if (mode == GLOB_PLAIN || colons >= 5)
                e.crosses_colon = 1;
            else if (mode == GLOB_RESOURCE && cp == '*')
                /* [M-R4]: a '*' that ends its field may swallow colons */
                e.crosses_colon = got > 1 && buf[1] == ':';
        }
        if (cp == ':' && colons < 5)
            colons++;
        if (count >= cap)
            return (size_t)-1;
        memcpy(&out[count++], &e, sizeof e);
        cursor_advance(&c, k);
    }
    return count;
}

/* glob_parse_pieces on one ASCII piece, without the cursor: every wildcard
 * pattern of a policy is parsed when it is compiled. */
static size_t parse_ascii(const char *pattern, size_t len, glob_mode mode, glob_elem *out, size_t cap)
{
    size_t count = 0;
    unsigned colons = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)pattern[i];
        glob_elem e;
        memset(&e, 0, sizeof e);
        e.kind = GLOB_LITERAL;
        e.cp = c;
        if (c == '*' || c == '?') {
            e.kind = c == '*' ? GLOB_ANY_RUN : GLOB_ANY_ONE;
            e.cp = 0;
            if (mode == GLOB_PLAIN || colons >= 5)
                e.crosses_colon = 1;
            else if (mode == GLOB_RESOURCE && c == '*')
                e.crosses_colon = i + 1 < len && pattern[i + 1] == ':';
        }
        if (c == ':' && colons < 5)
            colons++;
        if (count >= cap)
            return (size_t)-1;
        memcpy(&out[count++], &e, sizeof e);
    }
    return count;
}

size_t glob_parse(const char *pattern, size_t len, glob_mode mode, glob_elem *out, size_t cap)
{
    unsigned char high = 0;
    for (size_t i = 0; i < len; i++)
        high |= (unsigned char)pattern[i];
    if (high < 0x80)
        return parse_ascii(pattern, len, mode, out, cap);
    glob_piece p = { pattern, len, false };
    return glob_parse_pieces(&p, 1, mode, out, cap);
}

/* ---- The element matcher ---------------------------------------------------
 * Bit i of the state means "elements [0, i) have matched the subject read so
 * far"; bit n means the whole pattern has. Per character the state advances
 * with word operations over masks of the element kinds, so the cost is
 * O(len * n / 64) when literal masks are tabled (compiled globs); without a
 * table (glob_match_elems), literals are compared at the active positions
 * only. */

#define NFA_MASKS 5

typedef struct nfa_prog {
    const glob_elem *e;
    size_t n, words;
    unsigned chain;            /* longest run of consecutive ANY_RUN */
    const lit_table *lits;     /* NULL: compare literals one by one */
    const uint64_t *any_all, *any_cross, *run_all, *run_cross, *lit;
} nfa_prog;

/* storage holds NFA_MASKS * words words; n <= GLOB_MAX_ELEMS. */
static void nfa_prog_init(nfa_prog *p, const glob_elem *e, size_t n, const lit_table *lits,
                          uint64_t *storage)
{
    size_t words = (n + 64) / 64;
    uint64_t *any_all = storage, *any_cross = storage + words, *run_all = storage + 2 * words,
             *run_cross = storage + 3 * words, *lit = storage + 4 * words;
    unsigned chain = 0, cur = 0;

    for (size_t w = 0; w < words; w++) {
        /* Accumulated in locals: or-ing into memory element by element is
         * a chain of dependent stores, measurably slow per call. */
        uint64_t aa = 0, ac = 0, ra = 0, rc = 0, li = 0;
        size_t end = (w + 1) * 64 < n ? (w + 1) * 64 : n;
        for (size_t i = w * 64; i < end; i++) {
            uint64_t bit = 1ull << (i % 64);
            if (e[i].kind == GLOB_ANY_RUN) {
                ra |= bit;
                rc |= e[i].crosses_colon ? bit : 0;
                if (++cur > chain)
                    chain = cur;
                continue;
            }
            cur = 0;
            if (e[i].kind == GLOB_ANY_ONE) {
                aa |= bit;
                ac |= e[i].crosses_colon ? bit : 0;
            } else {
                li |= bit;
            }
        }
        any_all[w] = aa;
        any_cross[w] = ac;
        run_all[w] = ra;
        run_cross[w] = rc;
        lit[w] = li;
    }
    p->e = e;
    p->n = n;
    p->words = words;
    p->chain = chain;
    p->lits = lits;
    p->any_all = any_all;
    p->any_cross = any_cross;
    p->run_all = run_all;
    p->run_cross = run_cross;
    p->lit = lit;
}

static const uint64_t *lit_row(const lit_table *t, uint32_t cp)
{
    int32_t row = -1;
    if (cp < 128) {
        row = t->ascii_row[cp];
    } else {
        size_t lo = 0, hi = t->ncps;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (t->cps[mid] < cp)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < t->ncps && t->cps[lo] == cp)
            row = t->cp_row[lo];
    }
    return row < 0 ? NULL : t->rows + (size_t)row * t->words;
}

static inline uint32_t next_cp(const unsigned char *s, size_t len, size_t *i)
{
    if (s[*i] < 0x80)
        return s[(*i)++];
    uint32_t cp;
    *i += utf8_decode(s + *i, len - *i, &cp);
    return cp;
}

/* Patterns of fewer than 64 elements (nearly all): the state is one word. */
static bool nfa_run1(const nfa_prog *p, const unsigned char *s, size_t len)
{
    const uint64_t any_all = p->any_all[0], any_cross = p->any_cross[0];
    const uint64_t run_all = p->run_all[0], run_cross = p->run_cross[0], lit = p->lit[0];
    const unsigned chain = p->chain;
    uint64_t d = 1;
    for (unsigned k = 0; k < chain; k++)
        d |= (d & run_all) << 1;

    size_t i = 0;
    while (i < len) {
        uint32_t cp = next_cp(s, len, &i);
        bool colon = cp == ':';
        uint64_t step = d & (colon ? any_cross : any_all);
        if (p->lits) {
            const uint64_t *row = lit_row(p->lits, cp);
            if (row)
                step |= d & row[0];
        } else {
            uint64_t x = d & lit;
            while (x) {
                unsigned b = (unsigned)__builtin_ctzll(x);
                x &= x - 1;
                if (p->e[b].cp == cp)
                    step |= 1ull << b;
            }
        }
        d = (step << 1) | (d & (colon ? run_cross : run_all));
        for (unsigned k = 0; k < chain; k++)
            d |= (d & run_all) << 1;
        if (!d)
            return false;
    }
    return (d >> p->n) & 1;
}

/* An active ANY_RUN position also activates the next one (it may match the
 * empty string); each pass moves at least one step along a chain of runs. */
static void nfa_closure(uint64_t *st, const nfa_prog *p)
{
    for (unsigned pass = 0; pass < p->chain; pass++) {
        uint64_t carry = 0;
        for (size_t w = 0; w < p->words; w++) {
            uint64_t x = st[w] & p->run_all[w];
            st[w] |= (x << 1) | carry;
            carry = (st[w] & p->run_all[w]) >> 63;
        }
    }
}

static bool nfa_run(const nfa_prog *p, const unsigned char *s, size_t len)
{
    if (p->words == 1)
        return nfa_run1(p, s, len);

    uint64_t a[NFA_WORDS], b[NFA_WORDS];
    uint64_t *cur = a, *next = b;
    const size_t words = p->words;
    memset(cur, 0, words * sizeof *cur);
    cur[0] = 1;
    nfa_closure(cur, p);

    size_t i = 0;
    while (i < len) {
        uint32_t cp = next_cp(s, len, &i);
        bool colon = cp == ':';
        const uint64_t *any = colon ? p->any_cross : p->any_all;
        const uint64_t *run = colon ? p->run_cross : p->run_all;
        const uint64_t *row = p->lits ? lit_row(p->lits, cp) : NULL;
        uint64_t carry = 0, alive = 0;

        for (size_t w = 0; w < words; w++) {
            uint64_t x = cur[w] & (any[w] | (row ? row[w] : 0));
            next[w] = (x << 1) | carry | (cur[w] & run[w]);
            carry = x >> 63;
        }
        if (!p->lits) {
            for (size_t w = 0; w < words; w++) {
                uint64_t x = cur[w] & p->lit[w];
                while (x) {
                    size_t pos = w * 64 + (size_t)__builtin_ctzll(x);
                    x &= x - 1;
                    if (p->e[pos].cp == cp)
                        next[(pos + 1) / 64] |= 1ull << ((pos + 1) % 64);
                }
            }
        }
        nfa_closure(next, p);
        for (size_t w = 0; w < words; w++)
            alive |= next[w];
        if (!alive)
            return false;
        uint64_t *tmp = cur;
        cur = next;
        next = tmp;
    }
    return (cur[p->n / 64] >> (p->n % 64)) & 1;
}

bool glob_match_elems(const glob_elem *elems, size_t n, const char *subject, size_t len)
{
    uint64_t storage[NFA_MASKS * NFA_WORDS];
    nfa_prog p;
    if (n > GLOB_MAX_ELEMS)
        return false;
    if (len == 0)
        subject = "";
    nfa_prog_init(&p, elems, n, NULL, storage);
    return nfa_run(&p, (const unsigned char *)subject, len);
}

/* ---- Compilation ------------------------------------------------------------ */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void lit_table_free(lit_table *t)
{
    if (!t)
        return;
    free(t->cps);
    free(t->cp_row);
    free(t->rows);
    free(t);
}

/* NULL with *oom false means "no table" (too large, or no literals). */
static lit_table *lit_table_build(const glob_elem *e, size_t n, bool *oom)
{
    *oom = false;
    size_t words = (n + 1 + 63) / 64;
    uint32_t *all = malloc((n ? n : 1) * sizeof *all);
    if (!all) {
        *oom = true;
        return NULL;
    }
    size_t nl = 0;
    for (size_t i = 0; i < n; i++)
        if (e[i].kind == GLOB_LITERAL)
            all[nl++] = e[i].cp;
    qsort(all, nl, sizeof *all, cmp_u32);
    size_t distinct = 0;
    for (size_t i = 0; i < nl; i++)
        if (i == 0 || all[i] != all[i - 1])
            all[distinct++] = all[i];
    if (distinct == 0 || distinct * words > LIT_TABLE_MAX_WORDS) {
        free(all);
        return NULL;
    }

    lit_table *t = calloc(1, sizeof *t);
    if (!t) {
        free(all);
        *oom = true;
        return NULL;
    }
    t->words = words;
    t->rows = calloc(distinct * words, sizeof *t->rows);
    t->cps = malloc(distinct * sizeof *t->cps);
    t->cp_row = malloc(distinct * sizeof *t->cp_row);
    if (!t->rows || !t->cps || !t->cp_row) {
        free(all);
        lit_table_free(t);
        *oom = true;
        return NULL;
    }
    for (size_t c = 0; c < 128; c++)
        t->ascii_row[c] = -1;
    for (size_t r = 0; r < distinct; r++) {
        if (all[r] < 128) {
            t->ascii_row[all[r]] = (int32_t)r;
        } else {
            t->cps[t->ncps] = all[r];
            t->cp_row[t->ncps] = (int32_t)r;
            t->ncps++;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (e[i].kind != GLOB_LITERAL)
            continue;
        uint64_t *row = (uint64_t *)lit_row(t, e[i].cp);
        row[i / 64] |= 1ull << (i % 64);
    }
    free(all);
    return t;
}

/* R*R* = R*, and a restricted run next to an unrestricted one adds nothing
 * (its language is contained in the other's). Fewer adjacent runs means
 * less backtracking in PCRE2 and no closure chains in the element matcher. */
static size_t collapse_runs(glob_elem *e, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (e[i].kind == GLOB_ANY_RUN && out > 0 && e[out - 1].kind == GLOB_ANY_RUN) {
            e[out - 1].crosses_colon |= e[i].crosses_colon;
            continue;
        }
        e[out++] = e[i];
    }
    return out;
}

static bool is_alnum_ascii(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Every literal is written as \x{...} (ASCII letters and digits as
 * themselves), so no pattern character can act as regex syntax [M-W5]. */
static pcre2_code *pcre_translate(const glob_elem *e, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char *buf = malloc(n * 10 + 1);
    if (!buf)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        const char *w = NULL;
        switch (e[i].kind) {
        case GLOB_ANY_RUN:
            w = e[i].crosses_colon ? ".*" : "[^:]*";
            break;
        case GLOB_ANY_ONE:
            w = e[i].crosses_colon ? "." : "[^:]";
            break;
        default:
            if (is_alnum_ascii(e[i].cp)) {
                buf[o++] = (char)e[i].cp;
            } else {
                char digits[8];
                int nd = 0;
                uint32_t v = e[i].cp;
                do {
                    digits[nd++] = hex[v & 15];
                    v >>= 4;
                } while (v);
                buf[o++] = '\\';
                buf[o++] = 'x';
                buf[o++] = '{';
                while (nd > 0)
                    buf[o++] = digits[--nd];
                buf[o++] = '}';
            }
            break;
        }
        if (w) {
            size_t wl = strlen(w);
            memcpy(buf + o, w, wl);
            o += wl;
        }
    }
    int err;
    PCRE2_SIZE erroff;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)buf, o,
                                     PCRE2_UTF | PCRE2_DOTALL | PCRE2_ANCHORED |
                                         PCRE2_ENDANCHORED | PCRE2_NO_AUTO_CAPTURE,
                                     &err, &erroff, NULL);
    free(buf);
    return code;
}

/* Room fields_build needs in g->segs: one segment per star plus one per
 * field. */
static size_t fields_room(const char *text, size_t len, unsigned nfields)
{
    size_t n = nfields;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '*';
    return n;
}

static void fields_build(iam_glob *g, const char *text, size_t len, unsigned nfields,
                         bool last_colon_free)
{
    size_t nseg = 0, start = 0;
    for (unsigned f = 0; f < nfields; f++) {
        size_t end = len;
        if (f + 1 < nfields) {
            const char *colon = memchr(text + start, ':', len - start);
            end = (size_t)(colon - text); /* text_fields_plan counted these colons */
        }
        glob_field *field = &g->fields[f];
        field->first = (uint32_t)nseg;
        field->star = memchr(text + start, '*', end - start) != NULL;
        size_t seg = start;
        for (size_t i = start; i <= end; i++) {
            if (i < end && text[i] != '*')
                continue;
            /* Empty middle segments (from "**") say nothing; the first and
             * last are kept even when empty, as the field's anchors. */
            bool edge = seg == start || i == end;
            if (i > seg || edge)
                g->segs[nseg++] = (glob_segment){ (uint32_t)seg, (uint32_t)(i - seg) };
            seg = i + 1;
        }
        field->count = (uint32_t)nseg - field->first;
        start = end + 1;
    }
    g->field_count = (uint8_t)nfields;
    g->last_field_colon_free = last_colon_free;
}

void glob_free(iam_glob *g)
{
    if (!g)
        return;
    pcre2_code_free(g->code);
    free(g->segs);
    lit_table_free(g->lits);
    free(g->prog);
    free(g->masks);
    free(g->elems);
    free(g->text);
    free(g);
}

/* How many fields a PATH_FIELDS pattern splits into, read from its text
 * (which stars may cross colons follows glob_parse's rules, a run of stars
 * counting as one): 1 when every wildcard is a '*' that may cross colons,
 * the colons of the first five fields plus one when none of those fields
 * holds a star that may (then *last_colon_free says whether the pattern
 * ends before a sixth field), and 0 when the pattern needs a regex: a '?',
 * or crossing and non-crossing stars mixed in the first five fields. */
static unsigned text_fields_plan(const char *t, size_t len, glob_mode mode, bool *last_colon_free)
{
    bool all_cross = true, head_crosses = false;
    unsigned colons = 0;
    *last_colon_free = false;
    for (size_t i = 0; i < len; i++) {
        if (t[i] == '?')
            return 0;
        if (t[i] == ':') {
            colons += colons < 5;
            continue;
        }
        if (t[i] != '*')
            continue;
        bool cross = false;
        size_t end = i;
        for (; end < len && t[end] == '*'; end++)
            cross |= mode == GLOB_PLAIN || colons >= 5 ||
                     (mode == GLOB_RESOURCE && end + 1 < len && t[end + 1] == ':');
        i = end - 1;
        all_cross &= cross;
        if (colons < 5)
            head_crosses |= cross;
    }
    if (all_cross)
        return 1;
    if (head_crosses)
        return 0;
    *last_colon_free = colons < 5;
    return colons + 1;
}

iam_glob *glob_compile(const char *pattern, size_t len, glob_mode mode)
{
    if (len == 0)
        pattern = "";
    iam_glob *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->text = malloc(len ? len : 1);
    if (!g->text)
        goto fail;
    memcpy(g->text, pattern, len);
    g->text_len = len;
    g->mode = (uint8_t)mode;
    if (memchr(pattern, '*', len) == NULL && memchr(pattern, '?', len) == NULL) {
        /* Most patterns (action names above all) have no wildcard: byte
         * comparison, without parsing elements at all. */
        g->exact = true;
        g->path = PATH_EXACT;
        return g;
    }
    bool invalid = !utf8_valid((const unsigned char *)pattern, len);
    if (!invalid) {
        /* A star-only pattern is planned from its text, without elements. */
        bool last_colon_free;
        unsigned fields = text_fields_plan(pattern, len, mode, &last_colon_free);
        size_t trailing = 0;
        while (trailing < len && pattern[len - 1 - trailing] == '*')
            trailing++;
        /* One field without the colon-free rule: every star may cross
         * colons, so stars that only end the text make a prefix. Valid
         * UTF-8 is self-synchronising: a subject starting with these bytes
         * starts with these code points (an invalid byte ending the prefix
         * could instead begin a longer sequence in the subject). */
        if (fields == 1 && !last_colon_free && trailing > 0 && memchr(pattern, '*', len) == pattern + len - trailing) {
            g->path = PATH_PREFIX;
            g->prefix_len = len - trailing;
            return g;
        }
        if (fields > 0) {
            g->segs = malloc(fields_room(pattern, len, fields) * sizeof *g->segs);
            if (g->segs == NULL)
                goto fail;
            fields_build(g, pattern, len, fields, last_colon_free);
            g->path = PATH_FIELDS;
            return g;
        }
    }
    g->elems = malloc((len ? len : 1) * sizeof *g->elems);
    if (!g->elems)
        goto fail;

    size_t n = glob_parse(pattern, len, mode, g->elems, len);
    n = collapse_runs(g->elems, n);
    if (n > GLOB_MAX_ELEMS)
        goto fail; /* the fallback could not run; iam_limits keeps us far below */
    g->n = n;

    /* Left for elements: a '?', crossing and non-crossing stars in the first
     * five fields, or invalid UTF-8 (which only the element matcher takes). */
    bool oom;
    g->lits = lit_table_build(g->elems, n, &oom);
    g->masks = malloc(NFA_MASKS * ((n + 64) / 64) * sizeof *g->masks);
    g->prog = malloc(sizeof *g->prog);
    if (oom || !g->masks || !g->prog)
        goto fail;
    nfa_prog_init(g->prog, g->elems, n, g->lits, g->masks);
    if (invalid) {
        /* PCRE2 in UTF mode cannot express a literal invalid byte. */
        g->path = PATH_ELEMS;
        return g;
    }
    g->code = pcre_translate(g->elems, n);
    if (!g->code)
        goto fail;
    g->path = PATH_PCRE;
    /* JIT code reads subjects in wide chunks that valgrind reports as
     * uninitialised reads; `make memcheck` turns it off with IAMEVAL_NO_JIT
     * (the JIT path itself is covered under ASan by `make test`). */
    g->jit = getenv("IAMEVAL_NO_JIT") == NULL && pcre2_jit_compile(g->code, PCRE2_JIT_COMPLETE) == 0;
    return g;
fail:
    glob_free(g);
    return NULL;
}

bool glob_is_exact(const iam_glob *g)
{
    return g->exact;
}

/* ---- Scratch ---------------------------------------------------------------- */

void glob_scratch_free(glob_scratch *s)
{
    if (!s)
        return;
    pcre2_jit_stack_free(s->js);
    pcre2_match_context_free(s->mc);
    pcre2_match_data_free(s->md);
    free(s);
}

glob_scratch *glob_scratch_create(void)
{
    glob_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->md = pcre2_match_data_create(1, NULL);
    s->mc = pcre2_match_context_create(NULL);
    if (!s->md || !s->mc)
        goto fail;
    pcre2_set_match_limit(s->mc, MATCH_LIMIT);
    pcre2_set_depth_limit(s->mc, DEPTH_LIMIT);
    pcre2_set_heap_limit(s->mc, HEAP_LIMIT_KIB);

    uint32_t have_jit = 0;
    pcre2_config(PCRE2_CONFIG_JIT, &have_jit);
    if (have_jit) {
        s->js = pcre2_jit_stack_create(JIT_STACK_START, JIT_STACK_MAX, NULL);
        if (!s->js)
            goto fail;
        pcre2_jit_stack_assign(s->mc, NULL, s->js);
    }

    /* The warm-up match that allocates the interpreter's frame vector. */
    int err;
    PCRE2_SIZE erroff;
    pcre2_code *warm = pcre2_compile((PCRE2_SPTR) "x", 1, PCRE2_UTF, &err, &erroff, NULL);
    if (!warm)
        goto fail;
    int rc = pcre2_match(warm, (PCRE2_SPTR) "x", 1, 0, 0, s->md, s->mc);
    pcre2_code_free(warm);
    if (rc < 0)
        goto fail;
    return s;
fail:
    glob_scratch_free(s);
    return NULL;
}

/* ---- Matching ---------------------------------------------------------------- */

static bool match_elems(const iam_glob *g, const char *subject, size_t len)
{
    if (!g->prog) {
        /* Fast-path patterns keep no elements (a set holds tens of
         * thousands of them); only the forced path 3 of tests comes here,
         * and rebuilds them. */
        glob_elem *e = malloc((g->text_len ? g->text_len : 1) * sizeof *e);
        if (e == NULL)
            return false;
        size_t n = collapse_runs(e, glob_parse(g->text, g->text_len, (glob_mode)g->mode, e, g->text_len));
        bool r = glob_match_elems(e, n, subject, len);
        free(e);
        return r;
    }
    return nfa_run(g->prog, (const unsigned char *)subject, len);
}

static bool match_fast(const iam_glob *g, const char *subject, size_t len)
{
    if (g->path == PATH_EXACT)
        return len == g->text_len && memcmp(subject, g->text, len) == 0;
    return len >= g->prefix_len && memcmp(subject, g->text, g->prefix_len) == 0;
}

static const char *find_bytes(const char *hay, size_t hay_len, const char *needle, size_t n)
{
    if (n == 0)
        return hay;
    while (hay_len >= n) {
        const char *c = memchr(hay, needle[0], hay_len - n + 1);
        if (c == NULL)
            return NULL;
        if (memcmp(c + 1, needle + 1, n - 1) == 0)
            return c;
        hay_len -= (size_t)(c + 1 - hay);
        hay = c + 1;
    }
    return NULL;
}

static bool match_field(const iam_glob *g, const glob_field *f, const char *s, size_t len)
{
    const glob_segment *seg = g->segs + f->first;
    if (!f->star)
        return len == seg->len && memcmp(s, g->text + seg->off, len) == 0;
    const glob_segment *head = seg, *tail = seg + f->count - 1;
    if (len < head->len + tail->len || memcmp(s, g->text + head->off, head->len) != 0 ||
        memcmp(s + len - tail->len, g->text + tail->off, tail->len) != 0)
        return false;
    size_t at = head->len, end = len - tail->len;
    for (const glob_segment *m = head + 1; m < tail; m++) {
        const char *hit = find_bytes(s + at, end - at, g->text + m->off, m->len);
        if (hit == NULL)
            return false;
        at = (size_t)(hit - s) + m->len;
    }
    return true;
}

static bool match_fields(const iam_glob *g, const char *subject, size_t len)
{
    size_t start = 0;
    for (unsigned f = 0; f < g->field_count; f++) {
        size_t end = len;
        if (f + 1 < g->field_count) {
            const char *colon = memchr(subject + start, ':', len - start);
            if (colon == NULL)
                return false;
            end = (size_t)(colon - subject);
        } else if (g->last_field_colon_free && memchr(subject + start, ':', len - start)) {
            return false;
        }
        if (!match_field(g, &g->fields[f], subject + start, end - start))
            return false;
        start = end + 1;
    }
    return true;
}

#define PIECES_MAX_SEGMENTS 64

int glob_match_pieces_fast(const glob_piece *pieces, size_t n, glob_mode mode,
                           const char *subject, size_t len, char *buf, size_t cap)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const glob_piece *p = &pieces[i];
        if (p->len == 0)
            continue;   /* its pointer may be NULL */
        if (p->len > cap - total)
            return -1;
        if (p->literal && (memchr(p->ptr, '*', p->len) != NULL || memchr(p->ptr, '?', p->len) != NULL))
            return -1;   /* a literal star is no wildcard: only elements say so */
        memcpy(buf + total, p->ptr, p->len);
        total += p->len;
    }
    /* With no wildcard character among the substituted values, the joined
     * text parses as the pieces do (glob_parse_pieces reads them as one
     * stream); invalid UTF-8 is left to the element matcher. */
    if (!utf8_valid((const unsigned char *)buf, total))
        return -1;
    bool last_colon_free;
    unsigned fields = text_fields_plan(buf, total, mode, &last_colon_free);
    if (fields == 0)
        return -1;
    if (fields_room(buf, total, fields) > PIECES_MAX_SEGMENTS)
        return -1;
    glob_segment segs[PIECES_MAX_SEGMENTS];
    iam_glob g;
    memset(&g, 0, sizeof g);
    g.text = buf;
    g.text_len = total;
    g.segs = segs;
    fields_build(&g, buf, total, fields, last_colon_free);
    if (len == 0)
        subject = "";
    return match_fields(&g, subject, len) ? 1 : 0;
}

/* Only PCRE2_ERROR_NOMATCH means "no match"; every other failure (match,
 * heap or JIT-stack limit, invalid UTF-8 in the subject, no scratch) hands
 * the question to the element matcher. */
static bool match_pcre(const iam_glob *g, const char *subject, size_t len,
                       glob_scratch *s, bool use_jit)
{
    int rc;
    if (!s)
        return match_elems(g, subject, len);
    if (use_jit && g->jit) {
        if (!utf8_valid((const unsigned char *)subject, len))
            return match_elems(g, subject, len);
        rc = pcre2_jit_match(g->code, (PCRE2_SPTR)subject, len, 0, 0, s->md, s->mc);
    } else {
        rc = pcre2_match(g->code, (PCRE2_SPTR)subject, len, 0, g->jit ? PCRE2_NO_JIT : 0,
                         s->md, s->mc);
    }
    if (rc >= 0)
        return true;
    if (rc == PCRE2_ERROR_NOMATCH)
        return false;
    return match_elems(g, subject, len);
}

static bool match_auto(const iam_glob *g, const char *subject, size_t len, glob_scratch *s)
{
    switch (g->path) {
    case PATH_EXACT:
    case PATH_PREFIX:
        return match_fast(g, subject, len);
    case PATH_FIELDS:
        return match_fields(g, subject, len);
    case PATH_PCRE:
        return match_pcre(g, subject, len, s, true);
    default:
        return match_elems(g, subject, len);
    }
}

bool glob_match(const iam_glob *g, const char *subject, size_t len, glob_scratch *s)
{
    if (len == 0)
        subject = "";
    return match_auto(g, subject, len, s);
}

/* The regex a fast-path pattern would have had, built for one match so the
 * differential fuzz target can hold the fast paths against PCRE2 itself.
 * Allocates; never on an evaluation path. */
static bool match_pcre_rebuilt(const iam_glob *g, const char *subject, size_t len,
                               glob_scratch *s, bool use_jit)
{
    glob_elem *e = malloc((g->text_len ? g->text_len : 1) * sizeof *e);
    if (e == NULL)
        return match_auto(g, subject, len, s);
    size_t n = collapse_runs(e, glob_parse(g->text, g->text_len, (glob_mode)g->mode, e, g->text_len));
    iam_glob tmp = *g;
    tmp.path = PATH_PCRE;
    tmp.elems = e;
    tmp.n = n;
    tmp.prog = NULL;
    tmp.code = pcre_translate(e, n);
    tmp.jit = use_jit && tmp.code && pcre2_jit_compile(tmp.code, PCRE2_JIT_COMPLETE) == 0;
    bool r = tmp.code ? match_pcre(&tmp, subject, len, s, use_jit) : match_auto(g, subject, len, s);
    pcre2_code_free(tmp.code);
    free(e);
    return r;
}

/* Paths 1 and 2 on a fast-path pattern compile its regex for the occasion; on
 * one with invalid UTF-8 (which PCRE2 cannot express) they give the
 * automatic answer, as path 4 does for a pattern without a fast path. Path 1
 * without JIT support runs the interpreter. */
bool glob_match_path(const iam_glob *g, const char *subject, size_t len, glob_scratch *s, int path)
{
    if (len == 0)
        subject = "";
    switch (path) {
    case 1:
    case 2:
        if (g->path == PATH_PCRE)
            return match_pcre(g, subject, len, s, path == 1);
        if (g->path != PATH_ELEMS && s != NULL)
            return match_pcre_rebuilt(g, subject, len, s, path == 1);
        break;
    case 3:
        return match_elems(g, subject, len);
    default:
        break;
    }
    return match_auto(g, subject, len, s);
}
