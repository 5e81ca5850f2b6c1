/* Tests of engine/json.c: every acceptance rule of json.h with its error
 * position pinned, the positions of values, and a differential against
 * jansson over tricky inputs, the AWS managed policies and the conformance
 * scenarios (same acceptance, same value trees).
 *
 * Every input is copied into a malloc'd buffer of exactly its length, so
 * AddressSanitizer catches a read past the end (jv_parse is given no NUL).
 * The out-of-memory paths are not reached from here: json.h has no allocator
 * hook, so they were checked by building json.c with malloc redirected to a
 * failing allocator, failing each allocation of a parse in turn. */
#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Our reader's names carry the jv_ prefix, so jansson's header sits beside it. */
#include <jansson.h>

#include "json.h"
#include "jansson_diff.h"


#define DEPTH 64

static json_doc *parse_exact(const char *text, size_t len, uint32_t first_line,
                             unsigned depth, json_error *err)
{
    char *copy = malloc(len ? len : 1);
    if (!copy) {
        fprintf(stderr, "out of memory in test\n");
        exit(2);
    }
    if (len)
        memcpy(copy, text, len);
    json_doc *doc = jv_parse(len ? copy : NULL, len, first_line, depth, err);
    free(copy);
    return doc;
}

/* ---------------------------------------------------------------- errors */

/* text is a string literal: its length is taken with sizeof so that inputs
 * may hold NUL bytes. */
#define REJECT(text, line, col, off, msg) \
    expect_error(__LINE__, text, sizeof(text) - 1, 1, DEPTH, line, col, off, msg)
#define REJECT_DEPTH(text, depth, line, col, off, msg) \
    expect_error(__LINE__, text, sizeof(text) - 1, 1, depth, line, col, off, msg)

static void expect_error(int at, const char *text, size_t len, uint32_t first_line,
                         unsigned depth, unsigned line, unsigned col, unsigned off,
                         const char *msg)
{
    unsigned failed = check_failed_count;
    json_error e;
    memset(&e, 0x5A, sizeof e); /* garbage, to prove the error is written */
    e.message[sizeof e.message - 1] = '\0';
    json_doc *doc = parse_exact(text, len, first_line, depth, &e);
    CHECK(doc == NULL);
    jv_doc_free(doc);
    if (!doc) {
        CHECK_STR(e.message, msg);
        CHECK_INT(e.pos.line, line);
        CHECK_INT(e.pos.column, col);
        CHECK_INT(e.pos.offset, off);
    }
    if (check_failed_count != failed)
        fprintf(stderr, "  ^ case at %s:%d\n", __FILE__, at);
}

static void test_errors_structure(void)
{
    REJECT("", 1, 1, 0, "empty input");
    REJECT("  \n\t\r\n  ", 3, 3, 8, "empty input");
    REJECT("[", 1, 2, 1, "unexpected end of input");
    REJECT("{", 1, 2, 1, "unexpected end of input");
    REJECT("[1", 1, 3, 2, "unexpected end of input");
    REJECT("[1,", 1, 4, 3, "unexpected end of input");
    REJECT("{\"a\"", 1, 5, 4, "unexpected end of input");
    REJECT("{\"a\":", 1, 6, 5, "unexpected end of input");
    REJECT("{\"a\":1", 1, 7, 6, "unexpected end of input");
    REJECT("{\"a\":1,", 1, 8, 7, "unexpected end of input");
    REJECT("[1,]", 1, 4, 3, "expected a value, found ']'");
    REJECT("[,1]", 1, 2, 1, "expected a value, found ','");
    REJECT("[1 2]", 1, 4, 3, "expected ',' or ']' after array element");
    REJECT("[1:2]", 1, 3, 2, "expected ',' or ']' after array element");
    REJECT("[1}", 1, 3, 2, "expected ',' or ']' after array element");
    REJECT("{\"a\":1 \"b\":2}", 1, 8, 7, "expected ',' or '}' after object member");
    REJECT("{\"a\":1]", 1, 7, 6, "expected ',' or '}' after object member");
    REJECT("{\"a\" 1}", 1, 6, 5, "expected ':' after member name");
    REJECT("{\"a\",1}", 1, 5, 4, "expected ':' after member name");
    REJECT("{1:2}", 1, 2, 1, "expected a member name (a string in double quotes)");
    REJECT("{a:2}", 1, 2, 1, "expected a member name (a string in double quotes)");
    REJECT("{'a':2}", 1, 2, 1, "expected a member name (a string in double quotes)");
    REJECT("{\"a\":1,}", 1, 8, 7, "expected a member name (a string in double quotes)");
    REJECT("{,}", 1, 2, 1, "expected a member name (a string in double quotes)");
    REJECT("1 2", 1, 3, 2, "unexpected '2' after the JSON value");
    REJECT("{}}", 1, 3, 2, "unexpected '}' after the JSON value");
    REJECT("[] x", 1, 4, 3, "unexpected 'x' after the JSON value");
    REJECT("[1]\0", 1, 4, 3, "unexpected byte 0x00 after the JSON value");
    REJECT("1\0", 1, 2, 1, "unexpected byte 0x00 after the JSON value");
    REJECT("[null\0]", 1, 6, 5, "expected ',' or ']' after array element");
    REJECT("\"a\"\n\n  ,", 3, 3, 7, "unexpected ',' after the JSON value");
    REJECT("/* c */ 1", 1, 1, 0, "expected a value, found '/'");
    REJECT("\xEF\xBB\xBF{}", 1, 1, 0, "expected a value, found '\xEF\xBB\xBF'");
    REJECT("\xFF", 1, 1, 0, "expected a value, found byte 0xFF");
    REJECT("\x01", 1, 1, 0, "expected a value, found byte 0x01");
    REJECT("[\xC3\xA9]", 1, 2, 1, "expected a value, found '\xC3\xA9'");
    REJECT("\f1", 1, 1, 0, "expected a value, found byte 0x0C");
    REJECT("\v1", 1, 1, 0, "expected a value, found byte 0x0B");
}

