/* Typed condition literals (spec 3.5, 3.9). See literal.h for the contract.
 *
 * Everything here runs on untrusted request text at evaluation time, so each
 * parser reads strictly inside [s, s + len), checks every accumulation for
 * overflow before it happens, and depends on nothing outside this file: no
 * locale (ctype, strtol), no time zone or libc calendar (timegm), no heap. */
#include "literal.h"

#include <string.h>

#include "casefold_table.h"

/* Locale-free on purpose: isdigit() may accept other digits under some
 * locales, and the policy language is ASCII. */
static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* ---- Numbers ------------------------------------------------------------ */

bool lit_number_parse(const char *s, size_t len, lit_number *out)
{
    size_t i = 0;
    bool minus = false;

    if (len > 0 && (s[0] == '-' || s[0] == '+')) {
        minus = s[0] == '-';
        i = 1;
    }
    size_t int_start = i;
    while (i < len && is_digit(s[i]))
        i++;
    size_t int_end = i;
    if (int_end == int_start)
        return false;

    size_t frac_start = i, frac_end = i;
    if (i < len) {
        if (s[i] != '.')
            return false;
        frac_start = ++i;
        while (i < len && is_digit(s[i]))
            i++;
        frac_end = i;
        if (frac_end == frac_start || i != len)
            return false;
    }

    /* Normalising here makes compare a plain length-then-digits walk. */
    while (int_start < int_end && s[int_start] == '0')
        int_start++;
    while (frac_end > frac_start && s[frac_end - 1] == '0')
        frac_end--;

    out->int_digits = s + int_start;
    out->int_len = int_end - int_start;
    out->frac_digits = s + frac_start;
    out->frac_len = frac_end - frac_start;
    /* "-0" and "-0.000" are zero, and zero has one representation. */
    out->negative = minus && (out->int_len > 0 || out->frac_len > 0);
    return true;
}

/* Magnitudes of normalised numbers: more integer digits is larger; equal
 * counts compare digit by digit. Fractions have no trailing zeros, so when
 * one is a prefix of the other the longer one has a nonzero digit left and
 * is larger. */
static int magnitude_compare(const lit_number *a, const lit_number *b)
{
    if (a->int_len != b->int_len)
        return a->int_len < b->int_len ? -1 : 1;
    if (a->int_len > 0) {
        int c = memcmp(a->int_digits, b->int_digits, a->int_len);
        if (c != 0)
            return c < 0 ? -1 : 1;
    }
    size_t n = a->frac_len < b->frac_len ? a->frac_len : b->frac_len;
    if (n > 0) {
        int c = memcmp(a->frac_digits, b->frac_digits, n);
        if (c != 0)
            return c < 0 ? -1 : 1;
    }
    if (a->frac_len != b->frac_len)
        return a->frac_len < b->frac_len ? -1 : 1;
    return 0;
}

int lit_number_compare(const lit_number *a, const lit_number *b)
{
    if (a->negative != b->negative)
        return a->negative ? -1 : 1;
    int c = magnitude_compare(a, b);
    return a->negative ? -c : c;
}

/* ---- Instants ----------------------------------------------------------- */

/* Reads exactly n digits at s[*i]; n <= 4 here, so no overflow is possible. */
static bool fixed_digits(const char *s, size_t len, size_t *i, size_t n, int *value)
{
    if (len - *i < n)
        return false;
    int v = 0;
    for (size_t k = 0; k < n; k++) {
        char c = s[*i + k];
        if (!is_digit(c))
            return false;
        v = v * 10 + (c - '0');
    }
    *i += n;
    *value = v;
    return true;
}

static bool expect_char(const char *s, size_t len, size_t *i, char c)
{
    if (*i >= len || s[*i] != c)
        return false;
    (*i)++;
    return true;
}

/* Proleptic Gregorian; year 0 is a leap year, which only matters for the
 * 0000 dates the grammar allows. */
static bool is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int month)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30,
                                           31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

/* Days from 1970-01-01 to year-month-day, for years 0-9999. Counting from
 * year 0 keeps every division on non-negative numbers, where C's truncation
 * is the floor the calendar needs. */
