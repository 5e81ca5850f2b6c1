/* libFuzzer harness for engine/literal.c: every typed-literal parser gets the
 * raw input, and the input split at its first '\n' gives a pair (a, b) for
 * the two-argument functions (no '\n': b is a). Each parser's result is
 * checked against invariants that do not reuse its own code: reflexive and
 * antisymmetric compares, printing a parsed value back to text and parsing
 * that again, folding twice, and for IP addresses glibc's inet_pton.
 * A violation prints what broke and aborts, so libFuzzer keeps the input.
 *
 * Build: clang -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -g
 *        -fsanitize=fuzzer,address,undefined -Iengine
 *        -o /tmp/fuzz_literal fuzz/fuzz_literal.c engine/literal.c
 * Seeds: corpus/literal/; past findings: corpus/regressions/literal-*. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "literal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond)                                                        \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "fuzz_literal: invariant failed at %s:%d: %s\n", \
                    __FILE__, __LINE__, #cond);                              \
            abort();                                                         \
        }                                                                    \
    } while (0)

static int sgn(int c)
{
    return (c > 0) - (c < 0);
}

/* Parsers get an exactly sized heap copy, so ASan reports any read past the
 * view even when the caller's buffer happens to be longer. */
static char *dup_exact(const char *s, size_t len)
{
    char *p = malloc(len ? len : 1);
    REQUIRE(p != NULL);
    if (len)
        memcpy(p, s, len);
    return p;
}

/* ---- Numbers ------------------------------------------------------------ */

/* Canonical text of a parsed number: "-" if negative, integer digits ("0"
 * when none), ".", fraction digits. Two numbers are equal exactly when
 * their canonical texts are. */
static size_t number_text(const lit_number *n, char **out)
{
    size_t len = 1 + (n->int_len ? n->int_len : 1) + 1 + n->frac_len;
    char *p = malloc(len);
    REQUIRE(p != NULL);
    size_t k = 0;
    if (n->negative)
        p[k++] = '-';
    if (n->int_len) {
        memcpy(p + k, n->int_digits, n->int_len);
        k += n->int_len;
    } else {
        p[k++] = '0';
    }
    if (n->frac_len) {
        p[k++] = '.';
        memcpy(p + k, n->frac_digits, n->frac_len);
        k += n->frac_len;
    }
    *out = p;
    return k;
}

static void check_number(const char *s, size_t len, lit_number *n, bool *ok)
{
    *ok = lit_number_parse(s, len, n);
    if (!*ok)
        return;
    REQUIRE(lit_number_compare(n, n) == 0);
    REQUIRE(n->int_len == 0 || n->int_digits[0] != '0');
    REQUIRE(n->frac_len == 0 || n->frac_digits[n->frac_len - 1] != '0');
    REQUIRE(!(n->negative && n->int_len == 0 && n->frac_len == 0));
    REQUIRE(n->int_digits >= s && n->int_digits + n->int_len <= s + len);
    REQUIRE(n->frac_digits >= s && n->frac_digits + n->frac_len <= s + len);

    char *text;
    size_t tlen = number_text(n, &text);
    lit_number again;
    REQUIRE(lit_number_parse(text, tlen, &again));
    REQUIRE(lit_number_compare(n, &again) == 0);
    REQUIRE(lit_number_compare(&again, n) == 0);
    free(text);
}

static void check_number_pair(const lit_number *a, const lit_number *b)
{
    int ab = sgn(lit_number_compare(a, b)), ba = sgn(lit_number_compare(b, a));
    REQUIRE(ab == -ba);
    char *ta, *tb;
    size_t la = number_text(a, &ta), lb = number_text(b, &tb);
    bool same = la == lb && memcmp(ta, tb, la) == 0;
    REQUIRE(same == (ab == 0));
    free(ta);
    free(tb);
}

/* ---- Instants ----------------------------------------------------------- */

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Walks years from 1970: slow, but written nothing like literal.c's
 * closed-form count, which is the point of a second opinion. */
static bool format_instant(const lit_instant *t, char out[48])
{
    int64_t days = t->seconds / 86400, rem = t->seconds % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t year = 1970;
    while (days < 0) {
        year--;
        days += leap(year) ? 366 : 365;
        if (year < 0)
            return false;
    }
    while (days >= (leap(year) ? 366 : 365)) {
        days -= leap(year) ? 366 : 365;
        year++;
        if (year > 9999)
            return false;
    }
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int month = 0;
    while (days >= dim[month] + (month == 1 && leap(year))) {
        days -= dim[month] + (month == 1 && leap(year));
        month++;
    }
    snprintf(out, 48, "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ", (int)year,
             month + 1, (int)days + 1, (int)(rem / 3600), (int)(rem / 60 % 60),
             (int)(rem % 60), (unsigned)t->nanos);
    return true;
}