static void test_errors_literals_numbers(void)
{
    REJECT("tru", 1, 4, 3, "unexpected end of input");
    REJECT("trux", 1, 4, 3, "invalid literal (expected \"true\")");
    REJECT("fals", 1, 5, 4, "unexpected end of input");
    REJECT("[fale]", 1, 5, 4, "invalid literal (expected \"false\")");
    REJECT("nil", 1, 2, 1, "invalid literal (expected \"null\")");
    REJECT("True", 1, 1, 0, "expected a value, found 'T'");
    REJECT("NULL", 1, 1, 0, "expected a value, found 'N'");
    REJECT("truex", 1, 5, 4, "unexpected 'x' after the JSON value");
    REJECT("[nulll]", 1, 6, 5, "expected ',' or ']' after array element");
    REJECT("01", 1, 2, 1, "leading zeros are not allowed in numbers");
    REJECT("-00", 1, 3, 2, "leading zeros are not allowed in numbers");
    REJECT("[007]", 1, 3, 2, "leading zeros are not allowed in numbers");
    REJECT("-", 1, 2, 1, "unexpected end of input");
    REJECT("-a", 1, 2, 1, "expected a digit after '-'");
    REJECT("- 1", 1, 2, 1, "expected a digit after '-'");
    REJECT("--1", 1, 2, 1, "expected a digit after '-'");
    REJECT("-Infinity", 1, 2, 1, "expected a digit after '-'");
    REJECT("Infinity", 1, 1, 0, "expected a value, found 'I'");
    REJECT("NaN", 1, 1, 0, "expected a value, found 'N'");
    REJECT("+1", 1, 1, 0, "expected a value, found '+'");
    REJECT(".5", 1, 1, 0, "expected a value, found '.'");
    REJECT("1.", 1, 3, 2, "unexpected end of input");
    REJECT("1.x", 1, 3, 2, "expected a digit after '.'");
    REJECT("1.e5", 1, 3, 2, "expected a digit after '.'");
    REJECT("[1.]", 1, 4, 3, "expected a digit after '.'");
    REJECT("1e", 1, 3, 2, "unexpected end of input");
    REJECT("1e+", 1, 4, 3, "unexpected end of input");
    REJECT("1ex", 1, 3, 2, "expected a digit in the exponent");
    REJECT("1E-]", 1, 4, 3, "expected a digit in the exponent");
    REJECT("1e5.0", 1, 4, 3, "unexpected '.' after the JSON value");
    REJECT("1.5.2", 1, 4, 3, "unexpected '.' after the JSON value");
    REJECT("0x10", 1, 2, 1, "unexpected 'x' after the JSON value");
    REJECT("1_000", 1, 2, 1, "unexpected '_' after the JSON value");
}

static void test_errors_strings(void)
{
    REJECT("\"abc", 1, 5, 4, "unexpected end of input in string");
    REJECT("\"", 1, 2, 1, "unexpected end of input in string");
    REJECT("\"\xC3\xA9\xC3\xA9", 1, 4, 5, "unexpected end of input in string");
    REJECT("\"ab\\", 1, 5, 4, "unexpected end of input in string");
    REJECT("\"a\x01\"", 1, 3, 2, "unescaped control character U+0001 in string");
    REJECT("\"a\tb\"", 1, 3, 2, "unescaped control character U+0009 in string");
    REJECT("\"a\nb\"", 1, 3, 2, "unescaped control character U+000A in string");
    REJECT("\"\x1F\"", 1, 2, 1, "unescaped control character U+001F in string");
    REJECT("\"a\0b\"", 1, 3, 2, "unescaped control character U+0000 in string");
    REJECT("\"\\x\"", 1, 2, 1, "invalid escape \\x");
    REJECT("\"ab\\'\"", 1, 4, 3, "invalid escape \\'");
    REJECT("\"\\U0041\"", 1, 2, 1, "invalid escape \\U");
    REJECT("\"\\0\"", 1, 2, 1, "invalid escape \\0");
    REJECT("\"\\\xC3\xA9\"", 1, 2, 1, "invalid escape");
    REJECT("\"\\ \"", 1, 2, 1, "invalid escape");
    REJECT("\"\\u12\"", 1, 2, 1, "invalid escape: \\u must be followed by 4 hex digits");
    REJECT("\"\\u12G4\"", 1, 2, 1, "invalid escape: \\u must be followed by 4 hex digits");
    REJECT("\"\\u-123\"", 1, 2, 1, "invalid escape: \\u must be followed by 4 hex digits");
    REJECT("\"\\u12", 1, 6, 5, "unexpected end of input in string");
    REJECT("\"\\u0000\"", 1, 2, 1, "\\u0000 is not allowed in strings");
    REJECT("\"ab\\u0000\"", 1, 4, 3, "\\u0000 is not allowed in strings");
    REJECT("\"\\uD800\"", 1, 2, 1, "unpaired surrogate \\uD800");
    REJECT("\"\\udbff\"", 1, 2, 1, "unpaired surrogate \\uDBFF");
    REJECT("\"\\uDC00\"", 1, 2, 1, "unpaired surrogate \\uDC00");
    REJECT("\"\\uDFFF\\uD800\"", 1, 2, 1, "unpaired surrogate \\uDFFF");
    REJECT("\"x\\uD800\\u0041\"", 1, 3, 2, "unpaired surrogate \\uD800");
    REJECT("\"\\uD800\\uD800\"", 1, 2, 1, "unpaired surrogate \\uD800");
    REJECT("\"\\uD800\\uE000\"", 1, 2, 1, "unpaired surrogate \\uD800");
    REJECT("\"\\uD800x\"", 1, 2, 1, "unpaired surrogate \\uD800");
    REJECT("\"\\uD800\\n\"", 1, 2, 1, "unpaired surrogate \\uD800");
    REJECT("\"\\uD800\\uDC0", 1, 13, 12, "unexpected end of input in string");
    REJECT("\"\\uD800\\uDCZ0\"", 1, 8, 7, "invalid escape: \\u must be followed by 4 hex digits");
    REJECT("\"\\uD800", 1, 8, 7, "unexpected end of input in string");
    REJECT("\"\\uD800\\", 1, 9, 8, "unexpected end of input in string");
    REJECT("'single'", 1, 1, 0, "expected a value, found '''");
}