static int64_t days_from_civil(int year, int month, int day)
{
    static const unsigned short before_month[12] = {
        0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    /* Leap years in [0, year): multiples of 4, minus of 100, plus of 400. */
    int64_t y = year;
    int64_t leaps = (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
    int64_t days = 365 * y + leaps + before_month[month - 1] + (day - 1);
    if (month > 2 && is_leap(year))
        days++;
    /* 0000-01-01 to 1970-01-01: 1970 * 365 + 478 leap days. */
    return days - 719528;
}

/* Epoch seconds, s all digits: 1 to 18 of them, so at most
 * 999999999999999999, below INT64_MAX (about 9.2e18): the accumulation
 * cannot overflow. */
static bool parse_epoch(const char *s, size_t len, lit_instant *out)
{
    if (len < 1 || len > 18)
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < len; i++)
        v = v * 10 + (s[i] - '0');
    out->seconds = v;
    out->nanos = 0;
    return true;
}

bool lit_instant_parse(const char *s, size_t len, lit_instant *out)
{
    /* All digits is epoch time, except exactly four digits, which the W3C
     * profile reads as a year ("2024" means 2024-01-01, not 00:33:44 on
     * 1970-01-01; epoch values that short never name a real request time). */
    size_t ndig = 0;
    while (ndig < len && is_digit(s[ndig]))
        ndig++;
    if (ndig == len && len != 4)
        return parse_epoch(s, len, out);

    size_t i = 0;
    int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
    uint32_t nanos = 0;
    int offset_minutes = 0;

    if (!fixed_digits(s, len, &i, 4, &year))
        return false;
    if (i < len) {
        if (!expect_char(s, len, &i, '-') || !fixed_digits(s, len, &i, 2, &month))
            return false;
        if (month < 1 || month > 12)
            return false;
    }
    if (i < len) {
        if (!expect_char(s, len, &i, '-') || !fixed_digits(s, len, &i, 2, &day))
            return false;
        if (day < 1 || day > days_in_month(year, month))
            return false;
    }
    if (i < len) {
        if (!expect_char(s, len, &i, 'T') || !fixed_digits(s, len, &i, 2, &hour) ||
            !expect_char(s, len, &i, ':') || !fixed_digits(s, len, &i, 2, &minute))
            return false;
        if (hour > 23 || minute > 59)
            return false;
        if (i < len && s[i] == ':') {
            i++;
            if (!fixed_digits(s, len, &i, 2, &second) || second > 59)
                return false;
            if (i < len && s[i] == '.') {
                i++;
                size_t start = i;
                uint32_t scale = 100000000;
                /* Digits past nanoseconds are validated and dropped: scale
                 * reaches 0 and stops contributing, so nothing overflows. */
                while (i < len && is_digit(s[i])) {
                    nanos += (uint32_t)(s[i] - '0') * scale;
                    scale /= 10;
                    i++;
                }
                if (i == start)
                    return false;
            }
        }
        if (i < len) {
            if (s[i] == 'Z') {
                i++;
            } else if (s[i] == '+' || s[i] == '-') {
                int sign = s[i] == '-' ? -1 : 1;
                int oh, om;
                i++;
                if (!fixed_digits(s, len, &i, 2, &oh) || !expect_char(s, len, &i, ':') ||
                    !fixed_digits(s, len, &i, 2, &om))
                    return false;
                if (oh > 23 || om > 59)
                    return false;
                offset_minutes = sign * (oh * 60 + om);
            } else {
                return false;
            }
            if (i != len)
                return false;
        }
    }

    /* Local time minus its offset is UTC. Magnitudes stay below 2^39, far
     * inside int64_t even for 0000-01-01 with a -23:59 offset. */
    int64_t secs = days_from_civil(year, month, day) * 86400 +
                   (int64_t)hour * 3600 + (int64_t)minute * 60 + second -
                   (int64_t)offset_minutes * 60;
    out->seconds = secs;
    out->nanos = nanos;
    return true;
}

int lit_instant_compare(const lit_instant *a, const lit_instant *b)
{
    if (a->seconds != b->seconds)
        return a->seconds < b->seconds ? -1 : 1;
    if (a->nanos != b->nanos)
        return a->nanos < b->nanos ? -1 : 1;
    return 0;
}

/* ---- IP addresses ------------------------------------------------------- */

/* One IPv4 part: "0" or 1-3 digits without a leading zero, at most 255.
 * Leading zeros are refused because some parsers read them as octal, so
 * "010" would mean different hosts to different tools. */
static bool ipv4_part(const char *s, size_t len, size_t *i, uint8_t *out)
{
    size_t start = *i;
    unsigned v = 0;
    while (*i < len && is_digit(s[*i]) && *i - start < 3) {
        v = v * 10 + (unsigned)(s[*i] - '0');
        (*i)++;
    }
    size_t n = *i - start;
    if (n == 0 || (n > 1 && s[start] == '0') || v > 255)
        return false;
    if (*i < len && is_digit(s[*i]))
        return false; /* a fourth digit */
    *out = (uint8_t)v;
    return true;
}

static bool parse_ipv4(const char *s, size_t len, uint8_t out[4])
{
    size_t i = 0;
    for (int k = 0; k < 4; k++) {
        if (k > 0 && !expect_char(s, len, &i, '.'))
            return false;
        if (!ipv4_part(s, len, &i, &out[k]))
            return false;
    }
    return i == len;
}

/* RFC 4291 section 2.2: eight groups of 1-4 hex digits, at most one "::"
 * standing for one or more zero groups, and optionally a dotted IPv4 address
 * as the last 32 bits. */
static bool parse_ipv6(const char *s, size_t len, uint8_t out[16])
{
    uint16_t groups[8];
    int n = 0;          /* groups parsed */
    int gap = -1;       /* index in groups where "::" stands, or -1 */
    size_t i = 0;

    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    }
    while (i < len) {
        /* A piece: hex digits, unless a '.' follows them, in which case
         * the rest of the text is the IPv4 tail. */
        size_t start = i;
        while (i < len && hex_value(s[i]) >= 0)
            i++;
        if (i < len && s[i] == '.') {
            if (n > 6)
                return false;
            uint8_t v4[4];
            if (!parse_ipv4(s + start, len - start, v4))
                return false;
            groups[n++] = (uint16_t)(v4[0] << 8 | v4[1]);
            groups[n++] = (uint16_t)(v4[2] << 8 | v4[3]);
            i = len;
            break;
        }
        size_t digits = i - start;
        if (digits == 0 || digits > 4 || n == 8)
            return false;
        unsigned v = 0;
        for (size_t k = start; k < i; k++)
            v = v << 4 | (unsigned)hex_value(s[k]);
        groups[n++] = (uint16_t)v;
        if (i == len)
            break;
        if (s[i] != ':')
            return false;
        i++;
        if (i < len && s[i] == ':') {
            if (gap >= 0)
                return false;
            gap = n;
            i++;
        } else if (i == len) {
            return false; /* a single trailing ':' */
        }
    }

    if (gap < 0 ? n != 8 : n > 7)
        return false;
    memset(out, 0, 16);
    int tail = gap < 0 ? 0 : n - gap; /* groups after "::" */
    for (int k = 0; k < n; k++) {
        int pos = k < n - tail ? k : 8 - tail + (k - (n - tail));
        out[2 * pos] = (uint8_t)(groups[k] >> 8);
        out[2 * pos + 1] = (uint8_t)(groups[k] & 0xff);
    }
    return true;
}

