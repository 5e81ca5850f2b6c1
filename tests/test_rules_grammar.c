/* Rules of spec sections 1 (policy grammar) and 2.1 (the wildcard primitive)
 * that a scenario file cannot state, or that are worth pinning below the
 * scenario level:
 *   [G-J1] a policy is one JSON object, UTF-8, RFC 8259;
 *   [G-J2] duplicate member names at every level (a scenario file with a
 *          duplicate member does not load at all, so only a unit test can
 *          show the policy-level error and where it is reported);
 *   [G-J3]..[G-J6], [G-M] error classes and the exact line, column (in
 *          characters) and JSON path of the offending element;
 *   [M-W1]..[M-W5] glob semantics on every matching path of engine/match.h
 *          (PCRE2 JIT, PCRE2 interpreter, element matcher, fast path) and on
 *          glob_parse + glob_match_elems.
 * Every expectation is derived from shared/spec/iam-semantics.md, not from
 * what the engine answers. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "iameval.h"
#include "literal.h"
#include "match.h"

#define A1 "111122223333"
#define ALICE "arn:aws:iam::" A1 ":user/alice"
#define OBJ "arn:aws:s3:::reports/q1.csv"

static iam_str S(const char *s)
{
    return (iam_str){s, s ? strlen(s) : 0};
}

/* ------------------------------------------------------------------------ */
/* Parsing helpers                                                           */
/* ------------------------------------------------------------------------ */

/* Parses text as a policy of the given type; returns the status and fills err. */
static iam_status parse_n(const char *text, size_t len, iam_policy_type type, iam_error *err)
{
    iam_policy *p = NULL;
    memset(err, 0, sizeof *err);
    iam_status st = iam_policy_parse(&p, text, len, type, "rules.json", NULL, err);
    if (st == IAM_OK) {
        CHECK(p != NULL);
        iam_policy_free(p);
    } else {
        CHECK(p == NULL);
    }
    return st;
}

static iam_status parse(const char *text, iam_policy_type type, iam_error *err)
{
    return parse_n(text, strlen(text), type, err);
}

/* The policy must be rejected with status `want`, at line:column, with the
 * given JSON path (NULL: path not checked). line == 0: position not checked. */
static void expect_error_n(const char *rule, const char *text, size_t len, iam_policy_type type,
                           iam_status want, uint32_t line, uint32_t column, const char *path)
{
    iam_error err;
    iam_status st = parse_n(text, len, type, &err);
    bool ok = st == want && err.code == want;
    if (line)
        ok = ok && err.line == line && err.column == column;
    if (path) {
        size_t pl = strlen(path);
        if (pl && path[pl - 1] == '*') /* a prefix */
            ok = ok && strncmp(err.path, path, pl - 1) == 0;
        else
            ok = ok && strcmp(err.path, path) == 0;
    }
    CHECK_NAMED(rule, ok);
    if (!ok)
        fprintf(stderr, "  [%s] policy %.200s\n  want status %d at %u:%u path \"%s\"; got %d at %u:%u path \"%s\": %s\n",
                rule, text, (int)want, line, column, path ? path : "(any)", (int)st, err.line,
                err.column, err.path, err.message);
}

static void expect_error(const char *rule, const char *text, iam_policy_type type, iam_status want,
                         uint32_t line, uint32_t column, const char *path)
{
    expect_error_n(rule, text, strlen(text), type, want, line, column, path);
}

static void expect_ok(const char *rule, const char *text, iam_policy_type type)
{
    iam_error err;
    iam_status st = parse(text, type, &err);
    CHECK_NAMED(rule, st == IAM_OK);
    if (st != IAM_OK)
        fprintf(stderr, "  [%s] policy %.200s\n  rejected: %u:%u %s (%s)\n", rule, text, err.line,
                err.column, err.message, err.path);
}

/* ------------------------------------------------------------------------ */
/* Evaluation helper: alice (111122223333) with one identity policy          */
/* ------------------------------------------------------------------------ */

/* Returns the decision, -1 for a request error, -2 for a policy error. */
static int decide(const char *identity, const char *action, const char *resource, const char *key,
                  const char *value)
{
    iam_policy *p = NULL;
    iam_error err;
    if (iam_policy_parse(&p, identity, strlen(identity), IAM_POLICY_IDENTITY, "id", NULL, &err) != IAM_OK)
        return -2;
    iam_setup *su = NULL;
    iam_policy_set *set = NULL;
    iam_scratch *sc = NULL;
    int result = -3;
    if (iam_setup_create(&su) != IAM_OK || iam_setup_add(su, p, 0, &err) != IAM_OK ||
        iam_policy_set_compile(&set, su, NULL, &err) != IAM_OK || iam_scratch_create(&sc, NULL) != IAM_OK)
        goto out;
    iam_request rq;
    memset(&rq, 0, sizeof rq);
    rq.principal = S(ALICE);
    rq.action = S(action);
    rq.resource = S(resource);
    rq.resource_account = S(A1);
    iam_context_entry ce;
    iam_str v = S(value);
    if (key) {
        ce.key = S(key);
        ce.values = &v;
        ce.value_count = 1;
        ce.multivalued = 0;
        rq.context = &ce;
        rq.context_count = 1;
    }
    iam_decision d;
    result = iam_evaluate(set, &rq, sc, &d, &err) == IAM_OK ? (int)d : -1;
out:
    iam_scratch_free(sc);
    iam_policy_set_free(set);
    iam_setup_free(su);
    iam_policy_free(p);
    return result;
}

#define ALLOW_STMT(action, resource) \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":" action ",\"Resource\":" resource "}]}"

/* ------------------------------------------------------------------------ */
/* [G-J1] one UTF-8 JSON object                                              */
/* ------------------------------------------------------------------------ */