static void test_errors_utf8(void)
{
    /* Each invalid sequence is reported at its first byte, here column 2. */
    static const char *const bad[] = {
        "\x80",             /* stray continuation byte */
        "\xBF",
        "\xC0\x80",         /* overlong NUL */
        "\xC1\xBF",         /* overlong U+007F */
        "\xE0\x80\x80",     /* overlong */
        "\xE0\x9F\xBF",     /* overlong U+07FF */
        "\xF0\x80\x80\x80", /* overlong */
        "\xF0\x8F\xBF\xBF", /* overlong U+FFFF */
        "\xED\xA0\x80",     /* U+D800 encoded */
        "\xED\xBF\xBF",     /* U+DFFF encoded */
        "\xED\xA0\x80\xED\xB0\x80", /* a surrogate pair encoded (CESU-8) */
        "\xF4\x90\x80\x80", /* U+110000 */
        "\xF5\x80\x80\x80",
        "\xF8\x88\x80\x80\x80",
        "\xFE",
        "\xFF",
        "\xC3",             /* truncated by the closing quote */
        "\xE2\x82",
        "\xF0\x9F\x98",
        "\xC3\x41",         /* continuation missing */
        "\xE2\x41\x82",
        "\xE2\x82\x41",
        "\xF0\x9F\x41\x80",
        "\xC3\xC3\xA9",
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char buf[32];
        size_t n = strlen(bad[k]);
        buf[0] = '"';
        memcpy(buf + 1, bad[k], n);
        buf[n + 1] = '"';
        expect_error(__LINE__, buf, n + 2, 1, DEPTH, 1, 2, 1, "invalid UTF-8 in string");
        /* and cut short by the end of the input */
        expect_error(__LINE__, buf, n + 1, 1, DEPTH, 1, 2, 1, "invalid UTF-8 in string");
    }
    /* After valid multi-byte characters the column counts characters. */
    REJECT("\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xFF\"", 1, 5, 10, "invalid UTF-8 in string");
    REJECT("[\"\xC3\xA9\", x]", 1, 7, 7, "expected a value, found 'x'");
    REJECT("[\"\xF0\x9F\x98\x80\"]]", 1, 6, 8, "unexpected ']' after the JSON value");
    REJECT("{\"\xD0\xBA\xD0\xBB\xD1\x8E\xD1\x87\": tru}", 1, 13, 16,
           "invalid literal (expected \"true\")");
    REJECT("[\n  \"\xC3\xA9\\q\"]", 2, 5, 7, "invalid escape \\q");
    REJECT("[\"\xC3\xA9\",\n \"\xC3\xA9\xC3\xA9\" x]", 2, 7, 15,
           "expected ',' or ']' after array element");
}

static void test_errors_first_line(void)
{
    expect_error(__LINE__, "{\n\"a\":\n1,}", 10, 5, DEPTH, 7, 3, 9,
                 "expected a member name (a string in double quotes)");
    expect_error(__LINE__, "[1,", 3, 42, DEPTH, 42, 4, 3, "unexpected end of input");
    expect_error(__LINE__, "", 0, 9, DEPTH, 9, 1, 0, "empty input");
}

/* --------------------------------------------------------- duplicates */

static void test_duplicates(void)
{
    REJECT("{\"Effect\":\"Allow\",\"Effect\":\"Deny\"}", 1, 19, 18,
           "duplicate member \"Effect\"");
    REJECT("{\"Statement\":[{\"Sid\":\"a\",\n  \"Sid\":\"b\"}]}", 2, 3, 28,
           "duplicate member \"Sid\"");
    REJECT("[{}, {\"a\": {\"b\": 1, \"c\": {\"b\": 2, \"b\": 3}}}]", 1, 35, 34,
           "duplicate member \"b\"");
    REJECT("{\"a\":1,\"\\u0061\":2}", 1, 8, 7, "duplicate member \"a\"");
    REJECT("{\"\xC3\xA9\":1,\"\\u00e9\":2}", 1, 8, 8, "duplicate member \"\xC3\xA9\"");
    REJECT("{\"\":1,\"\":2}", 1, 7, 6, "duplicate member \"\"");
    REJECT("{\"a\\\"b\\n\":1,\"a\\\"b\\n\":2}", 1, 13, 12,
           "duplicate member \"a\\\"b\\u000A\"");
    REJECT("{\"a\":{},\"a\":{}}", 1, 9, 8, "duplicate member \"a\"");

    /* Members with the same name in different objects are fine. */
    json_doc *d = parse_exact("{\"a\":{\"a\":1},\"b\":{\"a\":2},\"ab\":3,\"\":4}", 37, 1,
                              DEPTH, NULL);
    CHECK(d != NULL);
    jv_doc_free(d);

    /* A long name is shortened in the message, which stays whole. */
    char big[600];
    size_t o = 0;
    for (int rep = 0; rep < 2; rep++) {
        big[o++] = rep ? ',' : '{';
        big[o++] = '"';
        for (int k = 0; k < 200; k++)
            big[o++] = 'k';
        memcpy(big + o, "\":1", 3);
        o += 3;
    }
    big[o++] = '}';
    json_error e;
    d = parse_exact(big, o, 1, DEPTH, &e);
    CHECK(d == NULL);
    CHECK(strncmp(e.message, "duplicate member \"kkkk", 22) == 0);
    CHECK(strlen(e.message) < sizeof e.message - 1);
    CHECK(strcmp(e.message + strlen(e.message) - 4, "...\"") == 0);
    CHECK_INT(e.pos.column, 207);
}

/* Builds {"k0":0,"k1":1,...} with n members, then "dup" as the last name. */
static char *wide_object(size_t n, const char *dup, size_t *len)
{
    size_t cap = n * 24 + 64, o = 0;
    char *buf = malloc(cap);
    if (!buf)
        exit(2);
    buf[o++] = '{';
    for (size_t k = 0; k < n; k++)
        o += (size_t)snprintf(buf + o, cap - o, "%s\"k%zu\":%zu", k ? "," : "", k, k);
    if (dup)
        o += (size_t)snprintf(buf + o, cap - o, ",\"%s\":0", dup);
    buf[o++] = '}';
    *len = o;
    return buf;
}