static void check_instant(const char *s, size_t len, lit_instant *t, bool *ok)
{
    *ok = lit_instant_parse(s, len, t);
    if (!*ok)
        return;
    REQUIRE(t->nanos < 1000000000u);
    REQUIRE(lit_instant_compare(t, t) == 0);
    /* The range the grammar can reach: 0000-01-01 minus 23:59 up to epoch
     * 10^18 - 1. */
    REQUIRE(t->seconds >= -62167219200 - 86340);
    REQUIRE(t->seconds <= 999999999999999999);

    char text[48];
    if (format_instant(t, text)) {
        lit_instant again;
        REQUIRE(lit_instant_parse(text, strlen(text), &again));
        REQUIRE(lit_instant_compare(t, &again) == 0);
    }
    if (t->seconds >= 0 && t->nanos == 0) {
        /* Epoch text, padded past four digits so it cannot read as a year. */
        snprintf(text, sizeof text, "%05lld", (long long)t->seconds);
        lit_instant again;
        REQUIRE(lit_instant_parse(text, strlen(text), &again));
        REQUIRE(lit_instant_compare(t, &again) == 0);
    }
}

/* Random text rarely spells a year like 2000 or 2100 where the calendar
 * rules bite, so the first bytes also build a date-time directly, checked
 * against a day count that walks year by year. */
static void check_instant_fields(const uint8_t *d, size_t size)
{
    if (size < 9)
        return;
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int year = (d[0] << 8 | d[1]) % 10000, month = d[2] % 12 + 1, day = d[3] % 31 + 1;
    int hour = d[4] % 24, minute = d[5] % 60, second = d[6] % 60;
    int off = (d[7] % 48 - 24) * 60 + (d[8] % 4) * 15; /* -24:00 .. +23:45 */
    int oh = (off < 0 ? -off : off) / 60, om = (off < 0 ? -off : off) % 60;
    char text[48];
    snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", year,
             month, day, hour, minute, second, off < 0 ? '-' : '+', oh, om);
    lit_instant t;
    bool ok = lit_instant_parse(text, strlen(text), &t);
    bool valid_day = day <= dim[month - 1] + (month == 2 && leap(year));
    REQUIRE(ok == (valid_day && oh <= 23));
    if (!ok)
        return;
    int64_t days = 0;
    for (int64_t y = 1970; y < year; y++)
        days += leap(y) ? 366 : 365;
    for (int64_t y = year; y < 1970; y++)
        days -= leap(y) ? 366 : 365;
    for (int m = 1; m < month; m++)
        days += dim[m - 1] + (m == 2 && leap(year));
    days += day - 1;
    int64_t want = days * 86400 + hour * 3600 + minute * 60 + second - (int64_t)off * 60;
    REQUIRE(t.seconds == want && t.nanos == 0);
}

/* ---- IP addresses ------------------------------------------------------- */

static void ip_text(const lit_ip *ip, char out[64])
{
    if (ip->family == 4) {
        snprintf(out, 64, "%u.%u.%u.%u", ip->bytes[0], ip->bytes[1],
                 ip->bytes[2], ip->bytes[3]);
        return;
    }
    /* Uncompressed, so this checks the parser's "::" expansion too. */
    size_t k = 0;
    for (int g = 0; g < 8; g++)
        k += (size_t)snprintf(out + k, 64 - k, g ? ":%X" : "%X",
                              ip->bytes[2 * g] << 8 | ip->bytes[2 * g + 1]);
}

/* Reference membership, one bit at a time. */
static bool ref_in_range(const lit_ip *r, const lit_ip *a)
{
    if (r->family != a->family)
        return false;
    for (unsigned b = 0; b < r->prefix; b++) {
        unsigned bit = 0x80u >> (b % 8);
        if ((r->bytes[b / 8] & bit) != (a->bytes[b / 8] & bit))
            return false;
    }
    return true;
}

