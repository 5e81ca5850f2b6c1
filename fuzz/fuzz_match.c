/* Differential fuzz target for engine/match.h: every matching path (PCRE2
 * JIT, PCRE2 interpreter, element matcher, automatic/fast path), the element
 * parser and the field matcher on template pieces are held against a
 * reference written here, which decodes both strings to code points and runs
 * a memoised recursive glob.
 *
 * Input: byte 0 chooses the mode (byte % 3) and how the rest is split:
 *   bit 7 clear: rest = data[1..], pattern up to the first 0x00, subject after
 *                it (no 0x00: the whole rest is the pattern, subject empty);
 *   bit 7 set:   rest = data[2..], split at byte position data[1] % (len + 1).
 * Pattern and subject are capped at MAX_SIDE bytes each. A hash of the input
 * drives the split of the pattern into pieces for glob_parse_pieces. */
#include "match.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SIDE 128

/* ---- Reference ---------------------------------------------------------- */

/* One character per valid RFC 3629 sequence, else one per byte (0xDC00+b).
 * Also records where each character starts. */
static size_t ref_decode(const uint8_t *s, size_t len, uint32_t *cps, size_t *starts)
{
    size_t n = 0, i = 0;
    while (i < len) {
        unsigned b = s[i];
        size_t k = b < 0x80 ? 1 : b < 0xC0 ? 0 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : b < 0xF8 ? 4 : 0;
        uint32_t cp = b;
        bool ok = k == 1;
        if (k >= 2 && i + k <= len) {
            cp = b & (0xFFu >> (k + 1));
            ok = true;
            for (size_t j = 1; j < k; j++) {
                ok = ok && (s[i + j] & 0xC0) == 0x80;
                cp = (cp << 6) | (s[i + j] & 0x3Fu);
            }
            uint32_t min = k == 2 ? 0x80 : k == 3 ? 0x800 : 0x10000;
            ok = ok && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
        }
        if (!ok) {
            k = 1;
            cp = 0xDC00u + b;
        }
        if (starts)
            starts[n] = i;
        cps[n++] = cp;
        i += k;
    }
    return n;
}

typedef struct ref_pat {
    uint32_t cp[MAX_SIDE];
    uint8_t wild[MAX_SIDE];    /* 0 literal, '*' or '?' */
    uint8_t cross[MAX_SIDE];
    size_t n;
} ref_pat;

/* Wildcard flags by the rules of match.h, over the whole character string. */
static void ref_flags(ref_pat *p, glob_mode mode)
{
    unsigned colons = 0;
    for (size_t i = 0; i < p->n; i++) {
        p->cross[i] = 0;
        if (p->wild[i])
            p->cross[i] = mode == GLOB_PLAIN || colons >= 5 ||
                          (mode == GLOB_RESOURCE && p->wild[i] == '*' && i + 1 < p->n &&
                           p->cp[i + 1] == ':');
        colons += p->cp[i] == ':';
    }
}

typedef struct ref_ctx {
    const ref_pat *p;
    const uint32_t *s;
    size_t ns;
    uint8_t memo[MAX_SIDE + 1][MAX_SIDE + 1];
} ref_ctx;

static bool ref_rec(ref_ctx *c, size_t i, size_t j)
{
    if (c->memo[i][j])
        return c->memo[i][j] == 2;
    const ref_pat *p = c->p;
    bool r;
    if (i == p->n) {
        r = j == c->ns;
    } else if (p->wild[i]) {
        bool can = j < c->ns && (p->cross[i] || c->s[j] != ':');
        if (p->wild[i] == '*')
            r = ref_rec(c, i + 1, j) || (can && ref_rec(c, i, j + 1));
        else
            r = can && ref_rec(c, i + 1, j + 1);
    } else {
        r = j < c->ns && c->s[j] == p->cp[i] && ref_rec(c, i + 1, j + 1);
    }
    c->memo[i][j] = r ? 2 : 1;
    return r;
}

static bool ref_match(const ref_pat *p, const uint32_t *s, size_t ns)
{
    static ref_ctx c;
    memset(c.memo, 0, sizeof c.memo);
    c.p = p;
    c.s = s;
    c.ns = ns;
    return ref_rec(&c, 0, 0);
}

/* ---- Reporting ---------------------------------------------------------- */

static void hex(const char *label, const uint8_t *s, size_t n)
{
    fprintf(stderr, "%s (%zu bytes):", label, n);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, " %02x", s[i]);
    fprintf(stderr, "\n");
}

static const uint8_t *g_pat, *g_subj;
static size_t g_plen, g_slen;
static glob_mode g_mode;

