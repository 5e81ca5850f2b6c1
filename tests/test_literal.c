/* Tests for engine/literal.c: typed condition literals (spec 3.5, 3.9).
 * Tables first, then exhaustive sweeps where the domain is small enough
 * (every calendar day of years 0000-9999, every code point) so the
 * arithmetic is checked against an independent model, not against itself. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "literal.h"

/* Sign of a comparison, so tables can say -1/0/1. */
static int sgn(int c)
{
    return (c > 0) - (c < 0);
}

/* ---- Numbers ------------------------------------------------------------ */

static bool num(const char *s, lit_number *n)
{
    return lit_number_parse(s, strlen(s), n);
}

/* Compares a and b both ways, checking antisymmetry on the way. Returns 2
 * when either does not parse. */
static int num_cmp(const char *a, const char *b)
{
    lit_number x, y;
    if (!num(a, &x) || !num(b, &y))
        return 2;
    int ab = sgn(lit_number_compare(&x, &y));
    int ba = sgn(lit_number_compare(&y, &x));
    if (ab != -ba)
        return 3;
    return ab;
}

static void test_numbers(void)
{
    static const char *const good[] = {
        "10", "-3", "0.5", "10.0", "+5", "0", "-0", "+0", "007", "0.000",
        "-0.0", "123456789012345678901234567890.123456789012345678901234567890",
        "1.1", "+0.5", "-100.25",
    };
    static const char *const bad[] = {
        "1e3", " 10", "10 ", "0x10", "10.", ".5", "", "-", "+", "--1", "+-1",
        "1.2.3", "1,000", "1_000", "NaN", "inf", "-.5", "1e-3", "\xd9\xa1",
        "10\n", "1.5e", "١", "${x}", "0b1", "+.1", "\t1",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        lit_number n;
        CHECK_NAMED(good[i], num(good[i], &n));
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lit_number n;
        CHECK_NAMED(bad[i], !num(bad[i], &n));
    }
    /* A view that stops early is parsed as just those bytes. */
    lit_number v;
    CHECK(lit_number_parse("12x", 2, &v) && v.int_len == 2);
    CHECK(!lit_number_parse(NULL, 0, &v));

    /* Normalised views. */
    CHECK(num("-0", &v) && !v.negative && v.int_len == 0 && v.frac_len == 0);
    CHECK(num("-0.000", &v) && !v.negative);
    CHECK(num("+007.2500", &v) && !v.negative && v.int_len == 1 &&
          v.int_digits[0] == '7' && v.frac_len == 2 &&
          memcmp(v.frac_digits, "25", 2) == 0);
    CHECK(num("-0.5", &v) && v.negative && v.int_len == 0 && v.frac_len == 1);

    static const struct {
        const char *a, *b;
        int want;
    } cmp[] = {
        {"10", "10.0", 0},
        {"10", "+010", 0},
        {"-0", "0", 0},
        {"-0.0", "+0", 0},
        {"0.5", "0.50", 0},
        {"10", "9", 1},
        {"10", "9.999", 1},
        {"9", "10", -1},
        {"1.5", "1.25", 1},
        {"1.05", "1.5", -1},
        {"1.1", "1.10000000001", -1},
        {"-3", "-2", -1},
        {"-2", "-3", 1},
        {"-3", "2", -1},
        {"-0.1", "0", -1},
        {"0.1", "-0", 1},
        {"-1.5", "-1.25", -1},
        {"-10", "-9.99", -1},
        {"0.001", "0.01", -1},
        /* Beyond 64-bit integers and double precision. */
        {"18446744073709551616", "18446744073709551615", 1},
        {"18446744073709551617", "18446744073709551616", 1},
        {"-18446744073709551617", "-18446744073709551616", -1},
        {"9007199254740993", "9007199254740992", 1},
        {"123456789012345678901234567890", "123456789012345678901234567890.0", 0},
        {"123456789012345678901234567890", "123456789012345678901234567891", -1},
        {"0.100000000000000000000000000001", "0.1", 1},
        {"1000000000000000000000", "999999999999999999999.999999999", 1},
    };
    for (size_t i = 0; i < sizeof cmp / sizeof cmp[0]; i++) {
        int got = num_cmp(cmp[i].a, cmp[i].b);
        if (got != cmp[i].want)
            fprintf(stderr, "number compare %s vs %s\n", cmp[i].a, cmp[i].b);
        CHECK_INT(got, cmp[i].want);
    }
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK_INT(num_cmp(good[i], good[i]), 0);

    /* Transitivity over a sorted list, every pair. */
    static const char *const sorted[] = {
        "-100000000000000000000", "-100.5", "-100.25", "-3", "-0.001", "0",
        "0.0001", "0.5", "1", "1.0000000000000000001", "2", "10", "99.99",
        "100", "18446744073709551616",
    };
    size_t ns = sizeof sorted / sizeof sorted[0];
    for (size_t i = 0; i < ns; i++)
        for (size_t j = 0; j < ns; j++)
            CHECK_INT(num_cmp(sorted[i], sorted[j]), (i > j) - (i < j));
}

/* ---- Instants ----------------------------------------------------------- */

static bool inst(const char *s, lit_instant *t)
{
    return lit_instant_parse(s, strlen(s), t);
}

static int inst_cmp(const char *a, const char *b)
{
    lit_instant x, y;
    if (!inst(a, &x) || !inst(b, &y))
        return 2;
    int ab = sgn(lit_instant_compare(&x, &y));
    if (ab != -sgn(lit_instant_compare(&y, &x)))
        return 3;
    return ab;
}