static void test_duplicates_wide(void)
{
    /* Around the switch from linear scan to hash set, and well past it. */
    static const size_t sizes[] = {1, 15, 16, 17, 18, 31, 32, 33, 64, 100, 1000, 20000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s], len;
        char *text = wide_object(n, NULL, &len);
        json_doc *d = parse_exact(text, len, 1, DEPTH, NULL);
        CHECK(d != NULL);
        if (d) {
            const json_value *root = jv_root(d);
            CHECK_INT(root->u.object.count, n);
            char key[32];
            snprintf(key, sizeof key, "k%zu", n - 1);
            const json_value *last = jv_get(root, key);
            CHECK(last && last->type == JV_NUMBER);
        }
        jv_doc_free(d);
        free(text);

        /* first, middle and last names repeated at the end */
        size_t picks[3] = {0, n / 2, n - 1};
        for (int k = 0; k < 3; k++) {
            char dup[32], want[64];
            snprintf(dup, sizeof dup, "k%zu", picks[k]);
            text = wide_object(n, dup, &len);
            json_error e;
            d = parse_exact(text, len, 1, DEPTH, &e);
            CHECK(d == NULL);
            jv_doc_free(d);
            snprintf(want, sizeof want, "duplicate member \"%s\"", dup);
            CHECK_STR(e.message, want);
            size_t at = len - strlen(dup) - 5; /* the quote of ,"kN":0} */
            CHECK_INT(e.pos.offset, at);
            CHECK_INT(e.pos.column, at + 1);
            free(text);
        }
    }

    /* Nested wide objects each keep their own set. */
    size_t len;
    char *inner = wide_object(40, NULL, &len);
    size_t cap = len * 3 + 64;
    char *text = malloc(cap);
    if (!text)
        exit(2);
    int o = snprintf(text, cap, "{\"x\":%.*s,\"y\":%.*s,", (int)len, inner, (int)len, inner);
    for (int k = 0; k < 30; k++)
        o += snprintf(text + o, cap - (size_t)o, "\"m%d\":%d,", k, k);
    o += snprintf(text + o, cap - (size_t)o, "\"x\":1}");
    json_error e;
    json_doc *d = parse_exact(text, (size_t)o, 1, DEPTH, &e);
    CHECK(d == NULL);
    CHECK_STR(e.message, "duplicate member \"x\"");
    CHECK_INT(e.pos.offset, (size_t)o - 6);
    text[o - 5] = 'z'; /* "z":1} */
    d = parse_exact(text, (size_t)o, 1, DEPTH, &e);
    CHECK(d != NULL);
    if (d)
        CHECK_INT(jv_root(d)->u.object.count, 33);
    jv_doc_free(d);
    free(text);
    free(inner);
}

/* ---------------------------------------------------------------- depth */

static char *nested(size_t levels, char open, char close, size_t *len)
{
    char *buf = malloc(levels * 2 + 1);
    if (!buf)
        exit(2);
    memset(buf, open, levels);
    buf[levels] = '1';
    memset(buf + levels + 1, close, levels);
    *len = levels * 2 + 1;
    return buf;
}

/* {"a":{"a":...1...}} */
static char *nested_objects(size_t levels, size_t *len)
{
    char *buf = malloc(levels * 6 + 1);
    if (!buf)
        exit(2);
    for (size_t j = 0; j < levels; j++)
        memcpy(buf + j * 5, "{\"a\":", 5);
    buf[levels * 5] = '1';
    memset(buf + levels * 5 + 1, '}', levels);
    *len = levels * 6 + 1;
    return buf;
}

static void test_depth_edges(void)
{
    json_error e;
    json_doc *d;

    d = parse_exact("\"x\"", 3, 1, 0, &e);
    CHECK(d != NULL);
    jv_doc_free(d);
    REJECT_DEPTH("[]", 0, 1, 1, 0, "nesting deeper than 0");
    REJECT_DEPTH("{}", 0, 1, 1, 0, "nesting deeper than 0");
    REJECT_DEPTH("[[[1]]]", 2, 1, 3, 2, "nesting deeper than 2");
    REJECT_DEPTH("{\"a\":{\"b\":[1]}}", 2, 1, 11, 10, "nesting deeper than 2");
    REJECT_DEPTH("[{\"a\":\n [{}]}]", 3, 2, 3, 9, "nesting deeper than 3");
    d = parse_exact("{\"a\":{\"b\":[1]}}", 15, 1, 3, &e);
    CHECK(d != NULL);
    jv_doc_free(d);
    /* siblings do not add up */
    d = parse_exact("[[1],[2],{\"a\":[3]}]", 19, 1, 3, &e);
    CHECK(d != NULL);
    jv_doc_free(d);

    static const size_t depths[] = {1, 31, 32, 33, 64, 1000, 10000};
    for (size_t k = 0; k < sizeof depths / sizeof depths[0]; k++) {
        size_t max = depths[k];
        for (size_t extra = 0; extra < 2; extra++) {
            for (int obj = 0; obj < 2; obj++) {
                size_t levels = max + extra, len;
                char *text = obj ? nested_objects(levels, &len) : nested(levels, '[', ']', &len);
                d = parse_exact(text, len, 1, (unsigned)max, &e);
                if (!extra) {
                    CHECK(d != NULL);
                } else {
                    /* the first container past the limit is the culprit */
                    char want[64];
                    snprintf(want, sizeof want, "nesting deeper than %zu", max);
                    CHECK(d == NULL);
                    CHECK_STR(e.message, want);
                    CHECK_INT(e.pos.offset, obj ? max * 5 : max);
                }
                jv_doc_free(d);
                free(text);
            }
        }
    }

    /* Far deeper than any C stack would take with recursion. */
    size_t len;
    char *text = nested(200000, '[', ']', &len);
    d = parse_exact(text, len, 1, 4000000000u, &e);
    CHECK(d != NULL);
    if (d) {
        const json_value *v = jv_root(d);
        size_t levels = 0;
        while (v->type == JV_ARRAY && v->u.array.count == 1) {
            v = v->u.array.items[0];
            levels++;
        }
        CHECK_INT(levels, 200000);
        CHECK(v->type == JV_NUMBER);
    }
    jv_doc_free(d);
    free(text);
}

/* ------------------------------------------------------ values, positions */

static void check_pos(int at, json_pos p, unsigned line, unsigned col, unsigned off)
{
    unsigned failed = check_failed_count;
    CHECK_INT(p.line, line);
    CHECK_INT(p.column, col);
    CHECK_INT(p.offset, off);
    if (check_failed_count != failed)
        fprintf(stderr, "  ^ position at %s:%d\n", __FILE__, at);
}
#define POS(p, line, col, off) check_pos(__LINE__, p, line, col, off)

static const json_value *item(const json_value *v, size_t k)
{
    if (!v || v->type != JV_ARRAY || k >= v->u.array.count)
        return NULL;
    return v->u.array.items[k];
}