bool lit_ip_parse_address(const char *s, size_t len, lit_ip *out)
{
    uint8_t bytes[16];
    if (len == 0)
        return false; /* and memchr never sees a null pointer */
    /* An IPv6 address always has a ':', an IPv4 address never does. */
    if (memchr(s, ':', len) != NULL) {
        if (!parse_ipv6(s, len, bytes))
            return false;
        out->family = 6;
        out->prefix = 128;
        memcpy(out->bytes, bytes, 16);
        return true;
    }
    if (!parse_ipv4(s, len, bytes))
        return false;
    out->family = 4;
    out->prefix = 32;
    memset(out->bytes, 0, sizeof out->bytes);
    memcpy(out->bytes, bytes, 4);
    return true;
}

static void clear_host_bits(lit_ip *ip)
{
    unsigned bits = ip->family == 4 ? 32 : 128;
    for (unsigned k = 0; k < bits / 8; k++) {
        unsigned first = k * 8;
        if (first >= ip->prefix)
            ip->bytes[k] = 0;
        else if (first + 8 > ip->prefix)
            ip->bytes[k] &= (uint8_t)(0xff << (8 - (ip->prefix - first)));
    }
}

bool lit_ip_parse_range(const char *s, size_t len, lit_ip *out)
{
    if (len == 0)
        return false;
    const char *slash = memchr(s, '/', len);
    size_t addr_len = slash ? (size_t)(slash - s) : len;
    lit_ip ip;
    if (!lit_ip_parse_address(s, addr_len, &ip))
        return false;
    if (slash) {
        const char *p = slash + 1;
        size_t plen = len - addr_len - 1;
        /* At most three digits, so the value cannot overflow; "0" is
         * allowed, any other leading zero is not (same rule as IPv4 parts). */
        if (plen == 0 || plen > 3 || (plen > 1 && p[0] == '0'))
            return false;
        unsigned v = 0;
        for (size_t k = 0; k < plen; k++) {
            if (!is_digit(p[k]))
                return false;
            v = v * 10 + (unsigned)(p[k] - '0');
        }
        if (v > (ip.family == 4 ? 32u : 128u))
            return false;
        ip.prefix = (uint8_t)v;
        clear_host_bits(&ip);
    }
    *out = ip;
    return true;
}

