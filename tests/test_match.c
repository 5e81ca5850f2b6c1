/* Wildcard matching (engine/match.h): the examples of spec 2.1 [M-W], 2.4
 * [M-R4] and 3.5.7 [C-O20], each checked on every matching path and against
 * a small reference matcher written here. */
#include "check.h"
#include "match.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static glob_scratch *scratch;

/* ---- Reference: decode to code points, then a memoised recursive glob ---- */

static size_t ref_decode(const char *str, size_t len, uint32_t *out)
{
    const unsigned char *s = (const unsigned char *)str;
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
        if (ok) {
            out[n++] = cp;
            i += k;
        } else {
            out[n++] = 0xDC00u + b;
            i++;
        }
    }
    return n;
}

typedef struct ref_ctx {
    const uint32_t *p, *s;
    const bool *cross;
    size_t np, ns;
    unsigned char *memo; /* 0 unknown, 1 no, 2 yes */
} ref_ctx;

static bool ref_rec(ref_ctx *c, size_t i, size_t j)
{
    unsigned char *m = &c->memo[i * (c->ns + 1) + j];
    if (*m)
        return *m == 2;
    bool r;
    if (i == c->np) {
        r = j == c->ns;
    } else if (c->p[i] == '*' || c->p[i] == '?') {
        bool can = j < c->ns && (c->cross[i] || c->s[j] != ':');
        if (c->p[i] == '*')
            r = ref_rec(c, i + 1, j) || (can && ref_rec(c, i, j + 1));
        else
            r = can && ref_rec(c, i + 1, j + 1);
    } else {
        r = j < c->ns && c->s[j] == c->p[i] && ref_rec(c, i + 1, j + 1);
    }
    *m = r ? 2 : 1;
    return r;
}

static bool ref_match(glob_mode mode, const char *pat, size_t plen, const char *subj, size_t slen)
{
    uint32_t *p = malloc((plen + 1) * sizeof *p), *s = malloc((slen + 1) * sizeof *s);
    bool *cross = malloc(plen + 1);
    ref_ctx c = { p, s, cross, ref_decode(pat, plen, p), ref_decode(subj, slen, s), NULL };
    c.memo = calloc((c.np + 1) * (c.ns + 1), 1);
    unsigned colons = 0;
    for (size_t i = 0; i < c.np; i++) {
        cross[i] = mode == GLOB_PLAIN || colons >= 5 ||
                   (mode == GLOB_RESOURCE && p[i] == '*' && i + 1 < c.np && p[i + 1] == ':');
        colons += p[i] == ':';
    }
    bool r = ref_rec(&c, 0, 0);
    free(c.memo);
    free(cross);
    free(s);
    free(p);
    return r;
}

/* ---- Every path ----------------------------------------------------------- */

static const char *mode_name(glob_mode m)
{
    return m == GLOB_PLAIN ? "PLAIN" : m == GLOB_RESOURCE ? "RESOURCE" : "ARN";
}

static void expect_n(glob_mode mode, const char *pat, size_t plen, const char *subj, size_t slen,
                     bool want)
{
    char name[512];
    snprintf(name, sizeof name, "%s \"%.*s\" vs \"%.*s\" want %s", mode_name(mode),
             (int)(plen > 100 ? 100 : plen), pat, (int)(slen > 100 ? 100 : slen), subj,
             want ? "match" : "no match");

    CHECK_NAMED(name, ref_match(mode, pat, plen, subj, slen) == want);

    iam_glob *g = glob_compile(pat, plen, mode);
    CHECK_NAMED(name, g != NULL);
    if (!g)
        return;
    CHECK_NAMED(name, glob_match(g, subj, slen, scratch) == want);
    for (int path = 0; path <= 4; path++) {
        char pname[600];
        snprintf(pname, sizeof pname, "%s (path %d)", name, path);
        CHECK_NAMED(pname, glob_match_path(g, subj, slen, scratch, path) == want);
    }
    /* Without a scratch the PCRE2 paths must still answer correctly. */
    CHECK_NAMED(name, glob_match_path(g, subj, slen, NULL, 1) == want);
    glob_free(g);

    glob_elem *e = malloc((plen + 1) * sizeof *e);
    size_t n = glob_parse(pat, plen, mode, e, plen);
    CHECK_NAMED(name, n != (size_t)-1 && glob_match_elems(e, n, subj, slen) == want);
    free(e);
}

static void expect(glob_mode mode, const char *pat, const char *subj, bool want)
{
    expect_n(mode, pat, strlen(pat), subj, strlen(subj), want);
}

static void expect_all_modes(const char *pat, const char *subj, bool want)
{
    expect(GLOB_PLAIN, pat, subj, want);
    expect(GLOB_RESOURCE, pat, subj, want);
    expect(GLOB_ARN, pat, subj, want);
}