static void check_ip(const char *s, size_t len, lit_ip *addr, bool *addr_ok,
                     lit_ip *range, bool *range_ok)
{
    *addr_ok = lit_ip_parse_address(s, len, addr);
    *range_ok = lit_ip_parse_range(s, len, range);
    bool has_slash = memchr(s, '/', len) != NULL;
    if (*addr_ok) {
        REQUIRE(addr->family == 4 || addr->family == 6);
        REQUIRE(addr->prefix == (addr->family == 4 ? 32 : 128));
        REQUIRE(!has_slash);
        /* Without "/", a range is the address itself. */
        REQUIRE(*range_ok && range->family == addr->family &&
                range->prefix == addr->prefix &&
                memcmp(range->bytes, addr->bytes, 16) == 0);
        REQUIRE(lit_ip_in_range(addr, addr));
        if (addr->family == 4)
            for (int k = 4; k < 16; k++)
                REQUIRE(addr->bytes[k] == 0);
        char text[64];
        ip_text(addr, text);
        lit_ip again;
        REQUIRE(lit_ip_parse_address(text, strlen(text), &again));
        REQUIRE(memcmp(&again, addr, sizeof again) == 0);
    } else if (!has_slash) {
        REQUIRE(!*range_ok);
    }

    /* glibc's inet_pton reads the same strict forms (no leading zeros in
     * IPv4, 1-4 hex digits, one "::", an IPv4 tail), so both must agree;
     * it takes a C string, so inputs with NUL are skipped. */
    if (len < 128 && memchr(s, 0, len) == NULL) {
        char cstr[128];
        memcpy(cstr, s, len);
        cstr[len] = 0;
        unsigned char buf[16];
        bool is6 = memchr(s, ':', len) != NULL;
        int r = inet_pton(is6 ? AF_INET6 : AF_INET, cstr, buf);
        REQUIRE((r == 1) == *addr_ok);
        if (r == 1)
            REQUIRE(memcmp(buf, addr->bytes, is6 ? 16 : 4) == 0);
    }

    if (*range_ok) {
        unsigned max = range->family == 4 ? 32 : 128;
        REQUIRE(range->family == 4 || range->family == 6);
        REQUIRE(range->prefix <= max);
        /* Host bits cleared. */
        for (unsigned b = range->prefix; b < max; b++)
            REQUIRE((range->bytes[b / 8] & (0x80u >> (b % 8))) == 0);
        /* The range contains its own network address. */
        lit_ip net = *range;
        net.prefix = (uint8_t)max;
        REQUIRE(lit_ip_in_range(range, &net));
        /* And the address before the "/" (host bits and all). */
        size_t alen = has_slash ? (size_t)((const char *)memchr(s, '/', len) - s) : len;
        lit_ip host;
        REQUIRE(lit_ip_parse_address(s, alen, &host));
        REQUIRE(lit_ip_in_range(range, &host));
    }
}

/* ---- Base64 ------------------------------------------------------------- */

static void check_base64(const char *s, size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    bool valid = lit_base64_valid(s, len);
    size_t n = lit_base64_decoded_len(s, len);
    uint8_t *out = malloc(n + 1);
    REQUIRE(out != NULL);
    size_t got = lit_base64_decode(s, len, out, n);
    if (!valid) {
        REQUIRE(got == 0);
        /* Not even equal to what a lenient decoder might have produced. */
        REQUIRE(!lit_base64_equals(s, len, out, 0));
        free(out);
        return;
    }
    REQUIRE(len % 4 == 0);
    REQUIRE(got == n);
    REQUIRE(n == len / 4 * 3 || n + 1 == len / 4 * 3 || n + 2 == len / 4 * 3);
    REQUIRE(lit_base64_equals(s, len, out, n));
    if (n > 0) {
        REQUIRE(lit_base64_decode(s, len, out, n - 1) == 0);
        REQUIRE(!lit_base64_equals(s, len, out, n - 1));
        out[n - 1] ^= 1;
        REQUIRE(!lit_base64_equals(s, len, out, n));
        out[n - 1] ^= 1;
    }
    if (n > 0)
        REQUIRE(!lit_base64_equals(s, len, out, n - 1));
    out[n] = 0;
    REQUIRE(!lit_base64_equals(s, len, out, n + 1));

    /* Re-encoding gives the input, except for bits under the padding in the
     * last data character. */
    char *text = malloc(len ? len : 1);
    REQUIRE(text != NULL);
    size_t t = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t w = (uint32_t)out[i] << 16;
        if (i + 1 < n)
            w |= (uint32_t)out[i + 1] << 8;
        if (i + 2 < n)
            w |= out[i + 2];
        text[t++] = alphabet[w >> 18 & 63];
        text[t++] = alphabet[w >> 12 & 63];
        text[t++] = i + 1 < n ? alphabet[w >> 6 & 63] : '=';
        text[t++] = i + 2 < n ? alphabet[w & 63] : '=';
    }
    REQUIRE(t == len);
    size_t pad = len >= 1 && s[len - 1] == '=' ? (len >= 2 && s[len - 2] == '=' ? 2 : 1) : 0;
    size_t last = pad ? len - pad - 1 : len;
    for (size_t i = 0; i < len; i++)
        if (i != last)
            REQUIRE(text[i] == s[i]);
    REQUIRE(lit_base64_equals(text, t, out, n));
    free(text);
    free(out);
}

/* ---- UTF-8 and case folding --------------------------------------------- */