/* Independent model for the sweep: plain day counting. */
static int model_days_in_month(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

/* "YYYY-MM-DD" for 0 <= y <= 9999, 1 <= m <= 12, 1 <= d <= 99. */
static void put_date(char buf[11], int y, int m, int d)
{
    const int v[3] = {y, m, d};
    char *p = buf;
    for (int k = 0; k < 3; k++) {
        int width = k == 0 ? 4 : 2, x = v[k];
        for (int w = width - 1; w >= 0; w--, x /= 10)
            p[w] = (char)('0' + x % 10);
        p += width;
        if (k < 2)
            *p++ = '-';
    }
    *p = 0;
}

static void test_instant_sweep(void)
{
    /* Every day of 0000-9999 parses to exactly one day after the previous
     * one, anchored at 0000-01-01, and the day after each month's last day
     * is rejected. Failures are counted, not checked one by one, so the
     * summary line stays readable. */
    int64_t expect = -62167219200; /* 0000-01-01T00:00:00Z */
    unsigned bad = 0, days = 0;
    char buf[11];
    for (int y = 0; y <= 9999; y++) {
        for (int m = 1; m <= 12; m++) {
            int dim = model_days_in_month(y, m);
            for (int d = 1; d <= dim; d++) {
                put_date(buf, y, m, d);
                lit_instant t;
                if (!inst(buf, &t) || t.seconds != expect || t.nanos != 0) {
                    if (bad++ < 5)
                        fprintf(stderr, "sweep: %s\n", buf);
                }
                expect += 86400;
                days++;
            }
            put_date(buf, y, m, dim + 1);
            lit_instant t;
            if (inst(buf, &t) && bad++ < 5)
                fprintf(stderr, "sweep accepted: %s\n", buf);
        }
    }
    CHECK_INT(bad, 0);
    CHECK_INT(days, 3652425); /* 10000 Gregorian years */
    CHECK_INT(expect, 253402300800); /* 10000-01-01T00:00:00Z */
}

static void test_instants(void)
{
    static const struct {
        const char *s;
        int64_t seconds;
        uint32_t nanos;
    } good[] = {
        {"1970", 0, 0},
        {"1970-01", 0, 0},
        {"1970-01-01", 0, 0},
        {"1970-01-01T00:00", 0, 0},
        {"1970-01-01T00:00Z", 0, 0},
        {"1970-01-01T00:00:00", 0, 0},
        {"1970-01-01T00:00:00Z", 0, 0},
        {"1970-01-01T00:00:00.0Z", 0, 0},
        {"2024", 1704067200, 0},
        {"2024-02", 1706745600, 0},
        {"2024-02-29", 1709164800, 0},
        {"2024-02-29T00:00:00Z", 1709164800, 0},
        {"2000-02-29", 951782400, 0},
        {"2000-03-01", 951868800, 0},
        {"1900-03-01", -2203891200, 0},
        {"1600-02-29", -11670998400, 0},
        {"2100-03-01", 4107542400, 0},
        {"1969-12-31T23:59:59Z", -1, 0},
        {"1969-12-31T23:59:59.5Z", -1, 500000000},
        {"2023-11-14T22:13:20Z", 1700000000, 0},
        {"2023-11-14T22:13Z", 1699999980, 0},
        {"2023-11-14T22:13:20", 1700000000, 0},
        {"2023-11-14T22:13:20+00:00", 1700000000, 0},
        {"2023-11-14T22:13:20-00:00", 1700000000, 0},
        {"2023-11-15T00:13:20+02:00", 1700000000, 0},
        {"2023-11-14T17:43:20-04:30", 1700000000, 0},
        {"2023-11-14T22:13:20.123Z", 1700000000, 123000000},
        {"2023-11-14T22:13:20.123456789Z", 1700000000, 123456789},
        {"2023-11-14T22:13:20.1234567899999Z", 1700000000, 123456789},
        {"2023-11-14T22:13:20.000000001", 1700000000, 1},
        {"2023-11-14T22:13:20.5+01:00", 1699996400, 500000000},
        {"0000", -62167219200, 0},
        {"0000-01-01T00:00:00-23:59", -62167219200 + 86340, 0},
        {"0000-01-01T00:00:00+23:59", -62167219200 - 86340, 0},
        {"9999-12-31T23:59:59Z", 253402300799, 0},
        {"9999-12-31T23:59:59.999999999-23:59", 253402300799 + 86340, 999999999},
        {"1700000000", 1700000000, 0},
        {"0", 0, 0},
        {"1", 1, 0},
        {"00000", 0, 0},
        {"999999999999999999", 999999999999999999, 0},
        {"123", 123, 0},
        {"12345", 12345, 0},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        lit_instant t = {12345, 678};
        bool ok = inst(good[i].s, &t);
        CHECK_NAMED(good[i].s, ok);
        if (ok && (t.seconds != good[i].seconds || t.nanos != good[i].nanos))
            fprintf(stderr, "instant %s: %lld.%09u\n", good[i].s,
                    (long long)t.seconds, (unsigned)t.nanos);
        CHECK_INT(t.seconds, good[i].seconds);
        CHECK_INT(t.nanos, good[i].nanos);
    }

    static const char *const bad[] = {
        "yesterday", "", "2024-13-01", "2024-00-01", "2024-01-00",
        "2024-01-32", "2023-02-29", "1900-02-29", "2100-02-29", "2024-04-31",
        "2024-01-01T25:00Z", "2024-01-01T24:00Z", "2024-01-01T23:60Z",
        "2024-01-01T23:59:60Z", "2024-1-1", "2024-01-1", "24-01-01",
        "20240-01-01", "2024-01-01T", "2024-01-01T10", "2024-01-01T10:0",
        "2024-01-01T10:00:0", "2024-01-01T10:00:00.", "2024-01-01T10:00:00.Z",
        "2024-01-01T10:00:00Zx", "2024-01-01T10:00:00ZZ", "2024-01-01t10:00Z",
        "2024-01-01T10:00z", "2024-01-01 10:00Z", "2024-01-01T10:00+0100",
        "2024-01-01T10:00+01", "2024-01-01T10:00+24:00",
        "2024-01-01T10:00+01:60", "2024-01-01T10:00+1:00",
        "2024-01-01T10:00:00+01:00:00", "2024-01-01Z", "2024Z", "2024-01Z",
        "2024-01-01T10:00:00.5.5Z", "-1", "+1700000000", "1700000000.5",
        "1234567890123456789", "9999999999999999999999", " 2024", "2024 ",
        "2024-01-01T10:00:00 Z", "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x94",
        "2024/01/01", "2024-W01", "2024-001", "2024-01-01T10:00:00,5Z",
        "1e9", "0x10", "2024-01-01T-1:00Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lit_instant t;
        CHECK_NAMED(bad[i], !inst(bad[i], &t));
    }
    lit_instant t;
    CHECK(!lit_instant_parse(NULL, 0, &t));
    /* Views: only len bytes are looked at. */
    CHECK(lit_instant_parse("2024-01-01T00:00:00Zjunk", 20, &t) && t.seconds == 1704067200);
    CHECK(lit_instant_parse("17000000009", 10, &t) && t.seconds == 1700000000);

    static const struct {
        const char *a, *b;
        int want;
    } cmp[] = {
        {"1700000000", "2023-11-14T22:13:20Z", 0},
        {"2023-11-14T22:13:20Z", "1700000000", 0},
        {"1700000001", "2023-11-14T22:13:20Z", 1},
        {"1699999999", "2023-11-14T22:13:20Z", -1},
        {"1700000000", "2023-11-14T22:13:20.001Z", -1},
        {"2023-11-14T22:13:20.001Z", "2023-11-14T22:13:20.002Z", -1},
        {"2023-11-14T22:13:20.002Z", "2023-11-14T22:13:20.001Z", 1},
        {"2023-11-14T22:13:20.1Z", "2023-11-14T22:13:20.100000000000Z", 0},
        {"2023-11-14T22:13:20.999Z", "2023-11-14T22:13:21Z", -1},
        {"2024-03-10T10:00:00+02:00", "2024-03-10T08:00:00Z", 0},
        /* Offsets crossing midnight and year boundaries. */
        {"2024-01-01T01:00:00+02:00", "2023-12-31T23:00:00Z", 0},
        {"2023-12-31T22:00:00-05:00", "2024-01-01T03:00:00Z", 0},
        {"2024-03-01T00:30+01:00", "2024-02-29T23:30Z", 0},
        {"2023-03-01T00:30+01:00", "2023-02-28T23:30Z", 0},
        {"2024-01-01", "2023-12-31T23:59:59.999999999Z", 1},
        {"2024", "2024-01-01T00:00:00Z", 0},
        {"2024-06", "2024-06-01T00:00Z", 0},
        {"2025-01-01T00:00:00Z", "2024-12-31T23:59:59Z", 1},
        {"1969-12-31T23:59:59.9Z", "0", -1},
        {"0", "1970-01-01T00:00:00.000000001Z", -1},
        {"0000-01-01", "9999-12-31T23:59:59Z", -1},
        {"999999999999999999", "9999-12-31T23:59:59Z", 1},
        {"2024-06-01T12:00:00Z", "2024-01-01T00:00:00Z", 1},
    };
    for (size_t i = 0; i < sizeof cmp / sizeof cmp[0]; i++) {
        int got = inst_cmp(cmp[i].a, cmp[i].b);
        if (got != cmp[i].want)
            fprintf(stderr, "instant compare %s vs %s\n", cmp[i].a, cmp[i].b);
        CHECK_INT(got, cmp[i].want);
    }
    test_instant_sweep();
}

/* ---- IP addresses ------------------------------------------------------- */

static bool addr(const char *s, lit_ip *ip)
{
    return lit_ip_parse_address(s, strlen(s), ip);
}

static bool range(const char *s, lit_ip *ip)
{
    return lit_ip_parse_range(s, strlen(s), ip);
}

/* 1 in range, 0 not, -1 when either side does not parse. */
static int in_range(const char *r, const char *a)
{
    lit_ip x, y;
    if (!range(r, &x) || !addr(a, &y))
        return -1;
    return lit_ip_in_range(&x, &y);
}

static bool bytes_are(const lit_ip *ip, const char *hex)
{
    char buf[33];
    size_t n = ip->family == 4 ? 4 : 16;
    for (size_t i = 0; i < n; i++)
        snprintf(buf + 2 * i, 3, "%02x", ip->bytes[i]);
    buf[2 * n] = 0;
    if (strcmp(buf, hex) != 0) {
        fprintf(stderr, "  bytes %s, want %s\n", buf, hex);
        return false;
    }
    return true;
}

static void test_ip(void)
{
    static const struct {
        const char *s;
        int family;
        const char *hex;
    } good[] = {
        {"0.0.0.0", 4, "00000000"},
        {"255.255.255.255", 4, "ffffffff"},
        {"203.0.113.200", 4, "cb0071c8"},
        {"10.0.0.1", 4, "0a000001"},
        {"::", 6, "00000000000000000000000000000000"},
        {"::1", 6, "00000000000000000000000000000001"},
        {"1::", 6, "00010000000000000000000000000000"},
        {"1::2", 6, "00010000000000000000000000000002"},
        {"2001:DB8:1234:5678:0:0:0:1", 6, "20010db8123456780000000000000001"},
        {"2001:db8:1234:5678::1", 6, "20010db8123456780000000000000001"},
        {"2001:0db8:0000:0000:0000:0000:0000:0001", 6, "20010db8000000000000000000000001"},
        {"1:2:3:4:5:6:7:8", 6, "00010002000300040005000600070008"},
        {"1:2:3:4:5:6:7::", 6, "00010002000300040005000600070000"},
        {"::2:3:4:5:6:7:8", 6, "00000002000300040005000600070008"},
        {"1:2:3::6:7:8", 6, "00010002000300000000000600070008"},
        {"ffff:FFFF:aBcD::", 6, "ffffffffabcd00000000000000000000"},
        {"::ffff:1.2.3.4", 6, "00000000000000000000ffff01020304"},
        {"::ffff:203.0.113.7", 6, "00000000000000000000ffffcb007107"},
        {"64:ff9b::192.0.2.33", 6, "0064ff9b0000000000000000c0000221"},
        {"::1.2.3.4", 6, "00000000000000000000000001020304"},
        {"1:2:3:4:5:6:1.2.3.4", 6, "00010002000300040005000601020304"},
        {"1::5:6:1.2.3.4", 6, "00010000000000000005000601020304"},
        {"1:2:3:4:5::1.2.3.4", 6, "00010002000300040005000001020304"},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        lit_ip ip;
        bool ok = addr(good[i].s, &ip);
        CHECK_NAMED(good[i].s, ok);
        if (!ok)
            continue;
        CHECK_NAMED(good[i].s, ip.family == good[i].family);
        CHECK_NAMED(good[i].s, ip.prefix == (good[i].family == 4 ? 32 : 128));
        CHECK_NAMED(good[i].s, bytes_are(&ip, good[i].hex));
        /* Also a valid range equal to itself. */
        lit_ip r;
        CHECK_NAMED(good[i].s, range(good[i].s, &r) && r.prefix == ip.prefix &&
                                   memcmp(r.bytes, ip.bytes, 16) == 0);
    }

    static const char *const bad_addr[] = {
        "", "not-an-ip", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.256",
        "010.0.0.1", "1.02.3.4", "00.1.2.3", "1.2.3.04", "1..2.3", ".1.2.3.4",
        "1.2.3.4.", "1.2.3.-4", "1.2.3.+4", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4/24",
        "1.2.3.4/", "0x1.2.3.4", "1.2.3.1000", "1234", "a.b.c.d",
        ":::", ":", ":1", "1:", "1::2::3", "::1::", "1:::2", "::1:", ":1::",
        "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7:8", "1::2:3:4:5:6:7:8", "12345::", "::12345",
        "g::", "::g", "fe80::1%eth0", "fe80::1%1", "::ffff:1.2.3", "::ffff:1.2.3.4.5",
        "::ffff:01.2.3.4", "::ffff:256.1.1.1", "1:2:3:4:5:6:7:1.2.3.4",
        "::1.2.3.4:5", "1.2.3.4::", "::1.2.3.4::", "::ffff:1.2.3.4/24",
        "[::1]", "::1 ", " ::1", "1:2:3:4:5:6:7:8:", ":1:2:3:4:5:6:7:8",
        "::ab.1.2.3", "::1234.1.2.3", "2001:db8::/64", "1:2:3:4::5:6:7:8",
        "::ffff:1.2.3.4.", "1.2.3.4:80",
    };
    for (size_t i = 0; i < sizeof bad_addr / sizeof bad_addr[0]; i++) {
        lit_ip ip;
        CHECK_NAMED(bad_addr[i], !addr(bad_addr[i], &ip));
    }
    lit_ip ip;
    CHECK(!lit_ip_parse_address(NULL, 0, &ip));
    CHECK(!lit_ip_parse_range(NULL, 0, &ip));
    CHECK(lit_ip_parse_address("1.2.3.4:80", 7, &ip) && bytes_are(&ip, "01020304"));

    static const struct {
        const char *s;
        int prefix;
        const char *hex;
    } good_range[] = {
        {"203.0.113.0/24", 24, "cb007100"},
        {"203.0.113.9/24", 24, "cb007100"},
        {"10.0.0.0/32", 32, "0a000000"},
        {"10.255.255.255/8", 8, "0a000000"},
        {"255.255.255.255/0", 0, "00000000"},
        {"255.255.255.255/1", 1, "80000000"},
        {"255.255.255.255/31", 31, "fffffffe"},
        {"192.168.7.255/21", 21, "c0a80000"},
        {"1.2.3.4", 32, "01020304"},
        {"2001:db8:1234:5678::/64", 64, "20010db8123456780000000000000000"},
        {"2001:db8:1234:5678:ffff::1/64", 64, "20010db8123456780000000000000000"},
        {"::/0", 0, "00000000000000000000000000000000"},
        {"ffff::/1", 1, "80000000000000000000000000000000"},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/127", 127, "fffffffffffffffffffffffffffffffe"},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", 128, "ffffffffffffffffffffffffffffffff"},
        {"::ffff:1.2.3.4/120", 120, "00000000000000000000ffff01020300"},
        {"2001:db8::", 128, "20010db8000000000000000000000000"},
    };
    for (size_t i = 0; i < sizeof good_range / sizeof good_range[0]; i++) {
        lit_ip r;
        bool ok = range(good_range[i].s, &r);
        CHECK_NAMED(good_range[i].s, ok);
        if (!ok)
            continue;
        CHECK_NAMED(good_range[i].s, r.prefix == good_range[i].prefix);
        CHECK_NAMED(good_range[i].s, bytes_are(&r, good_range[i].hex));
    }
    static const char *const bad_range[] = {
        "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/08", "10.0.0.0/00",
        "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8/8", "10.0.0.0/ 8",
        "10.0.0.0/8 ", "10.0.0.0/0x8", "10.0.0.0/1000", "::/0128",
        "::/99999999999999999999", "/8", "10.0.0/8", "not-an-ip/8",
        "fe80::1%eth0/64", "10.0.0.0/8a", "10.0.0.0\\8",
    };
    for (size_t i = 0; i < sizeof bad_range / sizeof bad_range[0]; i++) {
        lit_ip r;
        CHECK_NAMED(bad_range[i], !range(bad_range[i], &r));
    }

    static const struct {
        const char *range, *addr;
        int want;
    } member[] = {
        /* Spec Example IP1. */
        {"203.0.113.0/24", "203.0.113.200", 1},
        {"2001:db8:1234:5678::/64", "2001:DB8:1234:5678:0:0:0:1", 1},
        {"203.0.113.0/24", "198.51.100.1", 0},
        {"2001:db8:1234:5678::/64", "198.51.100.1", 0},
        {"203.0.113.0/24", "not-an-ip", -1},
        /* Host bits in the range are ignored. */
        {"203.0.113.9/24", "203.0.113.0", 1},
        {"203.0.113.9/24", "203.0.113.255", 1},
        {"203.0.113.9/24", "203.0.114.0", 0},
        {"203.0.113.9", "203.0.113.9", 1},
        {"203.0.113.9", "203.0.113.8", 0},
        {"192.168.0.0/21", "192.168.7.255", 1},
        {"192.168.0.0/21", "192.168.8.0", 0},
        {"128.0.0.0/1", "127.255.255.255", 0},
        {"128.0.0.0/1", "128.0.0.0", 1},
        {"0.0.0.0/0", "1.2.3.4", 1},
        {"0.0.0.0/0", "255.255.255.255", 1},
        /* Families never mix, not even through /0 or mapped addresses. */
        {"0.0.0.0/0", "::1", 0},
        {"0.0.0.0/0", "::ffff:1.2.3.4", 0},
        {"1.2.3.0/24", "::ffff:1.2.3.4", 0},
        {"::/0", "1.2.3.4", 0},
        {"::/0", "::ffff:1.2.3.4", 1},
        {"::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1},
        {"::ffff:0:0/96", "::ffff:1.2.3.4", 1},
        {"::ffff:0:0/96", "::fffe:1.2.3.4", 0},
        {"64:ff9b::/96", "64:ff9b::192.0.2.33", 1},
        {"2001:db8:1234:5678::/64", "2001:db8:1234:5679::", 0},
        {"2001:db8:1234:5678::/63", "2001:db8:1234:5679::", 1},
        {"2001:db8::/32", "2001:0DB8:ffff::1", 1},
        {"2001:db8::/33", "2001:db8:8000::1", 0},
        {"::1", "::1", 1},
        {"::1", "::2", 0},
        {"::1/127", "::0", 1},
    };
    for (size_t i = 0; i < sizeof member / sizeof member[0]; i++) {
        int got = in_range(member[i].range, member[i].addr);
        if (got != member[i].want)
            fprintf(stderr, "in_range %s %s\n", member[i].range, member[i].addr);
        CHECK_INT(got, member[i].want);
    }
    /* A range built by hand with host bits set still compares by prefix. */
    lit_ip hand = {4, 8, {10, 1, 2, 3}}, a;
    CHECK(addr("10.200.0.1", &a) && lit_ip_in_range(&hand, &a));
}

/* ---- Base64 ------------------------------------------------------------- */

static void test_base64(void)
{
    static const struct {
        const char *text;
        const char *bytes;
        size_t n;
    } good[] = {
        {"", "", 0},
        {"AA==", "\0", 1},
        {"Zg==", "f", 1},
        {"Zm8=", "fo", 2},
        {"Zm9v", "foo", 3},
        {"Zm9vYg==", "foob", 4},
        {"Zm9vYmE=", "fooba", 5},
        {"Zm9vYmFy", "foobar", 6},
        {"AAAA", "\0\0\0", 3},
        {"////", "\xff\xff\xff", 3},
        {"++++", "\xfb\xef\xbe", 3},
        {"aGVsbG8gd29ybGQ=", "hello world", 11},
        /* Non-zero bits under the padding are ignored (RFC 4648 3.5). */
        {"Zh==", "f", 1},
        {"Zm9=", "fo", 2},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        const char *t = good[i].text;
        size_t len = strlen(t);
        CHECK_NAMED(t, lit_base64_valid(t, len));
        CHECK_INT(lit_base64_decoded_len(t, len), good[i].n);
        uint8_t out[16];
        memset(out, 0xAA, sizeof out);
        size_t n = lit_base64_decode(t, len, out, sizeof out);
        CHECK_INT(n, good[i].n);
        CHECK_NAMED(t, memcmp(out, good[i].bytes, good[i].n) == 0);
        CHECK_NAMED(t, out[n] == 0xAA); /* wrote exactly n bytes */
        CHECK_NAMED(t, lit_base64_equals(t, len, (const uint8_t *)good[i].bytes, good[i].n));
        /* Exact capacity is enough; one less is refused untouched. */
        CHECK_INT(lit_base64_decode(t, len, out, good[i].n), good[i].n);
        if (good[i].n > 0) {
            memset(out, 0xAA, sizeof out);
            CHECK_INT(lit_base64_decode(t, len, out, good[i].n - 1), 0);
            CHECK_NAMED(t, out[0] == 0xAA);
        }
    }

    static const char *const bad[] = {
        "A", "AA", "AAA", "AAAAA", "=", "==", "===", "====", "A===", "AA=A",
        "A=AA", "=AAA", "AA==AAAA", "AAA=AAAA", "Zm9v\n", " Zm9v", "Zm9v ",
        "Zm 9v", "Zm9-", "Zm9_", "Zm9v====", "Zm9vY===", "Zg=", "Zg", "Zm8",
        "Zm8==", "Zm9vYg=", "\xc3\xa4\xc3\xa4", "Z\0==",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *t = bad[i];
        size_t len = strlen(t);
        if (i == sizeof bad / sizeof bad[0] - 1)
            len = 4; /* "Z\0==": an embedded NUL */
        CHECK_NAMED(t, !lit_base64_valid(t, len));
        uint8_t out[16] = {0};
        CHECK_INT(lit_base64_decode(t, len, out, sizeof out), 0);
        /* Never equal to anything, not even what the lenient reading gives. */
        for (size_t n = 0; n <= 6; n++)
            CHECK_NAMED(t, !lit_base64_equals(t, len, out, n));
    }

    /* equals: lengths 0-5 against near misses. */
    const uint8_t foobar[] = "foobar";
    static const char *const enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE="};
    for (size_t k = 0; k < 6; k++) {
        size_t len = strlen(enc[k]);
        for (size_t n = 0; n <= 6; n++)
            CHECK_INT(lit_base64_equals(enc[k], len, foobar, n), n == k);
        if (k > 0) {
            uint8_t other[6];
            memcpy(other, foobar, 6);
            other[k - 1] ^= 1; /* last byte differs */
            CHECK(!lit_base64_equals(enc[k], len, other, k));
            memcpy(other, foobar, 6);
            other[0] ^= 0x80; /* first byte differs */
            CHECK(!lit_base64_equals(enc[k], len, other, k));
        }
    }
    CHECK(lit_base64_equals(NULL, 0, NULL, 0));
    CHECK(lit_base64_valid(NULL, 0));
    CHECK(lit_base64_equals("Zm9vYmFy", 8, foobar, 6));

    /* Round trip of every byte value at every offset within a group. */
    uint8_t all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t n = 0; n <= 10; n++) {
        /* Encode all[n .. 256) by hand, decode it back. */
        const uint8_t *src = all + n;
        size_t sn = 256 - n;
        char text[400];
        size_t t = 0;
        for (size_t i = 0; i < sn; i += 3) {
            uint32_t w = (uint32_t)src[i] << 16;
            if (i + 1 < sn)
                w |= (uint32_t)src[i + 1] << 8;
            if (i + 2 < sn)
                w |= src[i + 2];
            text[t++] = alphabet[w >> 18 & 63];
            text[t++] = alphabet[w >> 12 & 63];
            text[t++] = i + 1 < sn ? alphabet[w >> 6 & 63] : '=';
            text[t++] = i + 2 < sn ? alphabet[w & 63] : '=';
        }
        uint8_t back[256];
        CHECK(lit_base64_valid(text, t));
        CHECK_INT(lit_base64_decoded_len(text, t), sn);
        CHECK_INT(lit_base64_decode(text, t, back, sizeof back), sn);
        CHECK(memcmp(back, src, sn) == 0);
        CHECK(lit_base64_equals(text, t, src, sn));
    }
}