static void test_g_j1(void)
{
    /* Valid JSON that is not an object: a policy error naming the root. */
    expect_error("G-J1", "[]", IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 1, 1, "$");
    expect_error("G-J1", "[{\"Statement\":[]}]", IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 1, 1, "$");
    expect_error("G-J1", "\"{\\\"Statement\\\":[]}\"", IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 1, 1, "$");
    expect_error("G-J1", "42", IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 1, 1, "$");
    expect_error("G-J1", "null", IAM_POLICY_RESOURCE, IAM_ERR_POLICY, 1, 1, "$");
    expect_error("G-J1", "true", IAM_POLICY_SCP, IAM_ERR_POLICY, 1, 1, "$");
    expect_error("G-J1", "\n  [ ]", IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 2, 3, "$");

    /* Not JSON at all: a JSON error. */
    expect_error("G-J1", "", IAM_POLICY_IDENTITY, IAM_ERR_JSON, 0, 0, NULL);
    expect_error("G-J1", "   \n ", IAM_POLICY_IDENTITY, IAM_ERR_JSON, 0, 0, NULL);
    expect_error("G-J1", "{", IAM_POLICY_IDENTITY, IAM_ERR_JSON, 1, 2, NULL);
    expect_error("G-J1", "{\"Statement\":[]", IAM_POLICY_IDENTITY, IAM_ERR_JSON, 0, 0, NULL);
    /* One object, nothing after it. */
    expect_error("G-J1", "{\"Statement\":[]} {}", IAM_POLICY_IDENTITY, IAM_ERR_JSON, 1, 18, NULL);
    expect_error("G-J1", "{\"Statement\":[]}x", IAM_POLICY_IDENTITY, IAM_ERR_JSON, 1, 17, NULL);
    expect_error("G-J1", "{\"Statement\":[],}", IAM_POLICY_IDENTITY, IAM_ERR_JSON, 1, 17, NULL);
    expect_error("G-J1", "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",}]}",
                 IAM_POLICY_IDENTITY, IAM_ERR_JSON, 0, 0, NULL);
    expect_error("G-J1", "{'Statement':[]}", IAM_POLICY_IDENTITY, IAM_ERR_JSON, 1, 2, NULL);
    expect_error("G-J1", "{Statement:[]}", IAM_POLICY_IDENTITY, IAM_ERR_JSON, 1, 2, NULL);
    expect_error("G-J1", "{/* c */\"Statement\":[]}", IAM_POLICY_IDENTITY, IAM_ERR_JSON, 1, 2, NULL);
    expect_error("G-J1", "{\"Statement\":[]}// c", IAM_POLICY_IDENTITY, IAM_ERR_JSON, 1, 17, NULL);
    expect_error("G-J1", "{\"Statement\":[\"x\" \"y\"]}", IAM_POLICY_IDENTITY, IAM_ERR_JSON, 0, 0, NULL);
    /* Strings: unterminated, bad escape, raw control character. */
    expect_error("G-J1", "{\"Statement\":[], \"Id\":\"abc}", IAM_POLICY_IDENTITY, IAM_ERR_JSON, 0, 0, NULL);
    expect_error("G-J1", "{\"Id\":\"a\\qb\",\"Statement\":[]}", IAM_POLICY_IDENTITY, IAM_ERR_JSON, 0, 0, NULL);
    expect_error("G-J1", "{\"Id\":\"a\\u12\",\"Statement\":[]}", IAM_POLICY_IDENTITY, IAM_ERR_JSON, 0, 0, NULL);
    expect_error("G-J1", "{\"Id\":\"a\x01z\",\"Statement\":[]}", IAM_POLICY_IDENTITY, IAM_ERR_JSON, 0, 0, NULL);
    expect_error("G-J1", "{\"Id\":\"a\tz\",\"Statement\":[]}", IAM_POLICY_IDENTITY, IAM_ERR_JSON, 0, 0, NULL);
    /* Numbers outside RFC 8259 in a condition value. */
    static const char *bad_numbers[] = {"01", "+1", ".5", "1.", "NaN", "Infinity", "0x10", "1e", "-"};
    for (size_t i = 0; i < sizeof bad_numbers / sizeof *bad_numbers; i++) {
        char buf[512];
        snprintf(buf, sizeof buf,
                 "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
                 "\"Resource\":\"*\",\"Condition\":{\"NumericLessThan\":{\"s3:max-keys\":%s}}}]}",
                 bad_numbers[i]);
        expect_error("G-J1", buf, IAM_POLICY_IDENTITY, IAM_ERR_JSON, 0, 0, NULL);
    }
    /* UTF-8: the position is the first byte that is not valid UTF-8
     * ({"Id":" is 7 characters, so the bad byte is column 8). */
    static const char *bad_utf8[] = {
        "{\"Id\":\"\xff\",\"Statement\":[]}",          /* never valid */
        "{\"Id\":\"\xc3\",\"Statement\":[]}",          /* truncated 2-byte sequence */
        "{\"Id\":\"\xc0\xaf\",\"Statement\":[]}",      /* overlong '/' */
        "{\"Id\":\"\xe0\x80\xaf\",\"Statement\":[]}",  /* overlong, 3 bytes */
        "{\"Id\":\"\xed\xa0\x80\",\"Statement\":[]}",  /* UTF-16 surrogate D800 */
        "{\"Id\":\"\xf4\x90\x80\x80\",\"Statement\":[]}", /* above U+10FFFF */
        "{\"Id\":\"\x80\",\"Statement\":[]}",          /* lone continuation byte */
    };
    for (size_t i = 0; i < sizeof bad_utf8 / sizeof *bad_utf8; i++)
        expect_error("G-J1", bad_utf8[i], IAM_POLICY_IDENTITY, IAM_ERR_JSON, 1, 8, NULL);
    /* Invalid UTF-8 outside a string is no better. */
    expect_error("G-J1", "{\"Statement\":[]}\xc3\xa9", IAM_POLICY_IDENTITY, IAM_ERR_JSON, 0, 0, NULL);
    /* Invalid UTF-8 in an action pattern, on line 3 after two 2-byte characters. */
    expect_error("G-J1",
                 "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\n"
                 "\"Resource\":\"*\",\n"
                 "\"Sid\":\"\xc3\xa9\xc3\xa9\",\"Action\":\"s3:Get\xfe\"}]}",
                 IAM_POLICY_IDENTITY, IAM_ERR_JSON, 3, 28, NULL);

    /* Accepted: one object, whitespace around it, UTF-8 text and escapes. */
    expect_ok("G-J1", "{\"Statement\":[]}", IAM_POLICY_IDENTITY);
    expect_ok("G-J1", " \t\r\n{\"Statement\":[]} \n", IAM_POLICY_IDENTITY);
    expect_ok("G-J1", "{\"Id\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\",\"Statement\":[]}", IAM_POLICY_IDENTITY);
    expect_ok("G-J1", "{\"Id\":\"\\u00e9\\ud83d\\ude00\\/\\\\\\\"\\b\\f\\n\\r\\t\",\"Statement\":[]}",
              IAM_POLICY_IDENTITY);
    expect_ok("G-J1",
              "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
              "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"s3:max-keys\":[0,-1,1.5,1e3,2E-2,-0.0,1E+2]}}}]}",
              IAM_POLICY_IDENTITY);
    /* The length given is what counts: the text need not be NUL-terminated,
     * and a NUL byte inside the given length is not JSON. */
    const char text[] = "{\"Statement\":[]}GARBAGE";
    iam_error err;
    CHECK_NAMED("G-J1", parse_n(text, 16, IAM_POLICY_IDENTITY, &err) == IAM_OK);
    CHECK_NAMED("G-J1", parse_n("{\"Statement\":[]}\0", 17, IAM_POLICY_IDENTITY, &err) == IAM_ERR_JSON);
}

/* ------------------------------------------------------------------------ */
/* [G-J2] duplicate member names at every level                              */
/* ------------------------------------------------------------------------ */

static void test_g_j2(void)
{
    /* Policy level: the position is the second member's name. */
    expect_error("G-J2",
                 "{\n"
                 "  \"Version\": \"2012-10-17\",\n"
                 "  \"Version\": \"2012-10-17\",\n"
                 "  \"Statement\": []\n"
                 "}",
                 IAM_POLICY_IDENTITY, IAM_ERR_JSON, 3, 3, NULL);
    expect_error("G-J2",
                 "{\n"
                 "  \"Statement\": [],\n"
                 "  \"Id\": \"a\",\n"
                 "  \"Statement\": []\n"
                 "}",
                 IAM_POLICY_IDENTITY, IAM_ERR_JSON, 4, 3, NULL);
    /* Statement level: two Effect members (AWS's own example). */
    expect_error("G-J2",
                 "{\n"
                 "  \"Version\": \"2012-10-17\",\n"
                 "  \"Statement\": [\n"
                 "    {\n"
                 "      \"Effect\": \"Allow\",\n"
                 "      \"Action\": \"s3:GetObject\",\n"
                 "      \"Effect\": \"Deny\",\n"
                 "      \"Resource\": \"*\"\n"
                 "    }\n"
                 "  ]\n"
                 "}",
                 IAM_POLICY_IDENTITY, IAM_ERR_JSON, 7, 7, NULL);
    /* Statement level, same value twice: still a duplicate. */
    expect_error("G-J2",
                 "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\",\n"
                 "\"Resource\": \"*\",\n"
                 "\"Action\": \"*\"}}",
                 IAM_POLICY_IDENTITY, IAM_ERR_JSON, 3, 1, NULL);
    /* Condition level: two identical operator names (spec 3.2). */
    expect_error("G-J2",
                 "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\",\n"
                 "  \"Resource\": \"*\",\n"
                 "  \"Condition\": {\n"
                 "    \"StringEquals\": {\"aws:PrincipalTag/a\": \"x\"},\n"
                 "    \"StringEquals\": {\"aws:PrincipalTag/b\": \"y\"}\n"
                 "  }}]}",
                 IAM_POLICY_IDENTITY, IAM_ERR_JSON, 5, 5, NULL);
    /* Inside one operator: the same key twice. */
    expect_error("G-J2",
                 "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\",\n"
                 "  \"Resource\": \"*\",\n"
                 "  \"Condition\": {\"StringEquals\": {\n"
                 "    \"aws:PrincipalTag/a\": \"x\",\n"
                 "    \"aws:PrincipalTag/a\": \"y\"\n"
                 "  }}}]}",
                 IAM_POLICY_IDENTITY, IAM_ERR_JSON, 5, 5, NULL);
    /* Principal map: AWS twice. */
    expect_error("G-J2",
                 "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\",\n"
                 "  \"Principal\": {\n"
                 "    \"AWS\": \"111122223333\",\n"
                 "    \"AWS\": \"444455556666\"\n"
                 "  }}]}",
                 IAM_POLICY_RESOURCE, IAM_ERR_JSON, 4, 5, NULL);
    /* NotPrincipal map of a resource policy. */
    expect_error("G-J2",
                 "{\"Statement\": [{\"Effect\": \"Deny\", \"Action\": \"s3:*\", \"Resource\": \"*\",\n"
                 "  \"NotPrincipal\": {\"Service\": \"a.amazonaws.com\",\n"
                 "  \"Service\": \"b.amazonaws.com\"}}]}",
                 IAM_POLICY_RESOURCE, IAM_ERR_JSON, 3, 3, NULL);
    /* Duplicates are found after decoding escapes: "Eff\u0065ct" is "Effect". */
    expect_error("G-J2",
                 "{\"Statement\": {\n"
                 "  \"Effect\": \"Allow\",\n"
                 "  \"Eff\\u0065ct\": \"Deny\",\n"
                 "  \"Action\": \"*\", \"Resource\": \"*\"}}",
                 IAM_POLICY_IDENTITY, IAM_ERR_JSON, 3, 3, NULL);
    /* In every policy type. */
    static const iam_policy_type types[] = {IAM_POLICY_IDENTITY, IAM_POLICY_BOUNDARY, IAM_POLICY_SESSION,
                                            IAM_POLICY_RESOURCE, IAM_POLICY_SCP, IAM_POLICY_RCP};
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        expect_error("G-J2",
                     "{\"Version\": \"2012-10-17\",\n"
                     " \"Statement\": [], \"Statement\": []}",
                     types[i], IAM_ERR_JSON, 2, 19, NULL);
    /* Names differing only in case are not duplicates; the unknown one is a
     * policy error [G-J3]. */
    expect_error("G-J2",
                 "{\"Statement\": {\"Effect\": \"Allow\",\n"
                 "  \"effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}}",
                 IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 2, 3, "$.Statement.effect");
    /* The same member name in two different objects is not a duplicate. */
    expect_ok("G-J2",
              "{\"Version\": \"2012-10-17\", \"Statement\": [\n"
              " {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"},\n"
              " {\"Effect\": \"Deny\", \"Action\": \"s3:*\", \"Resource\": \"*\",\n"
              "  \"Condition\": {\"StringEquals\": {\"aws:PrincipalTag/a\": \"x\"},\n"
              "                \"StringLike\": {\"aws:PrincipalTag/a\": \"y*\"}}}]}",
              IAM_POLICY_IDENTITY);

    /* A scenario file holding a duplicate member anywhere is not JSON: the
     * load fails with a JSON error at the duplicate (header contract: "a file
     * that is not readable or not JSON fails the whole load"). */
    const char *file =
        "[{\"name\": \"G-J2: dup\", \"request\": {\"principal\": \"" ALICE "\",\n"
        "  \"action\": \"s3:GetObject\", \"resource\": \"*\"},\n"
        "  \"identity_policies\": [{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\",\n"
        "    \"Action\": \"*\", \"Resource\": \"*\", \"Effect\": \"Deny\"}]}],\n"
        "  \"expect\": \"error\"}]";
    iam_scenario_file *f = NULL;
    iam_error err;
    memset(&err, 0, sizeof err);
    iam_status st = iam_scenario_file_parse(&f, file, strlen(file), 0, "dup.json", NULL, &err);
    CHECK_NAMED("G-J2", st == IAM_ERR_JSON && f == NULL);
    CHECK_NAMED("G-J2", err.line == 4 && err.column == 37);
    iam_scenario_file_free(f);
}