static void test_positions(void)
{
    const char *t1 = "{\"a\": 1}";
    json_doc *d = parse_exact(t1, strlen(t1), 1, DEPTH, NULL);
    CHECK(d != NULL);
    if (d) {
        const json_value *r = jv_root(d);
        POS(r->pos, 1, 1, 0);
        CHECK_INT(r->u.object.count, 1);
        POS(r->u.object.members[0].key_pos, 1, 2, 1);
        POS(r->u.object.members[0].value->pos, 1, 7, 6);
    }
    jv_doc_free(d);

    /* é is 2 bytes, 日本 6, 😀 4: columns count characters. */
    const char *t2 = "[\"\xC3\xA9\", \"\xE6\x97\xA5\xE6\x9C\xAC\", \"\xF0\x9F\x98\x80\", 1]";
    d = parse_exact(t2, strlen(t2), 1, DEPTH, NULL);
    CHECK(d != NULL);
    if (d) {
        const json_value *r = jv_root(d);
        CHECK_INT(r->u.array.count, 4);
        POS(item(r, 0)->pos, 1, 2, 1);
        POS(item(r, 1)->pos, 1, 7, 7);
        POS(item(r, 2)->pos, 1, 13, 17);
        POS(item(r, 3)->pos, 1, 18, 25);
        CHECK_STR(item(r, 1)->u.text.ptr, "\xE6\x97\xA5\xE6\x9C\xAC");
    }
    jv_doc_free(d);

    /* A multi-byte name before its value; lines counted from first_line. */
    const char *t3 = "{\n  \"Effect\": \"Allow\",\n  \"Action\": [\"s3:Get*\", 12],\n"
                     "  \"\xD0\xBA\xD0\xBB\xD1\x8E\xD1\x87\": \"v\"\n}";
    d = parse_exact(t3, strlen(t3), 10, DEPTH, NULL);
    CHECK(d != NULL);
    if (d) {
        const json_value *r = jv_root(d);
        POS(r->pos, 10, 1, 0);
        CHECK_INT(r->u.object.count, 3);
        const json_member *m = r->u.object.members;
        CHECK_STR(m[0].key, "Effect");
        CHECK_INT(m[0].key_len, 6);
        POS(m[0].key_pos, 11, 3, 4);
        POS(m[0].value->pos, 11, 13, 14);
        POS(m[1].key_pos, 12, 3, 25);
        POS(m[1].value->pos, 12, 13, 35);
        POS(item(m[1].value, 0)->pos, 12, 14, 36);
        POS(item(m[1].value, 1)->pos, 12, 25, 47);
        CHECK_STR(m[2].key, "\xD0\xBA\xD0\xBB\xD1\x8E\xD1\x87");
        CHECK_INT(m[2].key_len, 8);
        POS(m[2].key_pos, 13, 3, 54);
        POS(m[2].value->pos, 13, 11, 66);
        CHECK(jv_get(r, "Effect") == m[0].value);
        CHECK(jv_get(r, "\xD0\xBA\xD0\xBB\xD1\x8E\xD1\x87") == m[2].value);
        CHECK(jv_get(r, "effect") == NULL);
        CHECK(jv_get(r, "Effec") == NULL);
        CHECK(jv_get(r, "") == NULL);
        CHECK(jv_get(m[1].value, "Effect") == NULL); /* not an object */
    }
    jv_doc_free(d);

    /* CRLF line ends; tabs are one column. */
    const char *t4 = "[\r\n\t1,\r\n\t\t\"\xC3\xA9\" ,\r\n  null]";
    d = parse_exact(t4, strlen(t4), 1, DEPTH, NULL);
    CHECK(d != NULL);
    if (d) {
        const json_value *r = jv_root(d);
        POS(item(r, 0)->pos, 2, 2, 4);
        POS(item(r, 1)->pos, 3, 3, 10);
        POS(item(r, 2)->pos, 4, 3, 20);
        CHECK(item(r, 2)->type == JV_NULL);
    }
    jv_doc_free(d);

    /* Escapes take their written width in columns. */
    const char *t5 = "[\"\\u00e9\\n\", true]";
    d = parse_exact(t5, strlen(t5), 1, DEPTH, NULL);
    CHECK(d != NULL);
    if (d)
        POS(item(jv_root(d), 1)->pos, 1, 14, 13);
    jv_doc_free(d);

    /* A scalar root, with whitespace around it. */
    d = parse_exact("\n\n   false  \n", 13, 3, DEPTH, NULL);
    CHECK(d != NULL);
    if (d) {
        CHECK(jv_root(d)->type == JV_FALSE);
        POS(jv_root(d)->pos, 5, 4, 5);
    }
    jv_doc_free(d);
}

static const json_value *parse_one(json_doc **d, const char *text)
{
    *d = parse_exact(text, strlen(text), 1, DEPTH, NULL);
    CHECK(*d != NULL);
    return *d ? jv_root(*d) : NULL;
}

static void expect_number(const char *text, const char *want)
{
    json_doc *d;
    const json_value *v = parse_one(&d, text);
    if (v) {
        if (v->type == JV_ARRAY)
            v = item(v, 0);
        CHECK(v && v->type == JV_NUMBER);
        if (v && v->type == JV_NUMBER) {
            CHECK_STR(v->u.text.ptr, want);
            CHECK_INT(v->u.text.len, strlen(want));
        }
    }
    jv_doc_free(d);
}

static void expect_string(const char *text, const char *want, size_t want_len)
{
    json_doc *d;
    const json_value *v = parse_one(&d, text);
    if (v) {
        CHECK(v->type == JV_STRING);
        if (v->type == JV_STRING) {
            CHECK_INT(v->u.text.len, want_len);
            CHECK(v->u.text.len == want_len && memcmp(v->u.text.ptr, want, want_len) == 0);
            CHECK(v->u.text.ptr[v->u.text.len] == '\0');
        }
    }
    jv_doc_free(d);
}