/* ---- Case folding ------------------------------------------------------- */

static bool eqf(const char *a, const char *b)
{
    bool ab = lit_equal_fold(a, strlen(a), b, strlen(b));
    bool ba = lit_equal_fold(b, strlen(b), a, strlen(a));
    if (ab != ba)
        fprintf(stderr, "equal_fold not symmetric: %s / %s\n", a, b);
    return ab && ba;
}

static bool fold_is(const char *s, const char *want)
{
    char out[256];
    size_t n = lit_fold(s, strlen(s), out, sizeof out);
    if (n == (size_t)-1 || n != strlen(want) || memcmp(out, want, n) != 0) {
        fprintf(stderr, "fold(%s) gave %.*s\n", s, n == (size_t)-1 ? 0 : (int)n, out);
        return false;
    }
    return true;
}

static uint64_t hashs(const char *s)
{
    return lit_hash_fold(s, strlen(s));
}

static void test_utf8(void)
{
    static const struct {
        const char *s;
        size_t len, want_len;
        uint32_t want_cp;
    } cases[] = {
        {"A", 1, 1, 'A'},
        {"\0", 1, 1, 0},
        {"\x7f", 1, 1, 0x7f},
        {"\xc2\x80", 2, 2, 0x80},
        {"\xc3\x84", 2, 2, 0xc4},
        {"\xdf\xbf", 2, 2, 0x7ff},
        {"\xe0\xa0\x80", 3, 3, 0x800},
        {"\xe2\x84\xaa", 3, 3, 0x212a},
        {"\xed\x9f\xbf", 3, 3, 0xd7ff},
        {"\xee\x80\x80", 3, 3, 0xe000},
        {"\xef\xbf\xbf", 3, 3, 0xffff},
        {"\xf0\x90\x80\x80", 4, 4, 0x10000},
        {"\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff},
        /* Invalid: one byte each, 0xDC00 + byte. */
        {"\x80", 1, 1, 0xdc80},
        {"\xbf", 1, 1, 0xdcbf},
        {"\xc0\x80", 2, 1, 0xdcc0},        /* overlong NUL */
        {"\xc1\xbf", 2, 1, 0xdcc1},        /* overlong */
        {"\xe0\x80\x80", 3, 1, 0xdce0},    /* overlong */
        {"\xe0\x9f\xbf", 3, 1, 0xdce0},    /* overlong */
        {"\xed\xa0\x80", 3, 1, 0xdced},    /* surrogate D800 */
        {"\xed\xbf\xbf", 3, 1, 0xdced},    /* surrogate DFFF */
        {"\xf0\x80\x80\x80", 4, 1, 0xdcf0}, /* overlong */
        {"\xf0\x8f\xbf\xbf", 4, 1, 0xdcf0}, /* overlong */
        {"\xf4\x90\x80\x80", 4, 1, 0xdcf4}, /* > U+10FFFF */
        {"\xf5\x80\x80\x80", 4, 1, 0xdcf5},
        {"\xff", 1, 1, 0xdcff},
        {"\xfe", 1, 1, 0xdcfe},
        {"\xc3", 1, 1, 0xdcc3},            /* truncated */
        {"\xc3\x84", 1, 1, 0xdcc3},        /* truncated by len */
        {"\xe2\x84", 2, 1, 0xdce2},
        {"\xe2\x84\xaa", 2, 1, 0xdce2},
        {"\xf0\x90\x80", 3, 1, 0xdcf0},
        {"\xc3" "A", 2, 1, 0xdcc3},        /* continuation missing */
        {"\xe2\x84" "A", 3, 1, 0xdce2},
        {"\xf0\x90\x80" "A", 4, 1, 0xdcf0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t cp = 0xFFFFFFFF;
        size_t n = lit_utf8_decode(cases[i].s, cases[i].len, &cp);
        CHECK_INT(n, cases[i].want_len);
        CHECK_INT(cp, cases[i].want_cp);
    }

    /* Every scalar value: encode, decode back, fold to a scalar value that
     * folds to itself. Counted, not checked one by one. */
    unsigned bad = 0, mapped = 0;
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        char buf[4];
        size_t n = lit_utf8_encode(cp, buf);
        uint32_t back;
        size_t m = lit_utf8_decode(buf, n, &back);
        size_t want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        uint32_t f = lit_fold_codepoint(cp);
        if (n != want || m != n || back != cp || f > 0x10FFFF ||
            (f >= 0xD800 && f <= 0xDFFF) || lit_fold_codepoint(f) != f) {
            if (bad++ < 5)
                fprintf(stderr, "code point U+%04X\n", (unsigned)cp);
        }
        if (f != cp)
            mapped++;
    }
    CHECK_INT(bad, 0);
    /* Unicode 14 has 1433 simple lowercase mappings; later versions add a
     * few. A bound, not an exact number, so regenerating stays green. */
    CHECK(mapped >= 1400 && mapped < 1600);

    /* Invalid bytes round-trip through encode; other non-scalars become
     * U+FFFD. */
    char buf[4];
    CHECK_INT(lit_utf8_encode(0xDC80, buf), 1);
    CHECK_INT((unsigned char)buf[0], 0x80);
    CHECK_INT(lit_utf8_encode(0xDCFF, buf), 1);
    CHECK_INT((unsigned char)buf[0], 0xFF);
    CHECK_INT(lit_utf8_encode(0xD800, buf), 3);
    CHECK(memcmp(buf, "\xef\xbf\xbd", 3) == 0);
    CHECK_INT(lit_utf8_encode(0x110000, buf), 3);
    CHECK(memcmp(buf, "\xef\xbf\xbd", 3) == 0);
    /* Invalid-byte stand-ins are surrogates: the fold leaves them alone. */
    for (uint32_t b = 0x80; b <= 0xFF; b++)
        CHECK_INT(lit_fold_codepoint(0xDC00 + b), 0xDC00 + b);
}

static void test_fold(void)
{
    static const struct {
        uint32_t cp, want;
    } cps[] = {
        {'A', 'a'}, {'Z', 'z'}, {'a', 'a'}, {'@', '@'}, {'[', '['}, {'0', '0'},
        {0xC4, 0xE4},     /* Ä */
        {0xE4, 0xE4},
        {0xD7, 0xD7},     /* × is not a letter inside the À-Þ block */
        {0xDE, 0xFE},     /* Þ */
        {0xDF, 0xDF},     /* ß has no one-to-one lowercase change */
        {0x1E9E, 0xDF},   /* ẞ */
        {0x178, 0xFF},    /* Ÿ */
        {0x130, 0x69},    /* İ: simple mapping, not "i̇" */
        {0x131, 0x131},   /* ı stays */
        {0x100, 0x101}, {0x101, 0x101}, {0x12E, 0x12F},
        {0x3A3, 0x3C3},   /* Σ */
        {0x3C2, 0x3C2},   /* final ς is already lower case */
        {0x391, 0x3B1},
        {0x212A, 'k'},    /* KELVIN SIGN */
        {0x212B, 0xE5},   /* ANGSTROM SIGN */
        {0x2126, 0x3C9},  /* OHM SIGN */
        {0x1C4, 0x1C6}, {0x1C5, 0x1C6}, {0x1C6, 0x1C6},
        {0x23A, 0x2C65},  /* grows from 2 to 3 UTF-8 bytes */
        {0x410, 0x430},   /* Cyrillic А */
        {0x10400, 0x10428}, /* Deseret */
        {0x1E900, 0x1E922}, /* Adlam */
        {0xFF21, 0xFF41}, /* fullwidth Ａ */
        {0x10FFFF, 0x10FFFF}, {0x110000, 0x110000}, {0xFFFFFFFF, 0xFFFFFFFF},
    };
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++)
        CHECK_INT(lit_fold_codepoint(cps[i].cp), cps[i].want);

    static const struct {
        const char *a, *b;
        bool want;
    } eq[] = {
        {"", "", true},
        {"abc", "ABC", true},
        {"aws:PrincipalTag/CostCenter", "AWS:principaltag/costcenter", true},
        {"abc", "abd", false},
        {"abc", "ab", false},
        {"", "a", false},
        {"@", "`", false},            /* 0x40 vs 0x60 differ by 32 too */
        {"[", "{", false},
        {"\xc3\x84pfel", "\xc3\xa4PFEL", true},        /* Äpfel */
        {"\xce\xa3", "\xcf\x83", true},                /* Σ σ */
        {"\xce\xa3", "\xcf\x82", false},               /* Σ ς */
        {"\xc3\x9f", "ss", false},                     /* ß ss */
        {"\xc3\x9f", "SS", false},
        {"\xe1\xba\x9e", "\xc3\x9f", true},            /* ẞ ß */
        {"\xc4\xb0", "i", true},                       /* İ i */
        {"\xc4\xb0", "I", true},
        {"\xc4\xb0", "\xc4\xb1", false},               /* İ ı */
        {"\xe2\x84\xaa", "k", true},                   /* Kelvin */
        {"\xe2\x84\xaa" "elvin", "KELVIN", true},
        {"x\xe2\x84\xaa", "xk", true},
        {"\xc3\x84", "A\xcc\x88", false},              /* no normalisation */
        {"\xc8\xba", "\xe2\xb1\xa5", true},            /* Ⱥ ⱥ */
        {"\xf0\x90\x90\x80", "\xf0\x90\x90\xa8", true}, /* Deseret */
        /* Invalid bytes compare as themselves. */
        {"\xff", "\xff", true},
        {"a\xff", "A\xff", true},
        {"\xff", "\xfe", false},
        {"\xc3", "\xc3", true},
        {"\xc3", "\xc3\x84", false},
        {"\xe2\x84", "k", false},
        {"\xc0\xc1", "\xc0\xc1", true},
        {"\x80", "\xc3\x84", false},
        {"\xed\xa0\x80", "\xed\xa0\x80", true},
        {"\xed\xa0\x80", "\xee\x80\x80", false},
    };
    for (size_t i = 0; i < sizeof eq / sizeof eq[0]; i++) {
        bool got = eqf(eq[i].a, eq[i].b);
        if (got != eq[i].want)
            fprintf(stderr, "equal_fold(%s, %s)\n", eq[i].a, eq[i].b);
        CHECK_INT(got, eq[i].want);
        if (eq[i].want)
            CHECK_NAMED(eq[i].a, hashs(eq[i].a) == hashs(eq[i].b));
    }
    /* A few unequal pairs hash differently (not guaranteed in general, but
     * FNV-1a does separate these). */
    CHECK(hashs("abc") != hashs("abd"));
    CHECK(hashs("") != hashs("a"));
    CHECK(hashs("\xc3\x9f") != hashs("ss"));
    /* The hash works on the folded bytes eight at a time: case differences
     * within and across blocks, and a non-ASCII character that folds to ASCII
     * (shifting every later block of the raw text), still hash alike. */
    CHECK(hashs("A") == hashs("a"));
    CHECK(hashs("AWS:PRINCIPALTAG/COSTCENTER") == hashs("aws:principaltag/costcenter"));
    CHECK(hashs("aWs:PrInCiPaLtAg/cOsTcEnTeR-2024") == hashs("AwS:pRiNcIpAlTaG/CoStCeNtEr-2024"));
    CHECK(hashs("\xe2\x84\xaa" "ey:abcdefghijklmnop") == hashs("KEY:ABCDEFGHIJKLMNOP"));
    CHECK(hashs("abcdefgh") != hashs("abcdefg"));
    CHECK(hashs("abcdefgh\x01") != hashs("abcdefgh"));
    CHECK(hashs("@[`{") != hashs("`{@["));

    CHECK(fold_is("", ""));
    CHECK(fold_is("Hello, World!", "hello, world!"));
    CHECK(fold_is("AWS:PrincipalTag/CostCenter", "aws:principaltag/costcenter"));
    CHECK(fold_is("\xc3\x84PFEL", "\xc3\xa4pfel"));
    CHECK(fold_is("\xe2\x84\xaa", "k"));
    CHECK(fold_is("\xc4\xb0stanbul", "istanbul"));
    CHECK(fold_is("\xc8\xba", "\xe2\xb1\xa5"));
    CHECK(fold_is("\xc3\x9f", "\xc3\x9f"));
    CHECK(fold_is("A\xff" "B\xc3", "a\xff" "b\xc3"));
    CHECK(fold_is("\xed\xa0\x80X", "\xed\xa0\x80x"));
    CHECK(fold_is("\xe2\x84" "A", "\xe2\x84" "a"));

    /* Capacity: exact fits, one less does not; growth counts. */
    char out[8];
    CHECK_INT(lit_fold("ABC", 3, out, 3), 3);
    CHECK_INT(lit_fold("ABC", 3, out, 2), (size_t)-1);
    CHECK_INT(lit_fold("\xc8\xba", 2, out, 3), 3);
    CHECK_INT(lit_fold("\xc8\xba", 2, out, 2), (size_t)-1);
    CHECK_INT(lit_fold("", 0, NULL, 0), 0);
    CHECK_INT(lit_fold("\xe2\x84\xaa", 3, out, 1), 1);
    CHECK(lit_equal_fold(NULL, 0, NULL, 0));
    CHECK(lit_hash_fold(NULL, 0) == hashs(""));
}

int main(void)
{
    test_numbers();
    test_instants();
    test_ip();
    test_base64();
    test_utf8();
    test_fold();
    return check_report();
}