/* ------------------------------------------------------------------------ */
/* [G-J3] exact, case-sensitive element names                                */
/* ------------------------------------------------------------------------ */

static void test_g_j3(void)
{
    /* Columns count characters, not bytes: "ééé" is 3 columns. */
    expect_error("G-J3",
                 "{\"Statement\": [{\n"
                 "  \"Sid\": \"\xc3\xa9\xc3\xa9\xc3\xa9\", \"effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}",
                 IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 2, 17, "$.Statement[0].effect");
    expect_error("G-J3",
                 "{\"Version\": \"2012-10-17\",\n"
                 " \"statement\": []}",
                 IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 2, 2, "$.statement");
    expect_error("G-J3",
                 "{\"Version\": \"2012-10-17\", \"Statement\": [\n"
                 "  {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"},\n"
                 "  {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resources\": \"*\"}]}",
                 IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 3, 38, "$.Statement[1].Resources");
    expect_error("G-J3", "{\"Statement\": [], \"Comment\": \"x\"}", IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 1, 19,
                 "$.Comment");
    expect_error("G-J3",
                 "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\",\n"
                 "  \"Action\": \"s3:GetObject\", \"Resource\": \"*\", \"CONDITION\": {}}}",
                 IAM_POLICY_RESOURCE, IAM_ERR_POLICY, 2, 46, "$.Statement.CONDITION");
    /* Every element name, exactly spelled, is accepted. */
    expect_ok("G-J3",
              "{\"Version\": \"2012-10-17\", \"Id\": \"x\", \"Statement\": [\n"
              " {\"Sid\": \"a\", \"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:*\", \"Resource\": \"*\",\n"
              "  \"Condition\": {}},\n"
              " {\"Sid\": \"b\", \"Effect\": \"Deny\", \"NotPrincipal\": {\"AWS\": \"" ALICE "\", \"Service\": \"x.amazonaws.com\",\n"
              "  \"Federated\": \"accounts.google.com\", \"CanonicalUser\": \"abc\"}, \"NotAction\": \"s3:Get*\",\n"
              "  \"NotResource\": \"arn:aws:s3:::x/*\"}]}",
              IAM_POLICY_RESOURCE);
}

/* ------------------------------------------------------------------------ */
/* [G-J4] string or non-empty list                                           */
/* ------------------------------------------------------------------------ */

static void test_g_j4(void)
{
    expect_error("G-J4", "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": [], \"Resource\": \"*\"}}",
                 IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 1, 45, "$.Statement.Action");
    expect_error("G-J4", "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": []}}",
                 IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 1, 62, "$.Statement.Resource");
    expect_error("G-J4",
                 "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": []}, \"Action\": \"*\", \"Resource\": \"*\"}}",
                 IAM_POLICY_RESOURCE, IAM_ERR_POLICY, 1, 56, "$.Statement.Principal.AWS");
    expect_error("G-J4",
                 "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\",\n"
                 " \"Condition\": {\"StringEquals\": {\"aws:PrincipalTag/a\": []}}}}",
                 IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 2, 55,
                 "$.Statement.Condition.StringEquals.aws:PrincipalTag/a");
    /* A single string is a one-element list: same decisions both ways. */
    static const char *forms[][2] = {
        {"\"s3:GetObject\"", "\"" OBJ "\""},
        {"[\"s3:GetObject\"]", "\"" OBJ "\""},
        {"\"s3:GetObject\"", "[\"" OBJ "\"]"},
        {"[\"s3:GetObject\"]", "[\"" OBJ "\"]"},
    };
    for (size_t i = 0; i < 4; i++) {
        char pol[512];
        snprintf(pol, sizeof pol, ALLOW_STMT("%s", "%s"), forms[i][0], forms[i][1]);
        CHECK_NAMED("G-J4", decide(pol, "s3:GetObject", OBJ, NULL, NULL) == IAM_ALLOWED);
        CHECK_NAMED("G-J4", decide(pol, "s3:PutObject", OBJ, NULL, NULL) == IAM_IMPLICIT_DENY);
        CHECK_NAMED("G-J4", decide(pol, "s3:GetObject", "arn:aws:s3:::reports/q2.csv", NULL, NULL) ==
                                IAM_IMPLICIT_DENY);
    }
}

/* ------------------------------------------------------------------------ */
/* [G-J5] value types; numbers keep their written form                       */
/* ------------------------------------------------------------------------ */

static const char *cond_policy(char *buf, size_t n, const char *op, const char *value)
{
    snprintf(buf, n,
             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
             "\"Resource\":\"*\",\"Condition\":{\"%s\":{\"aws:PrincipalTag/v\":%s}}}]}",
             op, value);
    return buf;
}