static void test_values(void)
{
    expect_number("1.50", "1.50");
    expect_number("[1.50]", "1.50");
    expect_number("-0", "-0");
    expect_number("0", "0");
    expect_number("-0.0", "-0.0");
    expect_number("1e5", "1e5");
    expect_number("1E+05", "1E+05");
    expect_number("2.5e-3", "2.5e-3");
    expect_number("[ 10 ]", "10");
    expect_number("123456789012345678901234567890", "123456789012345678901234567890");
    expect_number("1e400", "1e400");
    expect_number("-1e-400", "-1e-400");
    expect_number("  7\n", "7");

    expect_string("\"\"", "", 0);
    expect_string("\"Allow\"", "Allow", 5);
    expect_string("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8);
    expect_string("\"\\u0041\\u00e9\\u00E9\"", "A\xC3\xA9\xC3\xA9", 5);
    expect_string("\"\\u0001\\u001f\\u007F\"", "\x01\x1F\x7F", 3);
    expect_string("\"\\u0080\\u07FF\\u0800\\uFFFF\"",
                  "\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF", 10);
    expect_string("\"\\u20AC\"", "\xE2\x82\xAC", 3);
    expect_string("\"\\uD83D\\uDE00\"", "\xF0\x9F\x98\x80", 4);
    expect_string("\"\\ud83d\\ude00\"", "\xF0\x9F\x98\x80", 4);
    expect_string("\"\\uD800\\uDC00\"", "\xF0\x90\x80\x80", 4);
    expect_string("\"\\uDBFF\\uDFFF\"", "\xF4\x8F\xBF\xBF", 4);
    expect_string("\"a\\uD83D\\uDE00b\\n\xC3\xA9\"", "a\xF0\x9F\x98\x80" "b\n\xC3\xA9", 9);
    expect_string("\"\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF\"",
                  "\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF", 16);
    expect_string("\"\xF0\x90\x80\x80\xF4\x8F\xBF\xBF\"", "\xF0\x90\x80\x80\xF4\x8F\xBF\xBF", 8);
    expect_string("\"\x7F\"", "\x7F", 1);
    expect_string("\"a/b\\/c\"", "a/b/c", 5);
    expect_string("\"${aws:username}*?\"", "${aws:username}*?", 17);

    json_doc *d;
    const json_value *v = parse_one(&d, "[true, false, null, [], {}, \"\", 0]");
    if (v) {
        CHECK_INT(v->u.array.count, 7);
        CHECK(item(v, 0)->type == JV_TRUE);
        CHECK(item(v, 1)->type == JV_FALSE);
        CHECK(item(v, 2)->type == JV_NULL);
        CHECK(item(v, 3)->type == JV_ARRAY && item(v, 3)->u.array.count == 0);
        CHECK(item(v, 4)->type == JV_OBJECT && item(v, 4)->u.object.count == 0);
        CHECK(jv_get(item(v, 4), "a") == NULL);
        CHECK(item(v, 5)->type == JV_STRING && item(v, 5)->u.text.len == 0);
        POS(item(v, 6)->pos, 1, 33, 32);
    }
    jv_doc_free(d);

    /* Member order is document order. */
    v = parse_one(&d, "{\"z\":1,\"a\":2,\"m\":{\"y\":[],\"b\":null}}");
    if (v) {
        CHECK_INT(v->u.object.count, 3);
        CHECK_STR(v->u.object.members[0].key, "z");
        CHECK_STR(v->u.object.members[1].key, "a");
        CHECK_STR(v->u.object.members[2].key, "m");
        const json_value *m = jv_get(v, "m");
        CHECK(m && m->u.object.count == 2);
        if (m) {
            CHECK_STR(m->u.object.members[0].key, "y");
            CHECK_STR(m->u.object.members[1].key, "b");
        }
    }
    jv_doc_free(d);

    /* A wide array, past the parser's first slot stack. */
    char buf[4000];
    size_t o = 0;
    buf[o++] = '[';
    for (int k = 0; k < 500; k++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%d", k ? "," : "", k % 10);
    buf[o++] = ']';
    d = parse_exact(buf, o, 1, DEPTH, NULL);
    CHECK(d != NULL);
    if (d) {
        v = jv_root(d);
        CHECK_INT(v->u.array.count, 500);
        CHECK_STR(item(v, 499)->u.text.ptr, "9");
        POS(item(v, 499)->pos, 1, 1000, 999);
    }
    jv_doc_free(d);

    /* The API's NULL cases. */
    CHECK(jv_root(NULL) == NULL);
    jv_doc_free(NULL);
    CHECK(jv_get(NULL, "a") == NULL);
    CHECK(jv_parse("[1", 2, 1, DEPTH, NULL) == NULL);
    json_error e;
    CHECK(jv_parse(NULL, 0, 1, DEPTH, &e) == NULL);
    CHECK_STR(e.message, "empty input");
    d = jv_parse("[1]", 3, 1, DEPTH, NULL);
    CHECK(d != NULL);
    jv_doc_free(d);
}

/* Every value's position, checked against one computed independently from
 * its offset; and the character there must start a value of its type. */
typedef struct pos_oracle {
    const unsigned char *text;
    size_t len;
    uint32_t *line, *col;
} pos_oracle;

static int oracle_init(pos_oracle *o, const char *text, size_t len, uint32_t first_line)
{
    o->text = (const unsigned char *)text;
    o->len = len;
    o->line = malloc((len + 1) * sizeof *o->line);
    o->col = malloc((len + 1) * sizeof *o->col);
    if (!o->line || !o->col)
        return 0;
    uint32_t line = first_line, col = 1;
    for (size_t k = 0; k <= len; k++) {
        o->line[k] = line;
        o->col[k] = col;
        if (k == len)
            break;
        if (o->text[k] == '\n') {
            line++;
            col = 1;
        } else if ((o->text[k] & 0xC0) != 0x80) {
            col++;
        }
    }
    return 1;
}

static void oracle_free(pos_oracle *o)
{
    free(o->line);
    free(o->col);
}

static int pos_ok(const pos_oracle *o, json_pos p)
{
    return p.offset < o->len && o->line[p.offset] == p.line && o->col[p.offset] == p.column;
}

static int first_char_ok(const pos_oracle *o, const json_value *v)
{
    unsigned char c = o->text[v->pos.offset];
    switch (v->type) {
    case JV_NULL: return c == 'n';
    case JV_FALSE: return c == 'f';
    case JV_TRUE: return c == 't';
    case JV_NUMBER: return c == '-' || (c >= '0' && c <= '9');
    case JV_STRING: return c == '"';
    case JV_ARRAY: return c == '[';
    case JV_OBJECT: return c == '{';
    }
    return 0;
}

/* Returns the number of bad positions under v. */
static size_t walk_positions(const pos_oracle *o, const json_value *v)
{
    size_t bad = !pos_ok(o, v->pos) || !first_char_ok(o, v);
    if (v->type == JV_ARRAY) {
        for (size_t k = 0; k < v->u.array.count; k++)
            bad += walk_positions(o, v->u.array.items[k]);
    } else if (v->type == JV_OBJECT) {
        for (size_t k = 0; k < v->u.object.count; k++) {
            const json_member *m = &v->u.object.members[k];
            bad += !pos_ok(o, m->key_pos) || o->text[m->key_pos.offset] != '"';
            bad += m->key_pos.offset >= m->value->pos.offset;
            bad += walk_positions(o, m->value);
        }
    }
    return bad;
}

/* ---------------------------------------------------- jansson differential */


/* Nesting as jansson counts it against its limit: scalars count too. */
static size_t jansson_depth(const json_value *v)
{
    size_t deepest = 0;
    if (v->type == JV_ARRAY) {
        for (size_t k = 0; k < v->u.array.count; k++) {
            size_t d = jansson_depth(v->u.array.items[k]);
            deepest = d > deepest ? d : deepest;
        }
    } else if (v->type == JV_OBJECT) {
        for (size_t k = 0; k < v->u.object.count; k++) {
            size_t d = jansson_depth(v->u.object.members[k].value);
            deepest = d > deepest ? d : deepest;
        }
    }
    return deepest + 1;
}

/* jansson loses a NUL byte that directly follows a number or a literal: its
 * lexer ungets the byte into a NUL-terminated buffer, where it then reads as
 * "empty" and the next byte is fetched instead. */
static int jansson_lost_nul(const char *text, size_t len, const json_error *e)
{
    size_t k = e->pos.offset;
    if (k == 0 || k >= len || text[k] != 0)
        return 0;
    char prev = text[k - 1];
    return (prev >= '0' && prev <= '9') || (prev >= 'a' && prev <= 'z');
}

/* Parses with both; NULL if they agree, else what differs. Known
 * differences: jansson rejects numbers that overflow its int64/double and
 * counts a scalar as one more level of nesting; and jansson_lost_nul(). */
static const char *differential(const char *text, size_t len)
{
    static char why[300];
    json_error e;
    json_error_t je;
    char *copy = malloc(len ? len : 1);
    if (!copy)
        exit(2);
    memcpy(copy, text, len);
    json_doc *d = jv_parse(copy, len, 1, 2048, &e);
    json_t *j = json_loadb(copy, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    const char *res = NULL;
    /* Where jansson accepts after losing NULs, ours must accept without them. */
    while (!d && j && jansson_lost_nul(copy, len, &e)) {
        memmove(copy + e.pos.offset, copy + e.pos.offset + 1, len - e.pos.offset - 1);
        len--;
        d = jv_parse(copy, len, 1, 2048, &e);
    }
    if (d && !j) {
        enum json_error_code code = json_error_code(&je);
        if (code != json_error_numeric_overflow &&
            !(code == json_error_stack_overflow &&
              jansson_depth(jv_root(d)) > JSON_PARSER_MAX_DEPTH)) {
            snprintf(why, sizeof why, "only ours accepts; jansson: %s at %d:%d", je.text,
                     je.line, je.column);
            res = why;
        }
    } else if (!d && j) {
        snprintf(why, sizeof why, "only jansson accepts; ours: %s at %u:%u", e.message,
                 (unsigned)e.pos.line, (unsigned)e.pos.column);
        res = why;
    } else if (d && j) {
        res = tree_diff(jv_root(d), j);
        if (!res) {
            pos_oracle o;
            if (!oracle_init(&o, copy, len, 1))
                exit(2);
            if (walk_positions(&o, jv_root(d)))
                res = "value positions";
            oracle_free(&o);
        }
    } else if (e.pos.offset > len || e.pos.line < 1 || e.pos.column < 1) {
        res = "error position out of range";
    }
    jv_doc_free(d);
    json_decref(j);
    free(copy);
    return res;
}

static void agree(int at, const char *text, size_t len)
{
    const char *why = differential(text, len);
    CHECK(why == NULL);
    if (why) {
        fprintf(stderr, "  ^ case at %s:%d: %s; input:", __FILE__, at, why);
        for (size_t k = 0; k < len && k < 80; k++)
            fprintf(stderr, " %02X", (unsigned char)text[k]);
        fprintf(stderr, "\n");
    }
}

static void test_differential_table(void)
{
    static const char *const inputs[] = {
        "", " ", "null", "true", "false", "0", "-0", "1", "-1", "1.5", "-1.5e10",
        "1E5", "1e-5", "1.0E+2", "0.000001", "9007199254740993", "-9223372036854775808",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "1e308", "1e309", "-1e309", "1e-400", "4.9e-324", "2.2250738585072014e-308",
        "123456789.123456789e-5", "01", "-01", "1.", ".1", "1e", "1e+", "-", "--1", "+1",
        "0x1", "NaN", "Infinity", "[1,]", "[,]", "[]", "{}", "[[]]", "[{}]", "{\"\":{}}",
        "[1 2]", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{1:1}", "{\"a\":1,}", "[\"a\",]",
        "\"\"", "\"abc\"", "\"\\\"\"", "\"\\\\\"", "\"\\/\"", "\"\\b\\f\\n\\r\\t\"",
        "\"\\u0041\"", "\"\\u00e9\"", "\"\\u20ac\"", "\"\\uD83D\\uDE00\"", "\"\\uD800\"",
        "\"\\uDC00\"", "\"\\uD800\\uD800\"", "\"\\uDC00\\uD800\"", "\"\\uD800\\u0041\"",
        "\"\\u0000\"", "\"\\u000\"", "\"\\u00G0\"", "\"\\x\"", "\"\\'\"", "\"\\a\"",
        "\"a\tb\"", "\"a\x7f\"", "\"\x01\"", "\"abc", "\"\\", "\"\\u", "\"\\uD83D\\u",
        "[\"\xC3\xA9\"]", "\"\xC0\xAF\"", "\"\xE0\x80\xAF\"", "\"\xED\xA0\x80\"",
        "\"\xF4\x90\x80\x80\"", "\"\xF0\x9F\x98\x80\"", "\"\xF0\x9F\x98\"", "\"\xFF\"",
        "\xEF\xBB\xBF[]", "[1] ", " [1]", "\t\n\r [1]\t\n\r ", "[1]x", "[1]]", "[1],",
        "{\"a\":1,\"a\":1}", "{\"a\":1,\"b\":{\"a\":2}}", "{\"a\":{\"b\":1,\"b\":2}}",
        "{\"\\u0061\":1,\"a\":2}", "{\"\":1,\"\":2}", "[{\"a\":1},{\"a\":1}]",
        "tru", "truee", "nul", "nulll", "fals", "TRUE", "[true false]",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
        "[\"s3:GetObject\",\"s3:ListBucket\"],\"Resource\":\"*\",\"Condition\":"
        "{\"NumericLessThanEquals\":{\"s3:max-keys\":\"10\"}}}]}",
        "[1e5, 1E5, 1.50, -0.0, 0e0, 0E-0, 100e-2]", "\"\x7f\x80\"", "[\"\\u007f\"]",
        "\f[]", "[]\f", "[\v]", "[1]\0", "\0", "[\"\0\"]", "{\"a\":1}{}", "[]  []",
    };
    for (size_t k = 0; k < sizeof inputs / sizeof inputs[0]; k++)
        agree(__LINE__, inputs[k], strlen(inputs[k]));
    agree(__LINE__, "[1]\0", 4);
    agree(__LINE__, "\0", 1);
    agree(__LINE__, "[\"\0\"]", 5);
    agree(__LINE__, "\"a\0b\"", 5);
    agree(__LINE__, "[null\0, 1.5\0, true\0]", 21);
    agree(__LINE__, "1\0", 2);
    agree(__LINE__, "[1\0\0]", 5);

    /* Every byte, alone and inside a string. */
    for (int b = 0; b < 256; b++) {
        char in[8] = {(char)b};
        agree(__LINE__, in, 1);
        in[0] = '"';
        in[1] = (char)b;
        in[2] = '"';
        agree(__LINE__, in, 3);
        in[0] = '"';
        in[1] = '\\';
        in[2] = (char)b;
        in[3] = '"';
        agree(__LINE__, in, 4);
    }

    /* Multi-byte sequences around every boundary of RFC 3629's table. */
    static const unsigned char edge[] = {0x00, 0x22, 0x41, 0x7F, 0x80, 0x8F, 0x90,
                                         0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xE0, 0xF0, 0xFF};
    unsigned before = check_failed_count;
    for (int b1 = 0x80; b1 < 0x100; b1++)
        for (size_t i2 = 0; i2 < sizeof edge; i2++)
            for (size_t i3 = 0; i3 < sizeof edge; i3++)
                for (size_t i4 = 0; i4 < sizeof edge; i4 += 2) {
                    char in[8] = {'"', (char)b1, (char)edge[i2], (char)edge[i3],
                                  (char)edge[i4], '"'};
                    const char *why = differential(in, 6);
                    if (why) {
                        CHECK(why == NULL);
                        fprintf(stderr, "  ^ %s on %02X %02X %02X %02X\n", why, b1,
                                edge[i2], edge[i3], edge[i4]);
                    }
                }
    CHECK(check_failed_count == before);

    /* \u escapes around the surrogate ranges, alone and as pairs. */
    static const unsigned cps[] = {0x0000, 0x0001, 0x001F, 0x0020, 0x007F, 0x0080,
                                   0x07FF, 0x0800, 0xD7FF, 0xD800, 0xDBFF, 0xDC00,
                                   0xDFFF, 0xE000, 0xFFFD, 0xFFFF};
    before = check_failed_count;
    for (size_t a = 0; a < sizeof cps / sizeof cps[0]; a++) {
        char in[32];
        int n = snprintf(in, sizeof in, "\"\\u%04X\"", cps[a]);
        if (differential(in, (size_t)n))
            agree(__LINE__, in, (size_t)n);
        for (size_t b = 0; b < sizeof cps / sizeof cps[0]; b++) {
            n = snprintf(in, sizeof in, "\"\\u%04x\\u%04X\"", cps[a], cps[b]);
            if (differential(in, (size_t)n))
                agree(__LINE__, in, (size_t)n);
        }
    }
    CHECK(check_failed_count == before);

    /* Nesting at jansson's own limit, where both must still agree. */
    for (size_t levels = 2047; levels <= 2049; levels++) {
        size_t len;
        char *text = nested(levels, '[', ']', &len);
        agree(__LINE__, text, len);
        free(text);
    }
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *grown = realloc(buf, cap * 2);
        if (!grown) {
            free(buf);
            buf = NULL;
        }
        buf = grown;
        cap *= 2;
    }
    fclose(f);
    *len = n;
    return buf;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs the differential over every *.json in dir; returns how many. */
static size_t differential_dir(const char *dir, int truncations)
{
    DIR *dp = opendir(dir);
    if (!dp) {
        printf("skipping %s: %s\n", dir, strerror(errno));
        return 0;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n < 5 || strcmp(de->d_name + n - 5, ".json") != 0)
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown)
                exit(2);
            names = grown;
        }
        names[count] = strdup(de->d_name);
        if (!names[count])
            exit(2);
        count++;
    }
    closedir(dp);
    qsort(names, count, sizeof *names, by_name);

    size_t done = 0, truncated = 0;
    for (size_t k = 0; k < count; k++) {
        char path[4096];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        char *text = read_file(path, &len);
        CHECK(text != NULL);
        if (text) {
            const char *why = differential(text, len);
            CHECK(why == NULL);
            if (why)
                fprintf(stderr, "  ^ %s: %s\n", path, why);
            /* Every prefix of a few small files: each cut is a new error. */
            if (truncations && len < 1200 && truncated < 4) {
                truncated++;
                unsigned before = check_failed_count;
                for (size_t cut = 0; cut < len; cut++) {
                    why = differential(text, cut);
                    if (why) {
                        CHECK(why == NULL);
                        fprintf(stderr, "  ^ %s cut at %zu: %s\n", path, cut, why);
                        break;
                    }
                }
                CHECK(check_failed_count == before);
            }
            done++;
        }
        free(text);
        free(names[k]);
    }
    free(names);
    return done;
}

static void test_differential_files(void)
{
    size_t a = differential_dir("../shared/data/aws-managed-policies", 1);
    size_t b = differential_dir("../shared/conformance/cases", 1);
    printf("differential: %zu managed policies, %zu conformance files\n", a, b);
}

int main(void)
{
    test_errors_structure();
    test_errors_literals_numbers();
    test_errors_strings();
    test_errors_utf8();
    test_errors_first_line();
    test_duplicates();
    test_duplicates_wide();
    test_depth_edges();
    test_positions();
    test_values();
    test_differential_table();
    test_differential_files();
    return check_report();
}