bool lit_ip_in_range(const lit_ip *range, const lit_ip *addr)
{
    if (range->family != addr->family)
        return false;
    unsigned max = range->family == 4 ? 32 : 128;
    /* Mask both sides rather than trusting the range's host bits to be
     * clear: a caller may build a lit_ip by hand. */
    unsigned prefix = range->prefix < max ? range->prefix : max;
    unsigned full = prefix / 8, rest = prefix % 8;
    if (memcmp(range->bytes, addr->bytes, full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (range->bytes[full] & mask) == (addr->bytes[full] & mask);
}

/* ---- Base64 ------------------------------------------------------------- */

/* 0-63 for the standard alphabet, -1 for anything else ('=' included). */
static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Padding characters at the end: 0, 1 or 2 (only the count, not validity). */
static size_t b64_padding(const char *s, size_t len)
{
    if (len >= 4 && s[len - 1] == '=')
        return s[len - 2] == '=' ? 2 : 1;
    return 0;
}

/* Decodes quad q (0-based) of text already known to have len % 4 == 0 into
 * bytes[0..3); returns how many of them are data (1-3), or 0 when the quad
 * is not valid base64 in that position. Non-zero bits under the padding are
 * accepted and ignored, as RFC 4648 3.5 allows: the contract in literal.h
 * lists the rules and this is not one of them. */
static size_t b64_quad(const char *s, size_t len, size_t q, uint8_t bytes[3])
{
    const unsigned char *p = (const unsigned char *)s + 4 * q;
    bool last = 4 * q + 4 == len;
    size_t pad = last ? b64_padding(s, len) : 0;
    int v[4];
    for (size_t k = 0; k < 4; k++) {
        if (k >= 4 - pad) {
            v[k] = 0; /* '=' checked by b64_padding */
            continue;
        }
        v[k] = b64_value(p[k]);
        if (v[k] < 0)
            return 0;
    }
    uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
                 (uint32_t)v[2] << 6 | (uint32_t)v[3];
    bytes[0] = (uint8_t)(w >> 16);
    bytes[1] = (uint8_t)(w >> 8);
    bytes[2] = (uint8_t)w;
    return 3 - pad;
}

bool lit_base64_valid(const char *s, size_t len)
{
    if (len % 4 != 0)
        return false;
    uint8_t tmp[3];
    for (size_t q = 0; q < len / 4; q++)
        if (b64_quad(s, len, q, tmp) == 0)
            return false;
    return true;
}

size_t lit_base64_decoded_len(const char *s, size_t len)
{
    return len / 4 * 3 - b64_padding(s, len - len % 4);
}

/* Out of contract (invalid text, or cap too small) writes nothing and
 * returns 0, so a careless caller gets an empty value, never an overrun. */
size_t lit_base64_decode(const char *s, size_t len, uint8_t *out, size_t cap)
{
    if (!lit_base64_valid(s, len) || cap < lit_base64_decoded_len(s, len))
        return 0;
    size_t n = 0;
    uint8_t tmp[3];
    for (size_t q = 0; q < len / 4; q++) {
        size_t k = b64_quad(s, len, q, tmp);
        memcpy(out + n, tmp, k);
        n += k;
    }
    return n;
}

bool lit_base64_equals(const char *s, size_t len, const uint8_t *bytes, size_t n)
{
    if (len % 4 != 0 || lit_base64_decoded_len(s, len) != n)
        return false;
    size_t pos = 0;
    uint8_t tmp[3];
    for (size_t q = 0; q < len / 4; q++) {
        size_t k = b64_quad(s, len, q, tmp);
        if (k == 0 || memcmp(tmp, bytes + pos, k) != 0)
            return false;
        pos += k;
    }
    return true;
}

/* ---- Case folding ------------------------------------------------------- */

uint32_t lit_fold_codepoint(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    size_t n = sizeof casefold_runs / sizeof casefold_runs[0];
    if (cp < casefold_runs[0].start || cp > casefold_runs[n - 1].end)
        return cp;
    /* Last run whose start is <= cp. */
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (casefold_runs[mid].start <= cp)
            lo = mid;
        else
            hi = mid;
    }
    const struct casefold_run *r = &casefold_runs[lo];
    if (cp > r->end || (cp - r->start) % r->stride != 0)
        return cp;
    return (uint32_t)((int64_t)cp + r->delta);
}

static bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Unicode 14 table 3-7 (well-formed UTF-8): the second byte's range depends
 * on the first, which is what excludes overlongs, surrogates and code points
 * above U+10FFFF without decoding first. */
size_t lit_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    if (len == 0) {
        *cp = 0;
        return 0; /* out of contract; never read */
    }
    const unsigned char *p = (const unsigned char *)s;
    unsigned char b = p[0];
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    uint32_t v;
    if (b >= 0xC2 && b <= 0xDF) {
        need = 2;
        v = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
        need = 3;
        v = b & 0x0F;
        if (b == 0xE0)
            lo = 0xA0;
        else if (b == 0xED)
            hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 4;
        v = b & 0x07;
        if (b == 0xF0)
            lo = 0x90;
        else if (b == 0xF4)
            hi = 0x8F;
    } else {
        goto invalid;
    }
    if (len < need || p[1] < lo || p[1] > hi)
        goto invalid;
    for (size_t k = 1; k < need; k++) {
        if (!is_cont(p[k]))
            goto invalid;
        v = v << 6 | (p[k] & 0x3F);
    }
    *cp = v;
    return need;
invalid:
    *cp = 0xDC00 + b;
    return 1;
}