/* ---- Spec examples ---------------------------------------------------------- */

static void test_example_a1(void)
{
    /* Callers fold both sides for actions [M-A2]; here the folded forms. */
    expect(GLOB_PLAIN, "s3:*", "s3:getobject", true);
    expect(GLOB_PLAIN, "iam:*AccessKey*", "iam:ListAccessKeys", true);
    expect(GLOB_PLAIN, "s3:Get?bject", "s3:GetObject", true);
    expect(GLOB_PLAIN, "s3:Get?bject", "s3:GetObjectAcl", false);
    expect(GLOB_PLAIN, "*", "kms:Decrypt", true);
    /* The name part alone, as the action matcher uses it. */
    expect(GLOB_PLAIN, "*AccessKey*", "ListAccessKeys", true);
    expect(GLOB_PLAIN, "*AccessKey*", "ListAccessKey", true);
    expect(GLOB_PLAIN, "*AccessKey*", "ListAccesskeys", false);
    expect(GLOB_PLAIN, "Get?bject", "GetObject", true);
    expect(GLOB_PLAIN, "Get?bject", "Getbject", false);
    /* Matching itself is case-sensitive [M-W3]: folding is the caller's job. */
    expect(GLOB_PLAIN, "s3:Get?bject", "s3:getobject", false);
}

static void test_example_r1(void)
{
    const char *p = "arn:aws:s3:::photos/*/raw/*";
    expect(GLOB_RESOURCE, p, "arn:aws:s3:::photos/2024/raw/a.jpg", true);
    expect(GLOB_RESOURCE, p, "arn:aws:s3:::photos/2024/06/raw/a.jpg", true);
    expect(GLOB_RESOURCE, p, "arn:aws:s3:::photos/x//raw//a.jpg", true);
    expect(GLOB_RESOURCE, p, "arn:aws:s3:::photos//raw/a.jpg", true);
    expect(GLOB_RESOURCE, p, "arn:aws:s3:::photos/2024/raw/", true);
    expect(GLOB_RESOURCE, p, "arn:aws:s3:::photos/raw/a.jpg", false);
    expect(GLOB_RESOURCE, p, "arn:aws:s3:::photos/2024-raw/a.jpg", false);
    expect(GLOB_RESOURCE, p, "arn:aws:s3:::Photos/2024/raw/a.jpg", false);
}

static void test_example_r3(void)
{
    const char *p = "arn:aws:svc:*:111122223333:finance/*";
    const char *r = "arn:aws:svc:us-east-2:999999999999:store/abc:111122223333:finance/doc.txt";
    expect(GLOB_RESOURCE, p, r, true);
    expect(GLOB_PLAIN, p, r, true);
    expect(GLOB_ARN, p, r, false);
    /* The ordinary case matches in every mode. */
    expect_all_modes(p, "arn:aws:svc:us-east-2:111122223333:finance/doc.txt", true);
    expect_all_modes(p, "arn:aws:svc:us-east-2:111122223333:finance/a:b/c", true);
}