static void test_g_j5(void)
{
    char b[1024];
    static const struct {
        const char *json, *context;
        int want;
    } cases[] = {
        {"1.50", "1.50", IAM_ALLOWED},
        {"1.50", "1.5", IAM_IMPLICIT_DENY},
        {"10", "10", IAM_ALLOWED},
        {"10", "10.0", IAM_IMPLICIT_DENY},
        {"-0", "-0", IAM_ALLOWED},
        {"-0", "0", IAM_IMPLICIT_DENY},
        {"1e3", "1e3", IAM_ALLOWED},
        {"1E3", "1E3", IAM_ALLOWED},
        {"1E3", "1e3", IAM_IMPLICIT_DENY},
        {"1e3", "1000", IAM_IMPLICIT_DENY},
        {"2.5e-3", "2.5e-3", IAM_ALLOWED},
        {"12345678901234567890123", "12345678901234567890123", IAM_ALLOWED},
        {"0.1000000000000000000001", "0.1000000000000000000001", IAM_ALLOWED},
        {"true", "true", IAM_ALLOWED},
        {"true", "True", IAM_IMPLICIT_DENY},
        {"false", "false", IAM_ALLOWED},
        {"[\"x\", 7, false]", "7", IAM_ALLOWED},
        {"[\"x\", 7, false]", "false", IAM_ALLOWED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int got = decide(cond_policy(b, sizeof b, "StringEquals", cases[i].json), "s3:GetObject", OBJ,
                         "aws:PrincipalTag/v", cases[i].context);
        CHECK_NAMED("G-J5", got == cases[i].want);
        if (got != cases[i].want)
            fprintf(stderr, "  [G-J5] StringEquals %s vs \"%s\": got %d want %d\n", cases[i].json,
                    cases[i].context, got, cases[i].want);
    }
    /* Numbers and booleans work with their own operators too. */
    CHECK_NAMED("G-J5", decide(cond_policy(b, sizeof b, "NumericLessThan", "10"), "s3:GetObject", OBJ,
                               "aws:PrincipalTag/v", "9.99") == IAM_ALLOWED);
    CHECK_NAMED("G-J5", decide(cond_policy(b, sizeof b, "NumericLessThan", "10"), "s3:GetObject", OBJ,
                               "aws:PrincipalTag/v", "10") == IAM_IMPLICIT_DENY);
    CHECK_NAMED("G-J5", decide(cond_policy(b, sizeof b, "Bool", "false"), "s3:GetObject", OBJ,
                               "aws:PrincipalTag/v", "false") == IAM_ALLOWED);
    CHECK_NAMED("G-J5", decide(cond_policy(b, sizeof b, "Null", "true"), "s3:GetObject", OBJ, NULL, NULL) ==
                            IAM_ALLOWED);
    /* "1e3" is kept as written, so it is not a Numeric value (M14). */
    expect_error("G-J5", cond_policy(b, sizeof b, "NumericEquals", "1e3"), IAM_POLICY_IDENTITY, IAM_ERR_POLICY,
                 1, 146, "$.Statement[0].Condition.NumericEquals.aws:PrincipalTag/v");
    /* null, objects and nested arrays are malformed. */
    expect_error("G-J5", cond_policy(b, sizeof b, "StringEquals", "null"), IAM_POLICY_IDENTITY, IAM_ERR_POLICY,
                 1, 145, "$.Statement[0].Condition.StringEquals.aws:PrincipalTag/v");
    expect_error("G-J5", cond_policy(b, sizeof b, "StringEquals", "{}"), IAM_POLICY_IDENTITY, IAM_ERR_POLICY,
                 1, 145, "$.Statement[0].Condition.StringEquals.aws:PrincipalTag/v");
    expect_error("G-J5", cond_policy(b, sizeof b, "StringEquals", "[\"a\",[\"b\"]]"), IAM_POLICY_IDENTITY,
                 IAM_ERR_POLICY, 1, 150, "$.Statement[0].Condition.StringEquals.aws:PrincipalTag/v[1]");
    expect_error("G-J5", cond_policy(b, sizeof b, "StringEquals", "[null]"), IAM_POLICY_IDENTITY, IAM_ERR_POLICY,
                 1, 146, "$.Statement[0].Condition.StringEquals.aws:PrincipalTag/v[0]");
    /* Outside condition values, values are strings. */
    expect_error("G-J5", "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": 7, \"Resource\": \"*\"}}",
                 IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 1, 45, "$.Statement.Action");
    expect_error("G-J5", "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": [\"*\", true]}}",
                 IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 1, 68, "$.Statement.Resource[1]");
    expect_error("G-J5",
                 "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": 111122223333}, \"Action\": \"*\"}}",
                 IAM_POLICY_RESOURCE, IAM_ERR_POLICY, 1, 56, "$.Statement.Principal.AWS");
    expect_error("G-J5", "{\"Statement\": {\"Effect\": null, \"Action\": \"*\", \"Resource\": \"*\"}}",
                 IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 1, 26, "$.Statement.Effect");
    expect_error("G-J5", "{\"Version\": 2012, \"Statement\": []}", IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 1, 13,
                 "$.Version");
}

/* ------------------------------------------------------------------------ */
/* [G-J6] code points; whitespace is significant                             */
/* ------------------------------------------------------------------------ */

static void test_g_j6(void)
{
    /* A pattern with a space is valid and matches no request. */
    expect_ok("G-J6", ALLOW_STMT("\" s3:GetObject\"", "\"*\""), IAM_POLICY_IDENTITY);
    CHECK_NAMED("G-J6", decide(ALLOW_STMT("\" s3:GetObject\"", "\"*\""), "s3:GetObject", OBJ, NULL, NULL) ==
                            IAM_IMPLICIT_DENY);
    CHECK_NAMED("G-J6", decide(ALLOW_STMT("\"s3:GetObject \"", "\"*\""), "s3:GetObject", OBJ, NULL, NULL) ==
                            IAM_IMPLICIT_DENY);
    CHECK_NAMED("G-J6", decide(ALLOW_STMT("\"s3:Get Object\"", "\"*\""), "s3:GetObject", OBJ, NULL, NULL) ==
                            IAM_IMPLICIT_DENY);
    CHECK_NAMED("G-J6", decide(ALLOW_STMT("\"s3:GetObject\"", "\"*\""), "s3:GetObject", OBJ, NULL, NULL) ==
                            IAM_ALLOWED);
    CHECK_NAMED("G-J6", decide(ALLOW_STMT("\"s3:GetObject\"", "\"" OBJ " \""), "s3:GetObject", OBJ, NULL, NULL) ==
                            IAM_IMPLICIT_DENY);
    CHECK_NAMED("G-J6", decide(ALLOW_STMT("\"s3:GetObject\"", "\"" OBJ "\\t\""), "s3:GetObject", OBJ, NULL,
                               NULL) == IAM_IMPLICIT_DENY);
    /* A no-break space (U+00A0) is neither a space nor nothing. */
    CHECK_NAMED("G-J6", decide(ALLOW_STMT("\"s3:GetObject\"", "\"arn:aws:s3:::reports/a\\u00a0b\""),
                               "s3:GetObject", "arn:aws:s3:::reports/a b", NULL, NULL) == IAM_IMPLICIT_DENY);
    CHECK_NAMED("G-J6", decide(ALLOW_STMT("\"s3:GetObject\"", "\"arn:aws:s3:::reports/a\\u00a0b\""),
                               "s3:GetObject", "arn:aws:s3:::reports/a\xc2\xa0" "b", NULL, NULL) == IAM_ALLOWED);
    /* Escaped and literal forms of one code point are equal; composed and
     * decomposed forms are not (no normalisation). */
    CHECK_NAMED("G-J6", decide(ALLOW_STMT("\"s3:GetObject\"", "\"arn:aws:s3:::caf\\u00e9/*\""), "s3:GetObject",
                               "arn:aws:s3:::caf\xc3\xa9/m", NULL, NULL) == IAM_ALLOWED);
    CHECK_NAMED("G-J6", decide(ALLOW_STMT("\"s3:GetObject\"", "\"arn:aws:s3:::caf\\u00e9/*\""), "s3:GetObject",
                               "arn:aws:s3:::cafe\xcc\x81/m", NULL, NULL) == IAM_IMPLICIT_DENY);
    CHECK_NAMED("G-J6", decide(ALLOW_STMT("\"s3:GetObject\"", "\"arn:aws:s3:::e/\\ud83d\\ude00\""), "s3:GetObject",
                               "arn:aws:s3:::e/\xf0\x9f\x98\x80", NULL, NULL) == IAM_ALLOWED);
    char b[1024];
    CHECK_NAMED("G-J6", decide(cond_policy(b, sizeof b, "StringEquals", "\"red \""), "s3:GetObject", OBJ,
                               "aws:PrincipalTag/v", "red") == IAM_IMPLICIT_DENY);
    CHECK_NAMED("G-J6", decide(cond_policy(b, sizeof b, "StringEquals", "\"M\\u00fcnchen\""), "s3:GetObject", OBJ,
                               "aws:PrincipalTag/v", "M\xc3\xbc" "nchen") == IAM_ALLOWED);
}

/* ------------------------------------------------------------------------ */
/* [G-S1] Sid: any string, unchecked, used in explanations; [G-P4] a single  */
/* statement object is statement 0                                           */
/* ------------------------------------------------------------------------ */

/* Runs the only scenario of `file` with an explanation; returns the decision
 * (-1 on error) and copies up to `cap` decisive statement refs. */
static int explain_one(const char *file, iam_statement_ref *refs, size_t cap, size_t *count,
                       iam_scenario_file **keep, iam_explanation *ex)
{
    iam_error err;
    *count = 0;
    if (iam_scenario_file_parse(keep, file, strlen(file), 0, "sid.json", NULL, &err) != IAM_OK ||
        iam_scenario_file_count(*keep) != 1)
        return -1;
    iam_scratch *sc = NULL;
    if (iam_scratch_create(&sc, NULL) != IAM_OK)
        return -1;
    iam_decision d;
    iam_status st = iam_scenario_explain(iam_scenario_file_get(*keep, 0), sc, &d, ex, &err);
    iam_scratch_free(sc);
    if (st != IAM_OK)
        return -1;
    *count = iam_explanation_decisive_count(ex);
    for (size_t i = 0; i < *count && i < cap; i++)
        if (iam_explanation_decisive(ex, i, &refs[i]) != IAM_OK)
            return -1;
    return (int)d;
}

static bool same_sid(const char *got, const char *want)
{
    return want == NULL ? got == NULL : got != NULL && strcmp(got, want) == 0;
}

static void test_g_s1(void)
{
    const char *file =
        "{\"name\": \"G-S1\", \"request\": {\"principal\": \"" ALICE "\", \"action\": \"s3:GetObject\",\n"
        "  \"resource\": \"" OBJ "\", \"resource_account\": \"" A1 "\"},\n"
        "  \"identity_policies\": [\n"
        "    {\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}},\n"
        "    {\"Version\": \"2012-10-17\", \"Statement\": [\n"
        "      {\"Sid\": \"deny reads: #1 (f\xc3\xbcr alle)\", \"Effect\": \"Deny\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"},\n"
        "      {\"Sid\": \"dup\", \"Effect\": \"Deny\", \"Action\": \"s3:Get*\", \"Resource\": \"*\"},\n"
        "      {\"Sid\": \"Allow\", \"Effect\": \"Deny\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n"
        "      {\"Sid\": \"dup\", \"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\"},\n"
        "      {\"Effect\": \"Deny\", \"Action\": \"s3:GetObject\", \"Resource\": \"" OBJ "\"},\n"
        "      {\"Sid\": \"EC2\", \"Effect\": \"Deny\", \"Action\": \"ec2:*\", \"Resource\": \"*\"}]}],\n"
        "  \"expect\": \"explicitDeny\"}";
    static const char *want_sids[] = {"deny reads: #1 (f\xc3\xbcr alle)", "dup", "Allow", "dup", NULL};
    iam_statement_ref refs[8];
    size_t n = 0;
    iam_scenario_file *f = NULL;
    iam_explanation *ex = NULL;
    CHECK(iam_explanation_create(&ex) == IAM_OK);
    int d = explain_one(file, refs, 8, &n, &f, ex);
    /* Accepted, decided, and every applicable Deny named with its Sid
     * (D-X2), in document order. */
    CHECK_NAMED("G-S1", d == IAM_EXPLICIT_DENY);
    CHECK_NAMED("G-S1", n == 5);
    for (size_t i = 0; i < 5 && i < n; i++) {
        CHECK_NAMED("G-S1", same_sid(refs[i].sid, want_sids[i]));
        CHECK_NAMED("G-S1", refs[i].statement_index == i && refs[i].policy_index == 1 && refs[i].allow == 0);
        CHECK_NAMED("G-S1", refs[i].layer && strcmp(refs[i].layer, "identity") == 0);
        CHECK_NAMED("G-S1", refs[i].line == 6 + i && refs[i].column == 7);
    }
    iam_scenario_file_free(f);
    f = NULL;

    /* [G-P4]: a Statement given as one object is statement 0. */
    const char *single =
        "{\"name\": \"G-P4\", \"request\": {\"principal\": \"" ALICE "\", \"action\": \"s3:GetObject\",\n"
        "  \"resource\": \"" OBJ "\", \"resource_account\": \"" A1 "\"},\n"
        "  \"identity_policies\": [\n"
        "    {\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]},\n"
        "    {\"Statement\": {\"Sid\": \"only\", \"Effect\": \"Deny\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}],\n"
        "  \"expect\": \"explicitDeny\"}";
    d = explain_one(single, refs, 8, &n, &f, ex);
    CHECK_NAMED("G-P4", d == IAM_EXPLICIT_DENY && n == 1);
    if (n == 1) {
        CHECK_NAMED("G-P4", refs[0].statement_index == 0 && refs[0].policy_index == 1);
        CHECK_NAMED("G-P4", same_sid(refs[0].sid, "only"));
        CHECK_NAMED("G-P4", refs[0].line == 5 && refs[0].column == 19);
    }
    iam_scenario_file_free(f);
    iam_explanation_free(ex);
}