size_t lit_utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    /* The stand-ins lit_utf8_decode gives invalid bytes turn back into those
     * bytes, so decode then encode reproduces any input exactly. */
    if (cp >= 0xDC80 && cp <= 0xDCFF) {
        o[0] = (unsigned char)(cp - 0xDC00);
        return 1;
    }
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        cp = 0xFFFD;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

bool lit_equal_fold(const char *a, size_t alen, const char *b, size_t blen)
{
    const unsigned char *p = (const unsigned char *)a;
    const unsigned char *q = (const unsigned char *)b;
    /* Policies and requests mostly spell a key the same way. */
    if (alen == blen && (alen == 0 || memcmp(a, b, alen) == 0))
        return true;
    size_t i = 0, j = 0;
    for (;;) {
        /* Context keys are almost always ASCII: stay in this loop. */
        while (i < alen && j < blen && (p[i] | q[j]) < 0x80) {
            if (ascii_lower(p[i]) != ascii_lower(q[j]))
                return false;
            i++;
            j++;
        }
        if (i == alen || j == blen)
            return i == alen && j == blen;
        /* Folded lengths can differ from the originals (U+212A KELVIN SIGN
         * is three bytes, its fold 'k' one), so walk code points. */
        uint32_t ca, cb;
        i += lit_utf8_decode(a + i, alen - i, &ca);
        j += lit_utf8_decode(b + j, blen - j, &cb);
        if (lit_fold_codepoint(ca) != lit_fold_codepoint(cb))
            return false;
    }
}

/* Lower-cases A-Z in eight ASCII bytes at once (every byte < 0x80):
 * b + 0x3F reaches bit 7 from 'A' on, b + 0x25 from '[' on, and the
 * additions never carry between bytes. */
static inline uint64_t ascii_lower8(uint64_t w)
{
    uint64_t ge_a = w + UINT64_C(0x3F3F3F3F3F3F3F3F);
    uint64_t gt_z = w + UINT64_C(0x2525252525252525);
    return w | ((ge_a & ~gt_z & UINT64_C(0x8080808080808080)) >> 2);
}