static void test_resource_fields(void)
{
    /* [M-R4]: a '*' in the first five fields that is not last in its field,
     * and every '?' there, stops at ':'. */
    expect(GLOB_RESOURCE, "arn:aws:ec2:us-*1:123:instance/x", "arn:aws:ec2:us-east-1:123:instance/x", true);
    expect(GLOB_RESOURCE, "arn:aws:ec2:us-*1:123:instance/x", "arn:aws:ec2:us-a:b-1:123:instance/x", false);
    expect(GLOB_PLAIN, "arn:aws:ec2:us-*1:123:instance/x", "arn:aws:ec2:us-a:b-1:123:instance/x", true);
    expect(GLOB_RESOURCE, "arn:a?s:s3:::x", "arn:a:s:s3:::x", false);
    expect(GLOB_PLAIN, "arn:a?s:s3:::x", "arn:a:s:s3:::x", true);
    expect_all_modes("arn:a?s:s3:::x", "arn:aws:s3:::x", true);
    /* Partition and service fields follow the same rule [M-R2]. */
    expect(GLOB_RESOURCE, "arn:*:s3:::x", "arn:aws:cn:s3:::x", true);
    expect(GLOB_ARN, "arn:*:s3:::x", "arn:aws:cn:s3:::x", false);
    expect_all_modes("arn:*:kms:*:*:key/*", "arn:aws:kms:eu-west-1:111122223333:key/abc", true);
    expect(GLOB_RESOURCE, "arn:*:kms:*:*:key/*", "arn:aws:kms:eu-west-1:1111:2222:key/abc", true);
    expect(GLOB_ARN, "arn:*:kms:*:*:key/*", "arn:aws:kms:eu-west-1:1111:2222:key/abc", false);
    /* Sixth field: everything crosses colons, in every mode [C-O20]. */
    expect_all_modes("arn:aws:lambda:*:*:function:*", "arn:aws:lambda:us-east-1:1:function:f:1", true);
    expect_all_modes("arn:aws:s3:::b/?", "arn:aws:s3:::b/:", true);
    expect_all_modes("arn:aws:s3:::b*", "arn:aws:s3:::b/a:b", true);
    expect(GLOB_ARN, "arn:aws:s3:::b*", "arn:aws:s3::x:b/a:b", false);
    /* A '*' directly before the fifth ':' ends the account field. */
    expect(GLOB_RESOURCE, "arn:aws:iam::*:user/Bob", "arn:aws:iam::1:2:user/Bob", true);
    expect(GLOB_ARN, "arn:aws:iam::*:user/Bob", "arn:aws:iam::1:2:user/Bob", false);
    /* '**' before ':': only the second star ends the field; together they
     * still match anything. */
    expect(GLOB_RESOURCE, "arn:aws:iam::**:user/Bob", "arn:aws:iam::1:2:user/Bob", true);
    expect(GLOB_RESOURCE, "arn:aws:iam::*?:user/Bob", "arn:aws:iam::1:2:user/Bob", false);
    expect(GLOB_RESOURCE, "arn:aws:iam::*?:user/Bob", "arn:aws:iam::12:user/Bob", true);
    /* The pattern's field numbering decides, not the subject's. */
    expect(GLOB_RESOURCE, "arn:aws:*", "arn:aws:s3:::b", false);
    expect(GLOB_PLAIN, "arn:aws:*", "arn:aws:s3:::b", true);
}

static void test_characters(void)
{
    /* [M-W2]: '?' is one code point, whatever its UTF-8 length. */
    expect_all_modes("a?c", "a\xc3\xa9" "c", true);           /* 2 bytes */
    expect_all_modes("a?c", "a\xe2\x82\xac" "c", true);       /* 3 bytes */
    expect_all_modes("a?c", "a\xf0\x9f\x98\x80" "c", true);   /* 4 bytes */
    expect_all_modes("a??c", "a\xe2\x82\xac" "c", false);
    expect_all_modes("a???c", "a\xe2\x82\xac" "c", false);
    expect_all_modes("a?c", "a\xe2\x82\xac\xe2\x82\xac" "c", false);
    expect_all_modes("a??c", "a\xe2\x82\xac\xe2\x82\xac" "c", true);
    expect_all_modes("\xe2\x82\xac*\xf0\x9f\x98\x80", "\xe2\x82\xac" "x\xc3\xa9\xf0\x9f\x98\x80", true);
    expect_all_modes("*\xc3\xa9", "\xc3\xa8", false);
    /* Invalid UTF-8: each invalid byte is one character. */
    expect_all_modes("a?c", "a\xff" "c", true);
    expect_all_modes("a?c", "a\xe2\x82" "c", false);          /* truncated: two */
    expect_all_modes("a??c", "a\xe2\x82" "c", true);
    expect_all_modes("???", "\xed\xa0\x80", true);             /* surrogate */
    expect_all_modes("?", "\xed\xa0\x80", false);
    expect_all_modes("??", "\xc0\xaf", true);                  /* overlong */
    expect_all_modes("???", "\xff\x97\x9e", true);             /* not a lead byte */
    expect_all_modes("?", "\xff\x97\x9e", false);
    expect_all_modes("?????", "\xf8\x88\x80\x80\x80", true);    /* 5-byte form */
    expect_all_modes("????", "\xf4\x90\x80\x80", true);         /* above U+10FFFF */
    expect_all_modes("?", "\xf4\x8f\xbf\xbf", true);            /* U+10FFFF */
    expect_all_modes("\xff*", "\xff" "abc", true);
    expect_all_modes("\xff*", "\xfe" "abc", false);
    expect_all_modes("x\xff?y*", "x\xff\xe2\x82\xacy", true);
    /* An invalid prefix must not match a longer valid sequence. */
    expect_all_modes("\xe2\x82*", "\xe2\x82\xac", false);
    expect_all_modes("\xe2\x82*", "\xe2\x82x", true);
    expect_all_modes("*\xe2\x82", "x\xe2\x82", true);
    /* NUL is an ordinary character. */
    expect_n(GLOB_PLAIN, "a\0*b", 4, "a\0xb", 4, true);
    expect_n(GLOB_PLAIN, "a?b", 3, "a\0b", 3, true);
    expect_n(GLOB_PLAIN, "a\0?b", 4, "a\0b", 3, false);
}