/* ------------------------------------------------------------------------ */
/* [G-M] malformed policies: error with a location, never a decision         */
/* ------------------------------------------------------------------------ */

static void test_g_m(void)
{
    const char *ml =
        "{\n"
        "  \"Version\": \"2012-10-17\",\n"
        "  \"Statement\": [\n"
        "    {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"},\n"
        "    {\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\",\n"
        "                                  \"s3*\"], \"Resource\": \"*\"},\n"
        "    {\"Effect\": \"allow\", \"Action\": \"*\", \"Resource\": \"*\"},\n"
        "    {\"Effect\": \"Allow\", \"Action\": \"*\"},\n"
        "    {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"bucket/*\"}\n"
        "  ]\n"
        "}";
    /* Four statements are malformed; whichever is reported, its position and
     * path name the same offending element (the spec does not say which of
     * several errors comes first). */
    {
        static const struct {
            uint32_t line, column;
            const char *path;
        } where[] = {
            {6, 35, "$.Statement[1].Action[1]"}, /* M11 */
            {7, 16, "$.Statement[2].Effect"},    /* M5 */
            {8, 5, "$.Statement[3]"},            /* M6 */
            {9, 52, "$.Statement[4].Resource"},  /* M12 */
        };
        iam_error err;
        iam_status st = parse(ml, IAM_POLICY_IDENTITY, &err);
        bool found = false;
        for (size_t i = 0; i < 4; i++)
            found = found || (err.line == where[i].line && err.column == where[i].column &&
                              strcmp(err.path, where[i].path) == 0);
        CHECK_NAMED("G-M", st == IAM_ERR_POLICY && found);
        if (!(st == IAM_ERR_POLICY && found))
            fprintf(stderr, "  [G-M] several errors: got %d at %u:%u %s\n", (int)st, err.line, err.column, err.path);
    }
    /* Each class on its own, at its offending element. */
    expect_error("G-M", "{\"Statement\": [{\"Effect\": \"allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}",
                 IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 1, 27, "$.Statement[0].Effect"); /* M5 */
    expect_error("G-M", "{\"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": \"*\"}]}",
                 IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 2, 3, "$.Statement[0]"); /* M6 */
    expect_error("G-M", "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"bucket/*\"}]}",
                 IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 1, 63, "$.Statement[0].Resource"); /* M12 */
    expect_error("G-M", "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"arn:aws:s3\"}]}",
                 IAM_POLICY_SESSION, IAM_ERR_POLICY, 1, 63, "$.Statement[0].Resource"); /* M12 */
    expect_error("G-M", "{\"Version\": \"2012-10-18\", \"Statement\": []}", IAM_POLICY_IDENTITY, IAM_ERR_POLICY,
                 1, 13, "$.Version"); /* M3 */
    expect_error("G-M", "{\"Version\": \"2012-10-17\"}", IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 1, 1, "$"); /* M4 */
    expect_error("G-M", "{\"Statement\": [\n {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"*\", \"Resource\": \"*\"}]}",
                 IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 2, 35, "$.Statement[0]*"); /* M7: at the Principal value */
    expect_error("G-M", "{\"Statement\": [\n {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}",
                 IAM_POLICY_RESOURCE, IAM_ERR_POLICY, 2, 2, "$.Statement[0]"); /* M7 */
    expect_error("G-M",
                 "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\",\n"
                 " \"Condition\": {\"NumericLessThan\": {\"s3:max-keys\": \"ten\"}}}}",
                 IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 2, 51,
                 "$.Statement.Condition.NumericLessThan.s3:max-keys"); /* M14 */
    expect_error("G-M",
                 "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\",\n"
                 " \"Condition\": {\"StringEquals\": {\"k:a\": \"x\"}, \"NullIfExists\": {\"k:b\": \"true\"}}}}",
                 IAM_POLICY_IDENTITY, IAM_ERR_POLICY, 2, 46, "$.Statement.Condition.NullIfExists"); /* M13 */
    expect_error("G-M", "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}",
                 IAM_POLICY_SCP, IAM_ERR_POLICY, 1, 1, "$"); /* M15: no Version */

    /* Through a scenario: the error names the policy (type, index), the
     * statement and the rule, and the scenario is not decided. */
    const char *file =
        "{\"name\": \"G-M\", \"request\": {\"principal\": \"" ALICE "\",\n"
        "  \"action\": \"s3:GetObject\", \"resource\": \"" OBJ "\", \"resource_account\": \"" A1 "\"},\n"
        "  \"identity_policies\": [\n"
        "    {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]},\n"
        "    {\"Version\": \"2012-10-17\", \"Statement\": [\n"
        "      {\"Effect\": \"Deny\", \"Action\": \"s3:Put*\", \"Resource\": \"*\"},\n"
        "      {\"Effect\": \"Deny\", \"Action\": \"s3:Delete*\", \"Resource\": \"*\"},\n"
        "      {\"Effect\": \"Allowed\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]}],\n"
        "  \"expect\": \"error\"}";
    iam_scenario_file *f = NULL;
    iam_error err;
    iam_status st = iam_scenario_file_parse(&f, file, strlen(file), 0, "gm.json", NULL, &err);
    CHECK_NAMED("G-M", st == IAM_OK && iam_scenario_file_count(f) == 1);
    if (st == IAM_OK && iam_scenario_file_count(f) == 1) {
        iam_scratch *sc = NULL;
        CHECK(iam_scratch_create(&sc, NULL) == IAM_OK);
        iam_decision d = (iam_decision)99;
        memset(&err, 0, sizeof err);
        st = iam_scenario_run(iam_scenario_file_get(f, 0), sc, &d, &err);
        CHECK_NAMED("G-M", st == IAM_ERR_POLICY && err.code == IAM_ERR_POLICY);
        CHECK_NAMED("G-M", strstr(err.path, "identity_policies[1]") != NULL);
        CHECK_NAMED("G-M", strstr(err.path, "Statement[2]") != NULL);
        CHECK_NAMED("G-M", strstr(err.path, "Effect") != NULL);
        CHECK_NAMED("G-M", strstr(err.message, "G-S2") != NULL);
        CHECK_NAMED("G-M", err.line == 8 && err.column == 18);
        CHECK_NAMED("G-M", iam_scenario_expect(iam_scenario_file_get(f, 0)) == IAM_EXPECT_ERROR);
        iam_scratch_free(sc);
    }
    iam_scenario_file_free(f);

    /* Tolerated input is accepted, never an error. */
    expect_ok("G-M", "{\"Id\": \"x\", \"Statement\": [{\"Sid\": \"a b\", \"Effect\": \"Allow\", \"Action\": \"*\", "
                     "\"Resource\": \"*\"}, {\"Sid\": \"a b\", \"Effect\": \"Deny\", \"Action\": \"madeup:Do\", "
                     "\"Resource\": \"*\"}]}",
              IAM_POLICY_IDENTITY);
    expect_ok("G-M", "{\"Statement\": []}", IAM_POLICY_BOUNDARY);
    expect_ok("G-M", ALLOW_STMT("\"lambda:*\"", "\"arn:aws:lambda:*:*:functi*:x\""), IAM_POLICY_IDENTITY);
    expect_ok("G-M", ALLOW_STMT("\"sqs:*\"", "\"arn:aws:sqs:${aws:username}:*:q\""), IAM_POLICY_IDENTITY);
    expect_ok("G-M",
              "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\","
              "\"Condition\":{\"ForAllValues:StringEquals\":{\"aws:username\":\"a\"},\"StringEquals\":{\"made:up\":\"x\"}}}]}",
              IAM_POLICY_IDENTITY);
}