static void fail(const char *what, int got, int want)
{
    fprintf(stderr, "fuzz_match: %s: got %d, want %d\nmode %d (%s)\n", what, got, want,
            (int)g_mode, g_mode == GLOB_PLAIN ? "PLAIN" : g_mode == GLOB_RESOURCE ? "RESOURCE" : "ARN");
    hex("pattern", g_pat, g_plen);
    hex("subject", g_subj, g_slen);
    abort();
}

/* ---- Checks ------------------------------------------------------------- */

static uint64_t rng_next(uint64_t *st)
{
    *st ^= *st << 13;
    *st ^= *st >> 7;
    *st ^= *st << 17;
    return *st;
}

static bool same_elems(const glob_elem *e, size_t n, const ref_pat *p)
{
    if (n != p->n)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t kind = p->wild[i] == '*' ? GLOB_ANY_RUN : p->wild[i] == '?' ? GLOB_ANY_ONE : GLOB_LITERAL;
        if (e[i].kind != kind || e[i].crosses_colon != p->cross[i])
            return false;
        if (kind == GLOB_LITERAL && e[i].cp != p->cp[i])
            return false;
    }
    return true;
}

/* Splits the pattern into pieces, some literal, and checks the parser and the
 * element matcher against the reference's view of the same pieces. */
static void check_pieces(const uint8_t *pat, size_t plen, const char *subject, size_t slen,
                         const uint32_t *subj, size_t ns, uint64_t seed)
{
    glob_piece pieces[6];
    size_t cuts[7];
    size_t np = 1 + (size_t)(rng_next(&seed) % 6);
    cuts[0] = 0;
    for (size_t i = 1; i < np; i++)
        cuts[i] = plen ? (size_t)(rng_next(&seed) % (plen + 1)) : 0;
    cuts[np] = plen;
    for (size_t i = 1; i < np; i++) /* insertion sort of the inner cuts */
        for (size_t j = i; j > 1 && cuts[j - 1] > cuts[j]; j--) {
            size_t t = cuts[j];
            cuts[j] = cuts[j - 1];
            cuts[j - 1] = t;
        }
    uint64_t lit_bits = rng_next(&seed);
    bool any_literal = false;
    for (size_t i = 0; i < np; i++) {
        pieces[i].ptr = (const char *)pat + cuts[i];
        pieces[i].len = cuts[i + 1] - cuts[i];
        pieces[i].literal = (lit_bits >> i) & 1;
        any_literal |= pieces[i].literal;
    }

    ref_pat p;
    size_t starts[MAX_SIDE];
    p.n = ref_decode(pat, plen, p.cp, starts);
    for (size_t i = 0; i < p.n; i++) {
        size_t k = 0;
        while (k + 1 < np && cuts[k + 1] <= starts[i])
            k++;
        bool wildchar = p.cp[i] == '*' || p.cp[i] == '?';
        p.wild[i] = wildchar && !pieces[k].literal ? (uint8_t)p.cp[i] : 0;
    }
    ref_flags(&p, g_mode);

    glob_elem e[MAX_SIDE];
    size_t n = glob_parse_pieces(pieces, np, g_mode, e, MAX_SIDE);
    if (!same_elems(e, n, &p))
        fail("glob_parse_pieces elements differ from the reference", (int)n, (int)p.n);
    if (n > 0 && glob_parse_pieces(pieces, np, g_mode, e, n - 1) != (size_t)-1)
        fail("glob_parse_pieces ignored its cap", 0, -1);
    /* The field matcher on the joined pieces, when it takes them. */
    char joined[MAX_SIDE];
    int fast = glob_match_pieces_fast(pieces, np, g_mode, subject, slen, joined, sizeof joined);
    if (fast >= 0 && fast != (int)ref_match(&p, subj, ns))
        fail("glob_match_pieces_fast", fast, ref_match(&p, subj, ns));
    if (any_literal) {
        bool want = ref_match(&p, subj, ns);
        bool got = glob_match_elems(e, n, subject, slen);
        if (got != want)
            fail("glob_match_elems with literal pieces", got, want);
    } else {
        glob_elem whole[MAX_SIDE];
        size_t nw = glob_parse((const char *)pat, plen, g_mode, whole, MAX_SIDE);
        bool same = nw == n;
        /* Field by field: the struct has padding. */
        for (size_t i = 0; same && i < n; i++)
            same = whole[i].kind == e[i].kind && whole[i].crosses_colon == e[i].crosses_colon &&
                   whole[i].cp == e[i].cp;
        if (!same)
            fail("glob_parse and glob_parse_pieces differ", (int)n, (int)nw);
    }
}