static void check_utf8(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t k = lit_utf8_decode(s + i, len - i, &cp);
        REQUIRE(k >= 1 && k <= 4 && k <= len - i);
        unsigned char b = (unsigned char)s[i];
        if (k == 1 && b >= 0x80) {
            REQUIRE(cp == 0xDC00u + b);
        } else {
            REQUIRE(cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF));
        }
        char buf[4];
        size_t m = lit_utf8_encode(cp, buf);
        REQUIRE(m == k && memcmp(buf, s + i, k) == 0);
        i += k;
    }
}

/* Folds s into a fresh exactly sized buffer. */
static char *fold_dup(const char *s, size_t len, size_t *outlen)
{
    size_t cap = 4 * len;
    char *out = malloc(cap ? cap : 1);
    REQUIRE(out != NULL);
    size_t n = lit_fold(s, len, out, cap);
    REQUIRE(n != (size_t)-1 && n <= cap);
    char *exact = dup_exact(out, n);
    free(out);
    /* One byte short never fits, and writes nowhere past the buffer. */
    if (n > 0) {
        char *small = malloc(n - 1 ? n - 1 : 1);
        REQUIRE(small != NULL);
        REQUIRE(lit_fold(s, len, small, n - 1) == (size_t)-1);
        free(small);
    }
    *outlen = n;
    return exact;
}

static void check_fold(const char *s, size_t len)
{
    size_t n;
    char *f = fold_dup(s, len, &n);
    size_t n2;
    char *ff = fold_dup(f, n, &n2);
    REQUIRE(n2 == n && memcmp(f, ff, n) == 0);
    REQUIRE(lit_equal_fold(s, len, s, len));
    REQUIRE(lit_equal_fold(s, len, f, n));
    REQUIRE(lit_equal_fold(f, n, s, len));
    uint64_t h = lit_hash_fold(s, len);
    REQUIRE(h == lit_hash_fold(f, n));
    free(ff);
    free(f);
}

static void check_fold_pair(const char *a, size_t alen, const char *b, size_t blen)
{
    bool ab = lit_equal_fold(a, alen, b, blen);
    REQUIRE(ab == lit_equal_fold(b, blen, a, alen));
    size_t fa_len, fb_len;
    char *fa = fold_dup(a, alen, &fa_len), *fb = fold_dup(b, blen, &fb_len);
    REQUIRE(ab == (fa_len == fb_len && memcmp(fa, fb, fa_len) == 0));
    if (ab)
        REQUIRE(lit_hash_fold(a, alen) == lit_hash_fold(b, blen));
    free(fa);
    free(fb);
}

/* ---- Entry -------------------------------------------------------------- */

struct parsed {
    lit_number num;
    lit_instant t;
    lit_ip addr, range;
    bool num_ok, t_ok, addr_ok, range_ok;
};

static void check_all(const char *s, size_t len, struct parsed *p)
{
    check_number(s, len, &p->num, &p->num_ok);
    check_instant(s, len, &p->t, &p->t_ok);
    check_ip(s, len, &p->addr, &p->addr_ok, &p->range, &p->range_ok);
    check_base64(s, len);
    check_utf8(s, len);
    check_fold(s, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0; /* long inputs find nothing new and slow every check */
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t alen = nl ? (size_t)(nl - in) : size;
    char *whole = dup_exact(in, size);
    char *a = dup_exact(in, alen);
    char *b = nl ? dup_exact(nl + 1, size - alen - 1) : a;
    size_t blen = nl ? size - alen - 1 : alen;

    struct parsed pw, pa, pb;
    check_all(whole, size, &pw);
    check_instant_fields(data, size);
    if (nl) {
        check_all(a, alen, &pa);
        check_all(b, blen, &pb);
    } else {
        pa = pw;
        pb = pw;
    }

    if (pa.num_ok && pb.num_ok)
        check_number_pair(&pa.num, &pb.num);
    if (pa.t_ok && pb.t_ok) {
        int ab = sgn(lit_instant_compare(&pa.t, &pb.t));
        REQUIRE(ab == -sgn(lit_instant_compare(&pb.t, &pa.t)));
        REQUIRE((ab == 0) == (pa.t.seconds == pb.t.seconds && pa.t.nanos == pb.t.nanos));
    }
    if (pa.range_ok && pb.addr_ok)
        REQUIRE(lit_ip_in_range(&pa.range, &pb.addr) == ref_in_range(&pa.range, &pb.addr));
    if (pb.range_ok && pa.addr_ok)
        REQUIRE(lit_ip_in_range(&pb.range, &pa.addr) == ref_in_range(&pb.range, &pa.addr));
    check_fold_pair(a, alen, b, blen);

    free(whole);
    if (b != a)
        free(b);
    free(a);
    return 0;
}