/* ------------------------------------------------------------------------ */
/* [M-W] the wildcard primitive on every path                                */
/* ------------------------------------------------------------------------ */

static glob_scratch *gs;

static const char *mode_name(glob_mode m)
{
    return m == GLOB_PLAIN ? "PLAIN" : m == GLOB_RESOURCE ? "RESOURCE" : "ARN";
}

static void glob_n(const char *rule, glob_mode mode, const char *pat, size_t plen, const char *subj, size_t slen,
                   bool want)
{
    bool ok = true;
    iam_glob *g = glob_compile(pat, plen, mode);
    char why[128] = "";
    if (g == NULL) {
        ok = false;
        snprintf(why, sizeof why, "glob_compile failed");
    } else {
        if (glob_match(g, subj, slen, gs) != want) {
            ok = false;
            snprintf(why, sizeof why, "glob_match");
        }
        for (int path = 0; path <= 4; path++)
            if (glob_match_path(g, subj, slen, gs, path) != want) {
                ok = false;
                snprintf(why + strlen(why), sizeof why - strlen(why), " path %d", path);
            }
        glob_free(g);
    }
    glob_elem e[1024];
    size_t n = glob_parse(pat, plen, mode, e, 1024);
    if (n == (size_t)-1 || glob_match_elems(e, n, subj, slen) != want) {
        ok = false;
        snprintf(why + strlen(why), sizeof why - strlen(why), " elems");
    }
    CHECK_NAMED(rule, ok);
    if (!ok)
        fprintf(stderr, "  [%s] %s \"%.*s\" vs \"%.*s\": want %s; wrong on:%s\n", rule, mode_name(mode), (int)plen, pat,
                (int)slen, subj, want ? "match" : "no match", why);
}

static void glob_one(const char *rule, glob_mode mode, const char *pat, const char *subj, bool want)
{
    glob_n(rule, mode, pat, strlen(pat), subj, strlen(subj), want);
}

/* The same answer in every mode (no ':' involved). */
static void glob_all(const char *rule, const char *pat, const char *subj, bool want)
{
    glob_one(rule, GLOB_PLAIN, pat, subj, want);
    glob_one(rule, GLOB_RESOURCE, pat, subj, want);
    glob_one(rule, GLOB_ARN, pat, subj, want);
}

/* Prefix "arn:aws:s3:::" so that RESOURCE and ARN modes see a sixth field. */
static void glob_res(const char *rule, const char *pat, const char *subj, bool want)
{
    char p[512], s[512];
    snprintf(p, sizeof p, "arn:aws:s3:::%s", pat);
    snprintf(s, sizeof s, "arn:aws:s3:::%s", subj);
    glob_all(rule, p, s, want);
    glob_all(rule, pat, subj, want);
}