static void test_metacharacters(void)
{
    /* [M-W1], [M-W5]: regular-expression syntax is literal text. */
    const char *meta = ".+[(\\$^|{";
    expect_all_modes(meta, meta, true);
    expect_all_modes(meta, "a+[(\\$^|{", false);
    expect_all_modes("x.y*", "x.yz", true);
    expect_all_modes("x.y*", "xzyz", false);
    expect_all_modes("a+*", "aaa", false);
    expect_all_modes("a+*", "a+bc", true);
    expect_all_modes("[ab]*", "a", false);
    expect_all_modes("[ab]*", "[ab]x", true);
    expect_all_modes("(a|b)*", "a", false);
    expect_all_modes("(a|b)*", "(a|b)", true);
    expect_all_modes("*(a|b)?", "x(a|b)c", true);
    expect_all_modes("\\d*", "5", false);
    expect_all_modes("\\d*", "\\d5", true);
    expect_all_modes("$*^", "$x^", true);
    expect_all_modes("^*$", "x", false);
    expect_all_modes("a{2}?", "aa", false);
    expect_all_modes("a{2}?", "a{2}x", true);
    expect_all_modes("\\Q*\\E?", "\\Qab\\Ec", true);
    expect_all_modes("\\Q*\\E?", "abc", false);
    expect_all_modes(")*]}-#", ")x]}-#", true);
    expect_all_modes(")*]}-#", ")x]}-", false);
    expect_all_modes("*)]}-#", "x)]}-#", true);
    expect_all_modes("a b\n*\t", "a b\nxy\t", true);
    expect_all_modes("a b\n*\t", "ab\nxy\t", false);
    expect_all_modes("*.*", "abc", false);
    expect_all_modes("*.*", "a.c", true);
    expect_all_modes("?+", "aa", false);
    expect_all_modes("?+", "a+", true);
}