size_t lit_fold(const char *s, size_t len, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n = 0;
    while (i < len) {
        if (len - i >= 8 && cap - n >= 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if ((w & UINT64_C(0x8080808080808080)) == 0) {
                w = ascii_lower8(w);
                memcpy(out + n, &w, 8);
                n += 8;
                i += 8;
                continue;
            }
        }
        if (p[i] < 0x80) {
            if (n == cap)
                return (size_t)-1;
            out[n++] = (char)ascii_lower(p[i++]);
            continue;
        }
        uint32_t cp;
        size_t k = lit_utf8_decode(s + i, len - i, &cp);
        char buf[4];
        size_t m = lit_utf8_encode(lit_fold_codepoint(cp), buf);
        if (cap - n < m)
            return (size_t)-1;
        memcpy(out + n, buf, m);
        n += m;
        i += k;
    }
    return n;
}

/* The hash summarises the folded byte stream by its length, its first and
 * last eight bytes and the sum of all its bytes: an ASCII key (nearly every
 * key) is hashed after one 8-byte-wide pass, and a request hashes all its
 * context keys on every evaluation. Equal folded streams give equal
 * summaries whatever their raw bytes; unequal keys that collide are told
 * apart by lit_equal_fold. */
typedef struct fold_summary {
    uint64_t first, last, sum;
    size_t total;
} fold_summary;

static inline void summary_byte(fold_summary *x, unsigned char b)
{
    if (x->total < 8)
        x->first |= (uint64_t)b << (8 * x->total);
    x->last = (x->last >> 8) | ((uint64_t)b << 56);
    x->sum += b;
    x->total++;
}

static inline uint64_t summary_hash(const fold_summary *x)
{
    /* A short stream's "last" bytes still sit high in the register: shift
     * them down so that last == first for streams of up to eight bytes. */
    uint64_t last = x->total >= 8 ? x->last : (x->total ? x->last >> (8 * (8 - x->total)) : 0);
    uint64_t h = (uint64_t)x->total * UINT64_C(0x9E3779B97F4A7C15);
    uint64_t parts[3] = {x->first, last, x->sum};
    for (int i = 0; i < 3; i++) {
        h ^= parts[i];
        h *= UINT64_C(0xBF58476D1CE4E5B9);
        h ^= h >> 31;
    }
    return h;
}

/* The sum of the eight bytes of w (each < 0x80, so no lane overflows). */
static inline uint64_t byte_sum8(uint64_t w)
{
    w = (w & UINT64_C(0x00FF00FF00FF00FF)) + ((w >> 8) & UINT64_C(0x00FF00FF00FF00FF));
    w = (w & UINT64_C(0x0000FFFF0000FFFF)) + ((w >> 16) & UINT64_C(0x0000FFFF0000FFFF));
    return (w & UINT64_C(0xFFFFFFFF)) + (w >> 32);
}

uint64_t lit_hash_fold(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    fold_summary x = {0, 0, 0, 0};
    if (len >= 8) {
        /* All ASCII? Then the folded stream is the lower-cased input. */
        size_t i = 0;
        uint64_t high = 0, sum = 0;
        for (; i + 8 <= len; i += 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            high |= w;
            sum += byte_sum8(ascii_lower8(w & UINT64_C(0x7F7F7F7F7F7F7F7F)));
        }
        uint64_t last;
        memcpy(&last, p + len - 8, 8);
        if (i < len) {
            /* The tail: the last eight bytes, less those already counted. */
            uint64_t tail = last >> (8 * (8 - (len - i)));
            high |= tail;
            sum += byte_sum8(ascii_lower8(tail & UINT64_C(0x7F7F7F7F7F7F7F7F)));
        }
        if ((high & UINT64_C(0x8080808080808080)) == 0) {
            memcpy(&x.first, p, 8);
            x.first = ascii_lower8(x.first);
            x.last = ascii_lower8(last);
            x.sum = sum;
            x.total = len;
            return summary_hash(&x);
        }
    }
    size_t i = 0;
    while (i < len) {
        if (p[i] < 0x80) {
            summary_byte(&x, ascii_lower(p[i++]));
            continue;
        }
        uint32_t cp;
        i += lit_utf8_decode(s + i, len - i, &cp);
        char buf[4];
        size_t m = lit_utf8_encode(lit_fold_codepoint(cp), buf);
        for (size_t k = 0; k < m; k++)
            summary_byte(&x, (unsigned char)buf[k]);
    }
    return summary_hash(&x);
}

bool lit_bool_parse(const char *s, size_t len, bool *out)
{
    if (lit_equal_fold(s, len, "true", 4)) {
        *out = true;
        return true;
    }
    if (lit_equal_fold(s, len, "false", 5)) {
        *out = false;
        return true;
    }
    return false;
}