static void test_m_w1(void)
{
    glob_all("M-W1", "*", "", true);
    glob_all("M-W1", "*", "anything at all", true);
    glob_all("M-W1", "a*", "a", true);
    glob_all("M-W1", "*a", "a", true);
    glob_all("M-W1", "a*b", "ab", true);
    glob_all("M-W1", "a*b", "a/x/y/b", true);
    glob_all("M-W1", "a*b", "a", false);
    glob_all("M-W1", "a*b", "abc", false);
    glob_all("M-W1", "a*b", "ba", false);
    glob_all("M-W1", "**", "", true);
    glob_all("M-W1", "?", "", false);
    glob_all("M-W1", "?", "x", true);
    glob_all("M-W1", "?", "xy", false);
    glob_all("M-W1", "??", "xy", true);
    glob_all("M-W1", "a?c", "abc", true);
    glob_all("M-W1", "a?c", "ac", false);
    glob_all("M-W1", "a?c", "abbc", false);
    glob_all("M-W1", "?*", "", false);
    glob_all("M-W1", "?*", "x", true);
    glob_all("M-W1", "*?*?*", "x", false);
    glob_all("M-W1", "*?*?*", "xy", true);
    glob_all("M-W1", "", "", true);
    glob_all("M-W1", "", "x", false);
    glob_all("M-W1", "abc", "abc", true);
    glob_all("M-W1", "abc", "abd", false);
    glob_all("M-W1", "abc", "ab", false);
    glob_all("M-W1", "abc", "abcd", false);
    glob_all("M-W1", "abc", "ABC", false);
    /* Backtracking over several stars. */
    glob_all("M-W1", "*a*b", "xaxxb", true);
    glob_all("M-W1", "*a*b", "xaxxbx", false);
    glob_all("M-W1", "a*b*c*d", "aXbYbZcWd", true);
    glob_all("M-W1", "a*b*c*d", "aXbYbZcWdX", false);
    glob_all("M-W1", "*ab*ab*", "abab", true);
    glob_all("M-W1", "*ab*ab*", "aba", false);
    /* A pattern that explodes a naive backtracker still answers. */
    glob_all("M-W1", "a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false);
    glob_all("M-W1", "a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", true);
    /* Every other character matches only itself, including newline and NUL. */
    glob_all("M-W1", "a*b", "a\nb", true);
    glob_all("M-W1", "a?b", "a\nb", true);
    glob_all("M-W1", "*", "\n", true);
    glob_all("M-W1", "a\nb", "a\nb", true);
    glob_all("M-W1", "a\nb", "axb", false);
    glob_n("M-W1", GLOB_PLAIN, "a?b", 3, "a\0b", 3, true);
    glob_n("M-W1", GLOB_PLAIN, "a*", 2, "a\0\0", 3, true);
    glob_n("M-W1", GLOB_PLAIN, "a\0b", 3, "a\0b", 3, true);
    glob_n("M-W1", GLOB_PLAIN, "a\0b", 3, "axb", 3, false);
    glob_n("M-W1", GLOB_PLAIN, "abc", 3, "abc\0", 4, false);
    /* Anchored at both ends, also before a trailing newline. */
    glob_all("M-W1", "abc", "abc\n", false);
    glob_all("M-W1", "a*c", "abc\n", false);
    glob_all("M-W1", "a?c", "abc\n", false);
    glob_all("M-W1", "abc", "\nabc", false);
    glob_all("M-W1", "b", "abc", false);
    glob_all("M-W1", "a*", "ba", false);
    glob_all("M-W1", "*a", "ab", false);
}

static void test_m_w2(void)
{
    glob_all("M-W2", "?", "\xc3\xa9", true);                 /* é, 2 bytes */
    glob_all("M-W2", "??", "\xc3\xa9", false);
    glob_all("M-W2", "?", "\xe2\x82\xac", true);             /* €, 3 bytes */
    glob_all("M-W2", "???", "\xe2\x82\xac", false);
    glob_all("M-W2", "??", "\xe2\x82\xac", false);
    glob_all("M-W2", "?", "\xf0\x9f\x98\x80", true);         /* U+1F600, 4 bytes */
    glob_all("M-W2", "????", "\xf0\x9f\x98\x80", false);
    glob_all("M-W2", "??", "\xf0\x9f\x98\x80", false);
    glob_all("M-W2", "a?c", "a\xc3\xa9" "c", true);
    glob_all("M-W2", "a??c", "a\xc3\xa9" "c", false);
    glob_all("M-W2", "a?c", "a\xf0\x9f\x98\x80" "c", true);
    glob_all("M-W2", "??", "\xc3\xa9\xe2\x82\xac", true);
    glob_all("M-W2", "?x", "\xc3\xa9x", true);
    glob_all("M-W2", "*?", "\xc3\xa9", true);
    glob_all("M-W2", "?*?", "\xc3\xa9", false);
    glob_all("M-W2", "*\xc3\xa9", "x\xc3\xa9", true);
    glob_all("M-W2", "*\xc3\xa9", "x\xc3\xa8", false);        /* è shares the lead byte */
    glob_all("M-W2", "\xc3\xa9*", "\xc3\xa9t\xc3\xa9", true);
    glob_all("M-W2", "\xc3\xa9", "e", false);
    glob_all("M-W2", "*\xe2\x82\xac*", "10\xe2\x82\xac net", true);
    glob_all("M-W2", "*\xe2\x82\xac*", "10\xe2\x82\xad net", false);
    /* In the resource field too. */
    glob_one("M-W2", GLOB_RESOURCE, "arn:aws:s3:::b/?.txt", "arn:aws:s3:::b/\xc3\xa9.txt", true);
    glob_one("M-W2", GLOB_RESOURCE, "arn:aws:s3:::b/??.txt", "arn:aws:s3:::b/\xc3\xa9.txt", false);
    glob_one("M-W2", GLOB_RESOURCE, "arn:aws:s3:::b/?.txt", "arn:aws:s3:::b/\xf0\x9f\x98\x80.txt", true);
    /* In a colon-restricted field: one ? is one code point there too. */
    glob_one("M-W2", GLOB_RESOURCE, "arn:aws:s3:?::b", "arn:aws:s3:\xc3\xa9::b", true);
    glob_one("M-W2", GLOB_RESOURCE, "arn:aws:s3:??::b", "arn:aws:s3:\xc3\xa9::b", false);
    glob_one("M-W2", GLOB_ARN, "arn:aws:s3:?::b", "arn:aws:s3:\xe2\x82\xac::b", true);
    /* Subjects that are not UTF-8: each invalid byte is one character
     * (engine/match.h), never merged with its neighbours. */
    glob_all("M-W2", "?", "\xff", true);
    glob_all("M-W2", "?", "\xff\xfe", false);
    glob_all("M-W2", "??", "\xff\xfe", true);
    glob_all("M-W2", "?", "\xc3", true);
    glob_all("M-W2", "a?", "a\xc3", true);
}

/* Folds UTF-8 text code point by code point (the caller's side of [M-W3]). */
static size_t fold(const char *s, char *out, size_t cap)
{
    size_t n = lit_fold(s, strlen(s), out, cap - 1);
    if (n == (size_t)-1)
        n = 0;
    out[n] = '\0';
    return n;
}

static void glob_fold(const char *rule, const char *pat, const char *subj, bool want)
{
    char p[256], s[256];
    size_t pn = fold(pat, p, sizeof p), sn = fold(subj, s, sizeof s);
    glob_n(rule, GLOB_PLAIN, p, pn, s, sn, want);
}

static void test_m_w3(void)
{
    /* The glob itself is case-sensitive ... */
    glob_all("M-W3", "GetObject", "getobject", false);
    glob_all("M-W3", "Get*", "getObject", false);
    /* ... the case-insensitive variant folds both sides first. */
    glob_fold("M-W3", "Get*", "getObject", true);
    glob_fold("M-W3", "GET?BJECT", "getobject", true);
    glob_fold("M-W3", "*ACCESSKEY*", "ListAccessKeys", true);
    glob_fold("M-W3", "get*acl", "GetObject", false);
    glob_fold("M-W3", "GetObject", "GetObjects", false);
    glob_fold("M-W3", "\xc3\x84pfel*", "\xc3\xa4pfelkuchen", true);   /* Ä vs ä */
    glob_fold("M-W3", "?pfel", "\xc3\x84pfel", true);
    glob_fold("M-W3", "stra\xc3\x9f" "e", "strasse", false);            /* no ß -> ss */
    /* Actions use it: prefix and name are case-insensitive [M-A2]. */
    static const struct {
        const char *pattern, *action;
        int want;
    } acts[] = {
        {"\"IAM:listaccesskeys\"", "iam:ListAccessKeys", IAM_ALLOWED},
        {"\"s3:*\"", "S3:GetObject", IAM_ALLOWED},
        {"\"S3:GET*\"", "s3:getObject", IAM_ALLOWED},
        {"\"s3:get?bject\"", "S3:GETOBJECT", IAM_ALLOWED},
        {"\"s3:getobject\"", "s3:GetObjectAcl", IAM_IMPLICIT_DENY},
        {"\"s3:get*acl\"", "s3:GetObject", IAM_IMPLICIT_DENY},
        {"\"S3:GetObject\"", "sqs:GetObject", IAM_IMPLICIT_DENY},
    };
    for (size_t i = 0; i < sizeof acts / sizeof *acts; i++) {
        char pol[512];
        snprintf(pol, sizeof pol, ALLOW_STMT("%s", "\"*\""), acts[i].pattern);
        int got = decide(pol, acts[i].action, OBJ, NULL, NULL);
        CHECK_NAMED("M-W3", got == acts[i].want);
        if (got != acts[i].want)
            fprintf(stderr, "  [M-W3] %s vs %s: got %d want %d\n", acts[i].pattern, acts[i].action, got,
                    acts[i].want);
    }
    /* Resources do not use it [M-R5]. */
    CHECK_NAMED("M-W3", decide(ALLOW_STMT("\"s3:GetObject\"", "\"arn:aws:s3:::REPORTS/*\""), "s3:GetObject", OBJ,
                               NULL, NULL) == IAM_IMPLICIT_DENY);
}

static void test_m_w4(void)
{
    /* Which wildcards may consume ':' (glob_parse flags). */
    const char *p = "arn:*:s3:us-*1:*:r*?";
    glob_elem e[64];
    size_t n;
    static const struct {
        glob_mode mode;
        uint8_t flags[5]; /* partition *, region *, account *, resource *, resource ? */
    } want[] = {{GLOB_PLAIN, {1, 1, 1, 1, 1}}, {GLOB_RESOURCE, {1, 0, 1, 1, 1}}, {GLOB_ARN, {0, 0, 0, 1, 1}}};
    for (size_t m = 0; m < 3; m++) {
        n = glob_parse(p, strlen(p), want[m].mode, e, 64);
        CHECK_NAMED("M-W4", n == strlen(p));
        size_t w = 0;
        bool ok = n == strlen(p);
        for (size_t i = 0; ok && i < n; i++) {
            if (e[i].kind == GLOB_LITERAL) {
                ok = ok && e[i].cp == (unsigned char)p[i];
                continue;
            }
            ok = ok && w < 5 && e[i].kind == (p[i] == '*' ? GLOB_ANY_RUN : GLOB_ANY_ONE) &&
                 e[i].crosses_colon == want[m].flags[w];
            w++;
        }
        CHECK_NAMED("M-W4", ok && w == 5);
        if (!(ok && w == 5))
            fprintf(stderr, "  [M-W4] glob_parse flags wrong in mode %s\n", mode_name(want[m].mode));
    }
    /* Matching with those flags. */
    const char *mid = "arn:aws:ec2:us-*1:123:instance/x";
    const char *crossed = "arn:aws:ec2:us-a:b-1:123:instance/x";
    glob_one("M-W4", GLOB_RESOURCE, mid, "arn:aws:ec2:us-east-1:123:instance/x", true);
    glob_one("M-W4", GLOB_RESOURCE, mid, crossed, false);
    glob_one("M-W4", GLOB_ARN, mid, crossed, false);
    glob_one("M-W4", GLOB_PLAIN, mid, crossed, true);
    const char *end = "arn:aws:ec2:us-*:123:instance/x";
    glob_one("M-W4", GLOB_RESOURCE, end, crossed, true);
    glob_one("M-W4", GLOB_ARN, end, crossed, false);
    glob_one("M-W4", GLOB_PLAIN, end, crossed, true);
    /* '?' never crosses in the first five fields, even last in its field. */
    glob_one("M-W4", GLOB_RESOURCE, "arn:aws:ec2:us-?:123:x", "arn:aws:ec2:us-::123:x", false);
    glob_one("M-W4", GLOB_RESOURCE, "arn:aws:ec2:us-?:123:x", "arn:aws:ec2:us-1:123:x", true);
    glob_one("M-W4", GLOB_PLAIN, "arn:aws:ec2:us-?:123:x", "arn:aws:ec2:us-::123:x", true);
    glob_one("M-W4", GLOB_RESOURCE, "arn:a?s:s3:::x", "arn:a:s:s3:::x", false);
    /* Partition and service fields follow the same rule. */
    glob_one("M-W4", GLOB_RESOURCE, "arn:*:s3:::x", "arn:aws:cn:s3:::x", true);
    glob_one("M-W4", GLOB_ARN, "arn:*:s3:::x", "arn:aws:cn:s3:::x", false);
    glob_one("M-W4", GLOB_RESOURCE, "arn:a*s:s3:::x", "arn:a:s:s3:::x", false);
    /* Example R3 in all three modes. */
    const char *r3p = "arn:aws:svc:*:111122223333:finance/*";
    const char *r3r = "arn:aws:svc:us-east-2:999999999999:store/abc:111122223333:finance/doc.txt";
    glob_one("M-W4", GLOB_RESOURCE, r3p, r3r, true);
    glob_one("M-W4", GLOB_PLAIN, r3p, r3r, true);
    glob_one("M-W4", GLOB_ARN, r3p, r3r, false);
    /* The sixth field: every wildcard crosses ':' and '/'. */
    glob_one("M-W4", GLOB_RESOURCE, "arn:aws:lambda:r:1:function:*", "arn:aws:lambda:r:1:function:f:1", true);
    glob_one("M-W4", GLOB_ARN, "arn:aws:lambda:r:1:function:*", "arn:aws:lambda:r:1:function:f:1", true);
    glob_one("M-W4", GLOB_RESOURCE, "arn:aws:s3:::a?b", "arn:aws:s3:::a:b", true);
    glob_one("M-W4", GLOB_ARN, "arn:aws:s3:::a?b", "arn:aws:s3:::a/b", true);
    /* A padded incomplete ARN ([M-R3]) crosses through its field-ending stars. */
    glob_one("M-W4", GLOB_RESOURCE, "arn:aws:sqs:*:*:*", "arn:aws:sqs:us-east-1:1:q:x", true);
    glob_one("M-W4", GLOB_ARN, "arn:aws:sqs:*:*:*", "arn:aws:sqs:us-east-1:1:q:x", true);
    glob_one("M-W4", GLOB_ARN, "arn:aws:sqs:*:*:q", "arn:aws:sqs:us-east-1:1:x:q", false);
}

static void test_m_w5(void)
{
    /* Each metacharacter of PCRE2 is an ordinary character on every path. */
    static const struct {
        const char *pat, *hit, *miss;
    } lits[] = {
        {"a.c", "a.c", "abc"},
        {"a+", "a+", "aa"},
        {"a+", "a+", "a"},
        {"[ab]", "[ab]", "a"},
        {"[^a]", "[^a]", "b"},
        {"(ab)", "(ab)", "ab"},
        {"(a|b)", "(a|b)", "a"},
        {"a|b", "a|b", "a"},
        {"a|b", "a|b", "b"},
        {"a$", "a$", "a"},
        {"^a", "^a", "a"},
        {"a{2}", "a{2}", "aa"},
        {"a{1,}", "a{1,}", "aaa"},
        {"\\d", "\\d", "5"},
        {"\\w+", "\\w+", "ab"},
        {"a\\.c", "a\\.c", "a.c"},
        {"\\\\", "\\\\", "\\"},
        {"\\", "\\", ""},
        {"\\E", "\\E", ""},
        {"\\Q", "\\Q", ""},
        {"\\Qa\\E", "\\Qa\\E", "a"},
        {"\\E.*", "\\E.x", "\\Exx"},
        {"\\Q*\\E", "\\Qanything\\E", "anything"},
        {"a\\E*b", "a\\Exyzb", "axyzb"},
        {"a\\Eb", "a\\Eb", "ab"},
        {"x\\", "x\\", "x"},
        {".*", ".*", "abc"},
        {".*", ".*", ""},
        {"a.?c", "a.Xc", "aXXc"},
        {"(?i)a", "(?i)a", "A"},
        {"(?", "(?", "("},
        {"#x", "#x", "x"},
        {"a b", "a b", "ab"},
        {"*.txt", "x.txt", "xtxt"},
        {"*(1)*", "f(1).txt", "f1.txt"},
        {"*[0-9]*", "v[0-9]", "v5"},
        {"*$*", "a$b", "ab"},
        {"*^*", "a^b", "ab"},
        {"*+*", "a+b", "ab"},
        {"*{*", "a{b", "ab"},
        {"*\\*", "a\\b", "ab"},
        {"?.?", "a.b", "abc"},
    };
    for (size_t i = 0; i < sizeof lits / sizeof *lits; i++) {
        glob_res("M-W5", lits[i].pat, lits[i].hit, true);
        glob_res("M-W5", lits[i].pat, lits[i].miss, false);
    }
    /* Metacharacters in the colon-restricted fields. */
    glob_one("M-W5", GLOB_RESOURCE, "arn:a.s:s3:::x", "arn:a.s:s3:::x", true);
    glob_one("M-W5", GLOB_RESOURCE, "arn:a.s:s3:::x", "arn:aws:s3:::x", false);
    glob_one("M-W5", GLOB_RESOURCE, "arn:aws:s(3):us-*[1]:*:x", "arn:aws:s(3):us-east[1]:9:x", true);
    glob_one("M-W5", GLOB_RESOURCE, "arn:aws:s(3):us-*[1]:*:x", "arn:aws:s3:us-east1:9:x", false);
    glob_one("M-W5", GLOB_ARN, "arn:aws:s3:\\E*::x", "arn:aws:s3:\\Ezz::x", true);
    glob_one("M-W5", GLOB_ARN, "arn:aws:s3:\\E*::x", "arn:aws:s3:zz::x", false);
    glob_one("M-W5", GLOB_ARN, "arn:aws:s3:\\E*::x", "arn:aws:s3:\\E:z::x", false);
    /* Long literal runs and many wildcards stay exact. */
    char pat[600], hit[600], miss[600];
    size_t k = 0;
    for (int i = 0; i < 60; i++) {
        const char *chunk = i % 2 ? "*" : ".+[($^|{\\";
        size_t cl = strlen(chunk);
        memcpy(pat + k, chunk, cl);
        k += cl;
    }
    pat[k] = '\0';
    k = 0;
    size_t km = 0;
    for (int i = 0; i < 60; i++) {
        if (i % 2) {
            hit[k++] = 'z';
            miss[km++] = 'z';
        } else {
            memcpy(hit + k, ".+[($^|{\\", 9);
            k += 9;
            memcpy(miss + km, "x+[($^|{\\", 9);
            km += 9;
        }
    }
    hit[k] = miss[km] = '\0';
    glob_all("M-W5", pat, hit, true);
    glob_all("M-W5", pat, miss, false);
}

int main(void)
{
    gs = glob_scratch_create();
    if (gs == NULL)
        return 2;
    test_g_j1();
    test_g_j2();
    test_g_j3();
    test_g_j4();
    test_g_j5();
    test_g_j6();
    test_g_s1();
    test_g_m();
    test_m_w1();
    test_m_w2();
    test_m_w3();
    test_m_w4();
    test_m_w5();
    glob_scratch_free(gs);
    return check_report();
}