static void test_empty_and_stars(void)
{
    expect_all_modes("", "", true);
    expect_all_modes("", "a", false);
    expect_all_modes("a", "", false);
    expect_all_modes("*", "", true);
    expect_all_modes("**", "", true);
    expect_all_modes("?", "", false);
    expect_all_modes("*?", "", false);
    expect_all_modes("*?*", "x", true);
    expect_all_modes("a*", "a", true);
    expect_all_modes("*a", "a", true);
    expect_all_modes("a*b", "ab", true);
    expect_all_modes("a*b", "a", false);
    /* Backtracking: a '*' has to give characters back. */
    expect_all_modes("a*b*c", "abc", true);
    expect_all_modes("a*b*c", "aXbYc", true);
    expect_all_modes("a*b*c", "abbbbc", true);
    expect_all_modes("a*b*c", "aaaabbbbcccc", true);
    expect_all_modes("a*b*c", "aaaabbbbccccd", false);
    expect_all_modes("a*b*c", "acb", false);
    expect_all_modes("a*b*c", "ab", false);
    expect_all_modes("*a*b*c*", "xxaxxbxxcxx", true);
    expect_all_modes("*a*b*c*", "xxcxxbxxaxx", false);
    expect_all_modes("*ab*ab", "abab", true);
    expect_all_modes("*ab*ab", "ababa", false);
    expect_all_modes("*aab", "aaab", true);
    expect_all_modes("a*a*a", "aa", false);
    expect_all_modes("a*a*a", "aaa", true);
    expect_all_modes("*?*?*", "a", false);
    expect_all_modes("*?*?*", "ab", true);
    /* Exact and prefix patterns (the fast path). */
    expect_all_modes("arn:aws:s3:::bucket", "arn:aws:s3:::bucket", true);
    expect_all_modes("arn:aws:s3:::bucket", "arn:aws:s3:::bucket2", false);
    expect_all_modes("arn:aws:s3:::bucket", "arn:aws:s3:::bucke", false);
    expect_all_modes("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/", true);
    expect_all_modes("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c", true);
    expect_all_modes("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false);
    expect_all_modes("arn:aws:s3:::bucket/**", "arn:aws:s3:::bucket/x", true);
    expect(GLOB_PLAIN, "abc*", "abc:d", true);
    expect(GLOB_RESOURCE, "abc*", "abc:d", false); /* restricted: no fast path */
    expect(GLOB_RESOURCE, "abc*", "abcd", true);
}

/* ---- Element parsing ------------------------------------------------------------ */

static bool elems_equal(const glob_elem *a, size_t na, const glob_elem *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (a[i].kind != b[i].kind || a[i].crosses_colon != b[i].crosses_colon || a[i].cp != b[i].cp)
            return false;
    return true;
}

static void test_parse(void)
{
    glob_elem e[64];
    size_t n = glob_parse("a*?\xe2\x82\xac\xff", 7, GLOB_PLAIN, e, 64);
    CHECK_INT(n, 5);
    CHECK(e[0].kind == GLOB_LITERAL && e[0].cp == 'a');
    CHECK(e[1].kind == GLOB_ANY_RUN && e[1].crosses_colon == 1);
    CHECK(e[2].kind == GLOB_ANY_ONE && e[2].crosses_colon == 1);
    CHECK(e[3].kind == GLOB_LITERAL && e[3].cp == 0x20AC);
    CHECK(e[4].kind == GLOB_LITERAL && e[4].cp == 0xDCFF);
    CHECK_INT(glob_parse("a*?", 3, GLOB_PLAIN, e, 2), (size_t)-1);
    CHECK_INT(glob_parse("a*?", 3, GLOB_PLAIN, e, 3), 3);
    CHECK_INT(glob_parse("", 0, GLOB_PLAIN, e, 0), 0);

    /* Field rules per mode: x*:?*:*:*:*:?* */
    const char *p = "*x:?*:*:*:*?:*?";
    n = glob_parse(p, strlen(p), GLOB_RESOURCE, e, 64);
    CHECK_INT(n, 15);
    /* positions: 0 '*', 1 x, 2 :, 3 '?', 4 '*', 5 :, 6 '*', 7 :, 8 '*', 9 :,
     * 10 '*', 11 '?', 12 :, 13 '*', 14 '?' */
    CHECK(e[0].crosses_colon == 0);
    CHECK(e[3].crosses_colon == 0);
    CHECK(e[4].crosses_colon == 1);
    CHECK(e[6].crosses_colon == 1);
    CHECK(e[8].crosses_colon == 1);
    CHECK(e[10].crosses_colon == 0);
    CHECK(e[11].crosses_colon == 0);
    CHECK(e[13].crosses_colon == 1 && e[14].crosses_colon == 1);
    n = glob_parse(p, strlen(p), GLOB_ARN, e, 64);
    CHECK(e[0].crosses_colon == 0 && e[4].crosses_colon == 0 && e[6].crosses_colon == 0 &&
          e[8].crosses_colon == 0 && e[10].crosses_colon == 0 && e[11].crosses_colon == 0);
    CHECK(e[13].crosses_colon == 1 && e[14].crosses_colon == 1);
    n = glob_parse(p, strlen(p), GLOB_PLAIN, e, 64);
    for (size_t i = 0; i < n; i++)
        if (e[i].kind != GLOB_LITERAL)
            CHECK(e[i].crosses_colon == 1);
}

static void test_pieces(void)
{
    glob_elem a[64], b[64];

    /* One pattern piece is glob_parse. */
    const char *p = "arn:aws:s3:*:*:b/*?";
    for (int mode = GLOB_PLAIN; mode <= GLOB_ARN; mode++) {
        glob_piece one = { p, strlen(p), false };
        size_t na = glob_parse(p, strlen(p), (glob_mode)mode, a, 64);
        size_t nb = glob_parse_pieces(&one, 1, (glob_mode)mode, b, 64);
        CHECK(elems_equal(a, na, b, nb));
        /* Split at every byte: the same elements. */
        for (size_t cut = 0; cut <= strlen(p); cut++) {
            glob_piece two[3] = { { p, cut, false }, { "", 0, false }, { p + cut, strlen(p) - cut, false } };
            nb = glob_parse_pieces(two, 3, (glob_mode)mode, b, 64);
            CHECK(elems_equal(a, na, b, nb));
        }
    }
    /* A UTF-8 sequence split between pieces is still one character. */
    {
        glob_piece two[2] = { { "x\xe2\x82", 3, false }, { "\xac*", 2, true } };
        size_t nb = glob_parse_pieces(two, 2, GLOB_PLAIN, b, 64);
        CHECK_INT(nb, 3);
        CHECK(b[1].kind == GLOB_LITERAL && b[1].cp == 0x20AC);
        CHECK(b[2].kind == GLOB_LITERAL && b[2].cp == '*');
    }

    /* A literal piece's '*' and '?' only match themselves [V-W5]. */
    glob_piece lit[3] = { { "x/", 2, false }, { "a*b?", 4, true }, { "/*", 2, false } };
    size_t n = glob_parse_pieces(lit, 3, GLOB_PLAIN, a, 64);
    CHECK_INT(n, 8);
    CHECK(a[3].kind == GLOB_LITERAL && a[3].cp == '*');
    CHECK(a[5].kind == GLOB_LITERAL && a[5].cp == '?');
    CHECK(a[7].kind == GLOB_ANY_RUN);
    CHECK(glob_match_elems(a, n, "x/a*b?/zzz", 10));
    CHECK(glob_match_elems(a, n, "x/a*b?/", 7));
    CHECK(!glob_match_elems(a, n, "x/aXb?/z", 8));
    CHECK(!glob_match_elems(a, n, "x/a*bY/z", 8));
    CHECK(!glob_match_elems(a, n, "x/ab/z", 6));

    /* Colons of literal pieces count for field numbering. */
    glob_piece f4[3] = { { "arn:aws:", 8, false }, { "s3:x:", 5, true }, { "*", 1, false } };
    n = glob_parse_pieces(f4, 3, GLOB_RESOURCE, a, 64);
    CHECK(a[n - 1].kind == GLOB_ANY_RUN && a[n - 1].crosses_colon == 0);
    CHECK(!glob_match_elems(a, n, "arn:aws:s3:x:a:b", 16));
    CHECK(glob_match_elems(a, n, "arn:aws:s3:x:ab", 15));
    glob_piece f5[3] = { { "arn:aws:", 8, false }, { "s3:x::", 6, true }, { "*", 1, false } };
    n = glob_parse_pieces(f5, 3, GLOB_RESOURCE, a, 64);
    CHECK(a[n - 1].kind == GLOB_ANY_RUN && a[n - 1].crosses_colon == 1);
    CHECK(glob_match_elems(a, n, "arn:aws:s3:x::a:b", 17));

    /* A '*' ending a pattern piece before a piece that starts with ':'. */
    glob_piece end[3] = { { "arn:aws:s3:*", 12, false }, { ":123", 4, true }, { ":x", 2, false } };
    n = glob_parse_pieces(end, 3, GLOB_RESOURCE, a, 64);
    CHECK(a[11].kind == GLOB_ANY_RUN && a[11].crosses_colon == 1);
    CHECK(glob_match_elems(a, n, "arn:aws:s3:r:e:123:x", 20));
    n = glob_parse_pieces(end, 3, GLOB_ARN, a, 64);
    CHECK(a[11].kind == GLOB_ANY_RUN && a[11].crosses_colon == 0);
    CHECK(!glob_match_elems(a, n, "arn:aws:s3:r:e:123:x", 20));
    CHECK(glob_match_elems(a, n, "arn:aws:s3:re:123:x", 19));
    /* ... also across an empty piece. */
    glob_piece gap[3] = { { "arn:*", 5, false }, { "", 0, true }, { ":", 1, true } };
    n = glob_parse_pieces(gap, 3, GLOB_RESOURCE, a, 64);
    CHECK(a[4].crosses_colon == 1);
    CHECK_INT(glob_parse_pieces(end, 3, GLOB_RESOURCE, a, 5), (size_t)-1);

    /* A chain of runs across the first word boundary of the position set:
     * the empty-match closure has to carry from bit 63 to bit 64. */
    {
        glob_elem w[70];
        char subj[64];
        for (size_t i = 0; i < 62; i++) {
            w[i] = (glob_elem){ GLOB_LITERAL, 0, 'a' };
            subj[i] = 'a';
        }
        for (size_t i = 62; i < 67; i++)
            w[i] = (glob_elem){ GLOB_ANY_RUN, 1, 0 };
        w[67] = (glob_elem){ GLOB_LITERAL, 0, 'b' };
        subj[62] = 'b';
        CHECK(glob_match_elems(w, 68, subj, 63));
        CHECK(!glob_match_elems(w, 68, subj, 62));
        subj[62] = ':';
        subj[63] = 'b';
        CHECK(glob_match_elems(w, 68, subj, 64));
        for (size_t i = 62; i < 67; i++)
            w[i].crosses_colon = i == 66;
        CHECK(glob_match_elems(w, 68, subj, 64)); /* the last run takes ':' */
        w[66].crosses_colon = 0;
        CHECK(!glob_match_elems(w, 68, subj, 64));
    }

    /* The element matcher's limit. */
    glob_elem *big = calloc(GLOB_MAX_ELEMS + 1, sizeof *big);
    for (size_t i = 0; i <= GLOB_MAX_ELEMS; i++) {
        big[i].kind = GLOB_ANY_RUN;
        big[i].crosses_colon = 1;
    }
    CHECK(glob_match_elems(big, GLOB_MAX_ELEMS, "abc", 3));
    CHECK(!glob_match_elems(big, GLOB_MAX_ELEMS + 1, "abc", 3));
    free(big);
}

static void test_exact_flag(void)
{
    iam_glob *g = glob_compile("arn:aws:s3:::b", 14, GLOB_RESOURCE);
    CHECK(g && glob_is_exact(g));
    glob_free(g);
    g = glob_compile("arn:aws:s3:::b*", 15, GLOB_RESOURCE);
    CHECK(g && !glob_is_exact(g));
    glob_free(g);
    g = glob_compile("", 0, GLOB_PLAIN);
    CHECK(g && glob_is_exact(g));
    glob_free(g);
}

/* ---- Cost is bounded ------------------------------------------------------------ */

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_pathological(void)
{
    size_t len = 5000;
    char *s = malloc(len + 2);
    memset(s, 'a', len);
    const char *p = "*a*a*a*a*a*a*a*a*b";

    double t0 = now_sec();
    expect_n(GLOB_PLAIN, p, strlen(p), s, len, false);
    expect_n(GLOB_RESOURCE, p, strlen(p), s, len, false);
    /* 'b' first: a required-character check cannot rule it out. */
    s[0] = 'b';
    expect_n(GLOB_PLAIN, p, strlen(p), s, len, false);
    s[0] = 'a';
    s[len] = 'b';
    expect_n(GLOB_PLAIN, p, strlen(p), s, len + 1, true);
    /* Hundreds of nested backtracking points: past the interpreter's heap
     * limit and the match limit, so the element matcher decides. */
    char *q = malloc(1024);
    q[0] = 0;
    for (int i = 0; i < 300; i++)
        strcat(q, "*a");
    strcat(q, "c");
    memset(s, 'a', len);
    s[400] = 'c';
    expect_n(GLOB_PLAIN, q, strlen(q), s, 401, true);
    expect_n(GLOB_PLAIN, q, strlen(q), s, 400, false);
    expect_n(GLOB_PLAIN, q, strlen(q), s + 101, 300, false);
    expect_n(GLOB_PLAIN, q, strlen(q), s + 100, 301, true);
    free(q);
    double t1 = now_sec();
    CHECK_NAMED("pathological patterns finish quickly", t1 - t0 < 10.0);
    printf("pathological cases: %.3f s (sanitizers on)\n", t1 - t0);
    free(s);
}

/* The letters of the random tests: those that decide fields (':' and '*'),
 * with '?' and a two-byte letter now and then; subjects add an invalid byte. */
static const char *const pat_alphabet[] = { "a", "b", ":", ":", "*", "*", "?", "\xc3\xa9" };
static const char *const subj_alphabet[] = { "a", "b", ":", ":", "\xc3\xa9", "\xff" };

static uint64_t next_random(uint64_t *st)
{
    *st ^= *st << 13;
    *st ^= *st >> 7;
    *st ^= *st << 17;
    return *st;
}

/* Half the time "arn:a:" (so that the sixth field is reached often), then
 * fewer than `most` letters of the alphabet; returns the length. */
static size_t random_text(char *out, uint64_t *st, const char *const *alphabet, size_t letters, size_t most)
{
    uint64_t r = next_random(st);
    size_t len = 0;
    if (r & 1) {
        memcpy(out, "arn:a:", 6);
        len = 6;
    }
    size_t n = (size_t)((r >> 8) % most);
    for (size_t i = 0; i < n; i++) {
        const char *c = alphabet[next_random(st) % letters];
        memcpy(out + len, c, strlen(c));
        len += strlen(c);
    }
    return len;
}

/* Many small random patterns over the characters that decide fields (':'
 * and '*', with '?' and a two-byte letter now and then) against subjects of
 * the same letters: every compiled path (exact, prefix, fields, PCRE2) and
 * the regex built for the same pattern agree with the reference. A fixed
 * seed keeps the run reproducible. */
static void test_random_against_reference(void)
{
    uint64_t st = 0x9e3779b97f4a7c15ull;
    for (int m = 0; m < 3; m++) {
        glob_mode mode = (glob_mode)m;
        unsigned mismatches = 0;
        char first[300] = "";
        for (int iter = 0; iter < 6000; iter++) {
            char pat[64], subj[64];
            size_t plen = random_text(pat, &st, pat_alphabet, 8, 12);
            iam_glob *g = glob_compile(pat, plen, mode);
            if (!g) {
                if (mismatches++ == 0)
                    snprintf(first, sizeof first, "glob_compile failed on \"%.*s\"", (int)plen, pat);
                continue;
            }
            for (int k = 0; k < 8; k++) {
                size_t slen = random_text(subj, &st, subj_alphabet, 6, 14);
                bool want = ref_match(mode, pat, plen, subj, slen);
                bool ok = glob_match(g, subj, slen, scratch) == want &&
                          glob_match_path(g, subj, slen, scratch, 1) == want &&
                          glob_match_path(g, subj, slen, scratch, 2) == want &&
                          glob_match_path(g, subj, slen, scratch, 4) == want;
                if (!ok && mismatches++ == 0)
                    snprintf(first, sizeof first, "\"%.*s\" vs \"%.*s\" want %d", (int)plen, pat,
                             (int)slen, subj, want);
            }
            glob_free(g);
        }
        char name[400];
        snprintf(name, sizeof name, "%s: 48,000 random pattern/subject pairs agree (%u differ; first: %s)",
                 mode_name(mode), mismatches, first);
        CHECK_NAMED(name, mismatches == 0);
    }
}

/* Templates resolved into pieces (pattern text and substituted values):
 * glob_match_pieces_fast agrees with the element matcher on what
 * glob_parse_pieces builds, and decides most star-only cases itself. */
static void test_random_pieces(void)
{
    uint64_t st = 0x2545f4914f6cdd1dull;
    for (int m = 0; m < 3; m++) {
        glob_mode mode = (glob_mode)m;
        unsigned mismatches = 0, decided = 0, total = 0;
        char first[300] = "", buf[64];
        for (int iter = 0; iter < 4000; iter++) {
            char pat[64], subj[64];
            size_t plen = random_text(pat, &st, pat_alphabet, 8, 12);
            /* Up to four pieces at random cuts, each literal or not. */
            glob_piece pieces[4];
            size_t np = 1 + (size_t)(next_random(&st) % 4), at = 0;
            for (size_t i = 0; i < np; i++) {
                size_t cut = i + 1 == np ? plen : at + (size_t)(next_random(&st) % (plen - at + 1));
                pieces[i] = (glob_piece){ pat + at, cut - at, (next_random(&st) & 3) == 0 };
                at = cut;
            }
            glob_elem e[128];
            size_t ne = glob_parse_pieces(pieces, np, mode, e, 128);
            for (int k = 0; k < 8; k++) {
                size_t slen = random_text(subj, &st, subj_alphabet, 6, 14);
                bool want = glob_match_elems(e, ne, subj, slen);
                int got = glob_match_pieces_fast(pieces, np, mode, subj, slen, buf, sizeof buf);
                total++;
                if (got >= 0)
                    decided++;
                if (got >= 0 && (got == 1) != want && mismatches++ == 0)
                    snprintf(first, sizeof first, "\"%.*s\" in %zu pieces vs \"%.*s\" want %d", (int)plen,
                             pat, np, (int)slen, subj, want);
            }
        }
        char name[400];
        snprintf(name, sizeof name, "%s: glob_match_pieces_fast agrees with the element matcher (%u differ; first: %s)",
                 mode_name(mode), mismatches, first);
        CHECK_NAMED(name, mismatches == 0);
        snprintf(name, sizeof name, "%s: glob_match_pieces_fast decides %u of %u cases itself", mode_name(mode),
                 decided, total);
        CHECK_NAMED(name, decided * 4 > total);
    }
    /* A literal piece holding a wildcard character is left to the caller. */
    glob_piece lit[2] = { { "x/", 2, false }, { "a*b", 3, true } };
    char buf[16];
    CHECK_INT(glob_match_pieces_fast(lit, 2, GLOB_PLAIN, "x/a*b", 5, buf, sizeof buf), -1);
    /* So is a pattern longer than the buffer. */
    glob_piece longer[1] = { { "abcdefghijklmnopqrstuvwxyz*", 27, false } };
    CHECK_INT(glob_match_pieces_fast(longer, 1, GLOB_PLAIN, "abc", 3, buf, sizeof buf), -1);
    /* The ARN operators' fields: a substituted key id after "*:*:". */
    glob_piece kms[2] = { { "arn:aws:kms:*:*:key/", 20, false }, { "1234-abcd", 9, true } };
    char big[64];
    CHECK_INT(glob_match_pieces_fast(kms, 2, GLOB_ARN, "arn:aws:kms:us-east-1:111122223333:key/1234-abcd", 48,
                                     big, sizeof big), 1);
    CHECK_INT(glob_match_pieces_fast(kms, 2, GLOB_ARN, "arn:aws:kms:us-east-1:111122223333:key/1234-abcde", 49,
                                     big, sizeof big), 0);
    CHECK_INT(glob_match_pieces_fast(kms, 2, GLOB_ARN, "arn:aws:kms:us-east-1:x:y:key/1234-abcd", 39,
                                     big, sizeof big), 0);
}

int main(void)
{
    scratch = glob_scratch_create();
    CHECK(scratch != NULL);
    test_example_a1();
    test_example_r1();
    test_example_r3();
    test_resource_fields();
    test_characters();
    test_metacharacters();
    test_empty_and_stars();
    test_parse();
    test_pieces();
    test_exact_flag();
    test_pathological();
    test_random_against_reference();
    test_random_pieces();
    glob_scratch_free(scratch);
    return check_report();
}