/* The same question for glob_match_elems, rearranged so its answer cannot
 * change: m literal 'Q's in front of both sides (moving every position across
 * word boundaries of the position set) and each ANY_RUN repeated r times
 * (chains of runs, which compiled globs never contain). */
static void check_shifted(const glob_elem *e, size_t n, const char *subject, size_t slen,
                          bool want, uint64_t seed)
{
    static glob_elem e2[64 + 4 * MAX_SIDE];
    static char s2[64 + MAX_SIDE];
    size_t m = (size_t)(seed % 64), r = 1 + (size_t)((seed >> 8) % 4), n2 = 0;
    for (size_t i = 0; i < m; i++) {
        e2[n2++] = (glob_elem){ GLOB_LITERAL, 0, 'Q' };
        s2[i] = 'Q';
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < (e[i].kind == GLOB_ANY_RUN ? r : 1); k++)
            e2[n2++] = e[i];
    memcpy(s2 + m, subject, slen);
    bool got = glob_match_elems(e2, n2, s2, m + slen);
    if (got != want)
        fail("glob_match_elems, shifted and with repeated runs", got, want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static glob_scratch *scratch;
    if (!scratch) {
        scratch = glob_scratch_create();
        if (!scratch)
            abort();
    }
    if (size < 1)
        return 0;

    glob_mode mode = (glob_mode)(data[0] % 3);
    const uint8_t *pat, *subj;
    size_t plen, slen;
    if (data[0] & 0x80) {
        if (size < 2)
            return 0;
        const uint8_t *rest = data + 2;
        size_t rlen = size - 2;
        size_t cut = data[1] % (rlen + 1);
        pat = rest;
        plen = cut;
        subj = rest + cut;
        slen = rlen - cut;
    } else {
        const uint8_t *rest = data + 1;
        size_t rlen = size - 1;
        const uint8_t *nul = rlen ? memchr(rest, 0, rlen) : NULL;
        pat = rest;
        plen = nul ? (size_t)(nul - rest) : rlen;
        subj = nul ? nul + 1 : rest + rlen;
        slen = nul ? rlen - plen - 1 : 0;
    }
    if (plen > MAX_SIDE)
        plen = MAX_SIDE;
    if (slen > MAX_SIDE)
        slen = MAX_SIDE;
    g_pat = pat;
    g_plen = plen;
    g_subj = subj;
    g_slen = slen;
    g_mode = mode;

    /* Private copies, so that reading past either end is caught. */
    char *pcopy = malloc(plen ? plen : 1), *scopy = malloc(slen ? slen : 1);
    if (!pcopy || !scopy)
        abort();
    memcpy(pcopy, pat, plen);
    memcpy(scopy, subj, slen);

    ref_pat p;
    uint32_t s[MAX_SIDE];
    p.n = ref_decode(pat, plen, p.cp, NULL);
    for (size_t i = 0; i < p.n; i++)
        p.wild[i] = p.cp[i] == '*' || p.cp[i] == '?' ? (uint8_t)p.cp[i] : 0;
    ref_flags(&p, mode);
    size_t ns = ref_decode(subj, slen, s, NULL);
    bool want = ref_match(&p, s, ns);

    glob_elem e[MAX_SIDE];
    size_t n = glob_parse(pcopy, plen, mode, e, MAX_SIDE);
    if (!same_elems(e, n, &p))
        fail("glob_parse elements differ from the reference", (int)n, (int)p.n);
    bool got = glob_match_elems(e, n, scopy, slen);
    if (got != want)
        fail("glob_match_elems", got, want);

    uint64_t seed = 1469598103934665603ull;
    for (size_t i = 0; i < size; i++)
        seed = (seed ^ data[i]) * 1099511628211ull;
    if (!seed)
        seed = 1;
    check_shifted(e, n, scopy, slen, want, seed);

    iam_glob *g = glob_compile(pcopy, plen, mode);
    if (!g)
        fail("glob_compile returned NULL", 0, 1);
    if (glob_is_exact(g) != (memchr(pat, '*', plen) == NULL && memchr(pat, '?', plen) == NULL))
        fail("glob_is_exact", glob_is_exact(g), !glob_is_exact(g));
    static const char *const names[] = { "automatic", "PCRE2 JIT", "PCRE2 interpreter",
                                         "element matcher", "fast path" };
    for (int path = 0; path <= 4; path++) {
        got = glob_match_path(g, scopy, slen, scratch, path);
        if (got != want)
            fail(names[path], got, want);
    }
    got = glob_match(g, scopy, slen, scratch);
    if (got != want)
        fail("glob_match", got, want);
    glob_free(g);

    check_pieces((const uint8_t *)pcopy, plen, scopy, slen, s, ns, seed);

    free(pcopy);
    free(scopy);
    return 0;
}
