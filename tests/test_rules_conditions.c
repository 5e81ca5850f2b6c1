/* Rules of spec sections 3 (conditions) and 4 (policy variables) that a
 * scenario file expresses poorly, checked through the public API: the request
 * context as the C caller builds it (C-K1, C-K2, C-K3), Unicode case folding
 * (C-O2), derived keys (V-D), and the whole summary table of 3.10 run over
 * every operator family, state and operator form (C-E and the rules it
 * combines: C-X1, C-X2, C-Q1, C-Q2, C-Q4, C-M1, C-N1, C-T2).
 *
 * Expected values come from the spec (shared/spec/iam-semantics.md), never
 * from the engine: the table test encodes the eval_pair algorithm of 3.4. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "iameval.h"

#define ALICE "arn:aws:iam::111122223333:user/alice"
#define SESSION "arn:aws:sts::111122223333:assumed-role/AppRole/s1"
#define OBJECT "arn:aws:s3:::example-bucket/report.csv"
#define MAX_TEST_KEYS 100

static iam_scratch *scratch;

static iam_str S(const char *s)
{
    iam_str r = {s, s ? strlen(s) : 0};
    return r;
}

/* One context key for the tests: a single string (values[0], multi false) or
 * a list of `count` strings. */
typedef struct {
    const char *key;
    bool multi;
    size_t count;
    const char *values[4];
} ctx_key;

/* Decides `principal` doing s3:GetObject on OBJECT with the given identity
 * policy (JSON text) and context. Returns the iam_evaluate status (or the
 * parse status with *parse_failed set). */
static iam_status decide(const char *policy_json, const char *principal, const ctx_key *keys, size_t nkeys,
                         iam_decision *out, bool *parse_failed)
{
    iam_policy *policy = NULL;
    iam_setup *setup = NULL;
    iam_policy_set *set = NULL;
    iam_error err;
    iam_status st;
    *parse_failed = false;
    st = iam_policy_parse(&policy, policy_json, strlen(policy_json), IAM_POLICY_IDENTITY, "test", NULL, &err);
    if (st != IAM_OK) {
        *parse_failed = true;
        return st;
    }
    if ((st = iam_setup_create(&setup)) != IAM_OK || (st = iam_setup_add(setup, policy, 0, &err)) != IAM_OK ||
        (st = iam_policy_set_compile(&set, setup, NULL, &err)) != IAM_OK) {
        *parse_failed = true;
        goto done;
    }
    {
        static iam_context_entry entries[MAX_TEST_KEYS];
        static iam_str values[MAX_TEST_KEYS][4];
        for (size_t i = 0; i < nkeys && i < MAX_TEST_KEYS; i++) {
            for (size_t v = 0; v < keys[i].count && v < 4; v++)
                values[i][v] = S(keys[i].values[v]);
            entries[i].key = S(keys[i].key);
            entries[i].values = values[i];
            entries[i].value_count = keys[i].count;
            entries[i].multivalued = keys[i].multi;
        }
        iam_request req;
        memset(&req, 0, sizeof req);
        req.principal = S(principal);
        req.action = S("s3:GetObject");
        req.resource = S(OBJECT);
        req.resource_account = S("111122223333");
        req.context = entries;
        req.context_count = nkeys;
        st = iam_evaluate(set, &req, scratch, out, &err);
    }
done:
    iam_policy_set_free(set);
    iam_setup_free(setup);
    iam_policy_free(policy);
    return st;
}

/* A policy allowing s3:GetObject under one condition `"OP": {"KEY": VALUES}`,
 * VALUES being JSON text (a string with its quotes, or a list). */
static void policy_with(char *buf, size_t size, const char *op, const char *key, const char *values_json)
{
    snprintf(buf, size,
             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
             "\"Resource\":\"*\",\"Condition\":{\"%s\":{\"%s\":%s}}}]}",
             op, key, values_json);
}

/* True when the request is decided allowed (holds) or implicitDeny (!holds);
 * prints the details otherwise. */
static bool decided(const char *id, const char *policy_json, const char *principal, const ctx_key *keys,
                    size_t nkeys, bool holds, const char *what)
{
    iam_decision d = IAM_IMPLICIT_DENY;
    bool parse_failed;
    iam_status st = decide(policy_json, principal, keys, nkeys, &d, &parse_failed);
    iam_decision want = holds ? IAM_ALLOWED : IAM_IMPLICIT_DENY;
    bool ok = st == IAM_OK && d == want;
    if (!ok)
        fprintf(stderr, "  [%s] %s: got %s, want %s\n    policy %s\n", id, what,
                st == IAM_OK ? iam_decision_name(d) : iam_status_name(st), iam_decision_name(want), policy_json);
    return ok;
}

/* True when the request is rejected as invalid (no decision). */
static bool rejected(const char *id, const char *policy_json, const ctx_key *keys, size_t nkeys, const char *what)
{
    iam_decision d = IAM_IMPLICIT_DENY;
    bool parse_failed;
    iam_status st = decide(policy_json, ALICE, keys, nkeys, &d, &parse_failed);
    bool ok = st == IAM_ERR_REQUEST && !parse_failed;
    if (!ok)
        fprintf(stderr, "  [%s] %s: got %s, want a request error\n", id, what,
                st == IAM_OK ? iam_decision_name(d) : iam_status_name(st));
    return ok;
}

static const char *ALLOW_ALL =
    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}";

/* ------------------------------------------------------------------ C-K1 */

static void test_context_shapes(void)
{
    char pol[512];
    policy_with(pol, sizeof pol, "StringEquals", "aws:PrincipalTag/team", "\"red\"");

    /* A single string and a list are the two shapes a context value has. */
    ctx_key single = {"aws:PrincipalTag/team", false, 1, {"red"}};
    CHECK_NAMED("C-K1", decided("C-K1", pol, ALICE, &single, 1, true, "a single string value is accepted"));
    ctx_key list = {"aws:TagKeys", true, 2, {"a", "b"}};
    CHECK_NAMED("C-K1", decided("C-K1", ALLOW_ALL, ALICE, &list, 1, true, "a list of strings is accepted"));

    /* A single-valued entry must hold exactly one string. */
    ctx_key none = {"aws:PrincipalTag/team", false, 0, {NULL}};
    CHECK_NAMED("C-K1", rejected("C-K1", pol, &none, 1, "a single-valued key with no value"));
    ctx_key two = {"aws:PrincipalTag/team", false, 2, {"red", "blue"}};
    CHECK_NAMED("C-K1", rejected("C-K1", pol, &two, 1, "a single-valued key with two values"));
    ctx_key absent = {"aws:PrincipalTag/team", false, 1, {NULL}};
    CHECK_NAMED("C-K1", rejected("C-K1", pol, &absent, 1, "a single-valued key whose string is absent (NULL)"));
    ctx_key list_absent = {"aws:TagKeys", true, 2, {"a", NULL}};
    CHECK_NAMED("C-K1", rejected("C-K1", ALLOW_ALL, &list_absent, 1, "a list holding an absent (NULL) string"));
}

/* ------------------------------------------------------------------ C-K2 */

static void test_key_case(void)
{
    char pol[512];
    policy_with(pol, sizeof pol, "StringEquals", "aws:PrincipalTag/CostCenter", "\"12345\"");
    ctx_key lower = {"AWS:principaltag/costcenter", false, 1, {"12345"}};
    CHECK_NAMED("C-K2", decided("C-K2", pol, ALICE, &lower, 1, true, "key names match ignoring case, tag suffix included"));
    ctx_key other = {"aws:PrincipalTag/CostCentre", false, 1, {"12345"}};
    CHECK_NAMED("C-K2", decided("C-K2", pol, ALICE, &other, 1, false, "a different key name does not match"));

    ctx_key dup[2] = {{"aws:PrincipalTag/team", false, 1, {"red"}}, {"AWS:PRINCIPALTAG/TEAM", false, 1, {"red"}}};
    CHECK_NAMED("C-K2", rejected("C-K2", ALLOW_ALL, dup, 2, "two context keys equal ignoring case"));
    ctx_key dup_list[2] = {{"aws:TagKeys", true, 1, {"a"}}, {"aws:tagkeys", false, 1, {"a"}}};
    CHECK_NAMED("C-K2", rejected("C-K2", ALLOW_ALL, dup_list, 2, "a list key and a string key equal ignoring case"));
    ctx_key distinct[2] = {{"aws:PrincipalTag/team", false, 1, {"red"}}, {"aws:PrincipalTag/teams", false, 1, {"red"}}};
    CHECK_NAMED("C-K2", decided("C-K2", ALLOW_ALL, ALICE, distinct, 2, true, "keys that differ beyond case are fine"));
    ctx_key short_dup[2] = {{"k", false, 1, {"a"}}, {"K", false, 1, {"a"}}};
    CHECK_NAMED("C-K2", rejected("C-K2", ALLOW_ALL, short_dup, 2, "one-letter keys equal ignoring case"));

    /* Names are folded code point by code point, so a name with a Kelvin sign
     * (U+212A) equals the same name with 'k', whichever side holds it; the
     * engine takes different paths for all-ASCII and other contexts. */
    policy_with(pol, sizeof pol, "StringEquals", "aws:PrincipalTag/\xe2\x84\xaa" "ey", "\"v\"");
    ctx_key ascii_key = {"aws:principaltag/KEY", false, 1, {"v"}};
    CHECK_NAMED("C-K2", decided("C-K2", pol, ALICE, &ascii_key, 1, true, "policy name with a Kelvin sign, ASCII request key"));
    policy_with(pol, sizeof pol, "StringEquals", "aws:PrincipalTag/KEY", "\"v\"");
    ctx_key kelvin_key = {"aws:PrincipalTag/\xe2\x84\xaa" "ey", false, 1, {"v"}};
    CHECK_NAMED("C-K2", decided("C-K2", pol, ALICE, &kelvin_key, 1, true, "request key with a Kelvin sign, ASCII policy name"));
    ctx_key kelvin_dup[2] = {{"aws:PrincipalTag/key", false, 1, {"v"}}, {"aws:PrincipalTag/\xe2\x84\xaa" "ey", false, 1, {"v"}}};
    CHECK_NAMED("C-K2", rejected("C-K2", ALLOW_ALL, kelvin_dup, 2, "keys equal once the Kelvin sign is folded"));
    policy_with(pol, sizeof pol, "StringEquals", "aws:PrincipalTag/\xc3\x84rea", "\"v\"");
    ctx_key umlaut_key = {"aws:PrincipalTag/\xc3\xa4REA", false, 1, {"v"}};
    CHECK_NAMED("C-K2", decided("C-K2", pol, ALICE, &umlaut_key, 1, true, "non-ASCII on both sides folds"));

    /* Many keys, all ending alike (one hash chain), and more keys than the
     * in-place table takes: every key is still found, duplicates still seen. */
    static char names[MAX_TEST_KEYS][40];
    static ctx_key many[MAX_TEST_KEYS];
    for (size_t n = 0; n < MAX_TEST_KEYS; n++) {
        snprintf(names[n], sizeof names[n], "aws:PrincipalTag/k%03zu-same-end", n);
        many[n] = (ctx_key){names[n], false, 1, {"v"}};
    }
    policy_with(pol, sizeof pol, "StringEquals", "aws:principaltag/K059-SAME-END", "\"v\"");
    CHECK_NAMED("C-K2", decided("C-K2", pol, ALICE, many, 60, true, "the 60th of 60 similar keys is found"));
    CHECK_NAMED("C-K2", decided("C-K2", pol, ALICE, many, MAX_TEST_KEYS, true, "the 60th of 100 keys is found"));
    policy_with(pol, sizeof pol, "StringEquals", "aws:principaltag/K099-SAME-END", "\"v\"");
    CHECK_NAMED("C-K2", decided("C-K2", pol, ALICE, many, 99, false, "a key not among 99 is missing"));
    snprintf(names[63], sizeof names[63], "AWS:PRINCIPALTAG/K010-SAME-END");
    CHECK_NAMED("C-K2", rejected("C-K2", ALLOW_ALL, many, 64, "a duplicate among 64 keys"));
    CHECK_NAMED("C-K2", rejected("C-K2", ALLOW_ALL, many, MAX_TEST_KEYS, "a duplicate among 100 keys"));
}

/* ------------------------------------------------------------------ C-K3 */

static void test_key_states(void)
{
    char pol[512];
    policy_with(pol, sizeof pol, "StringEquals", "aws:TagKeys", "\"env\"");
    ctx_key single = {"aws:TagKeys", false, 1, {"env"}};
    CHECK_NAMED("C-K3", decided("C-K3", pol, ALICE, &single, 1, true, "SINGLE(env) compares"));
    ctx_key one = {"aws:TagKeys", true, 1, {"env"}};
    CHECK_NAMED("C-K3", decided("C-K3", pol, ALICE, &one, 1, false, "a one-element list is MULTI, not SINGLE"));

    policy_with(pol, sizeof pol, "StringNotEquals", "aws:TagKeys", "\"env\"");
    ctx_key empty = {"aws:TagKeys", true, 0, {NULL}};
    CHECK_NAMED("C-K3", decided("C-K3", pol, ALICE, &empty, 1, false, "MULTI([]) is not MISSING: negated operator false"));
    CHECK_NAMED("C-K3", decided("C-K3", pol, ALICE, NULL, 0, true, "MISSING: negated operator true"));
}

/* ------------------------------------------------------------------ C-O2 */

static void test_ignore_case_folding(void)
{
    static const struct {
        const char *policy, *request;
        bool equal;
        const char *what;
    } cases[] = {
        {"FINANCE", "finance", true, "ASCII"},
        {"\xc3\x84", "\xc3\xa4", true, "A-umlaut folds to a-umlaut"},
        {"\xc3\xa4", "\xc3\x84", true, "a-umlaut equals A-umlaut (either side)"},
        {"\xc3\x89" "COLE", "\xc3\xa9" "cole", true, "E-acute folds"},
        {"\xce\xa3\xce\x9f\xce\xa6\xce\x99\xce\x91", "\xcf\x83\xce\xbf\xcf\x86\xce\xb9\xce\xb1", true, "Greek"},
        {"\xd0\x94\xd0\x9e\xd0\x9c", "\xd0\xb4\xd0\xbe\xd0\xbc", true, "Cyrillic"},
        {"\xe1\xba\x9e", "\xc3\x9f", true, "capital sharp s folds to sharp s (simple mapping)"},
        {"\xe2\x84\xaa", "k", true, "Kelvin sign folds to k (simple mapping)"},
        {"\xc3\x9f", "ss", false, "sharp s is not ss (no multi-character fold)"},
        {"stra\xc3\x9f" "e", "STRASSE", false, "strasse with sharp s is not STRASSE"},
        {"\xc3\xa9", "e\xcc\x81", false, "composed e-acute is not e + combining acute (no normalisation)"},
        {"\xc3\x89", "e\xcc\x81", false, "E-acute is not e + combining acute"},
        {"a", "\xc3\xa1", false, "folding does not strip accents"},
        {"\xc3\x84", "A", false, "A-umlaut is not A"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char value[64], pol[512];
        snprintf(value, sizeof value, "\"%s\"", cases[i].policy);
        ctx_key k = {"aws:PrincipalTag/team", false, 1, {cases[i].request}};
        policy_with(pol, sizeof pol, "StringEqualsIgnoreCase", "aws:PrincipalTag/team", value);
        CHECK_NAMED("C-O2", decided("C-O2", pol, ALICE, &k, 1, cases[i].equal, cases[i].what));
        policy_with(pol, sizeof pol, "StringNotEqualsIgnoreCase", "aws:PrincipalTag/team", value);
        CHECK_NAMED("C-O2", decided("C-O2", pol, ALICE, &k, 1, !cases[i].equal, cases[i].what));
    }
    /* StringEquals never folds. */
    char pol[512];
    policy_with(pol, sizeof pol, "StringEquals", "aws:PrincipalTag/team", "\"\xc3\x84\"");
    ctx_key k = {"aws:PrincipalTag/team", false, 1, {"\xc3\xa4"}};
    CHECK_NAMED("C-O2", decided("C-O2", pol, ALICE, &k, 1, false, "StringEquals does not fold"));
}

/* ------------------------------------------------------------------ V-D */

static void test_derived_keys(void)
{
    char pol[512];
    policy_with(pol, sizeof pol, "StringEquals", "aws:username", "\"carol\"");
    CHECK_NAMED("V-D", decided("V-D", pol, "arn:aws:iam::111122223333:user/a/b/carol", NULL, 0, true,
                 "aws:username is the user's name without its path"));
    policy_with(pol, sizeof pol, "StringEquals", "aws:PrincipalArn", "\"arn:aws:iam::111122223333:role/AppRole\"");
    CHECK_NAMED("V-D", decided("V-D", pol, SESSION, NULL, 0, true, "a session's aws:PrincipalArn is its role ARN"));
    policy_with(pol, sizeof pol, "StringEquals", "aws:PrincipalAccount", "\"111122223333\"");
    CHECK_NAMED("V-D", decided("V-D", pol, SESSION, NULL, 0, true, "aws:PrincipalAccount is derived"));
    policy_with(pol, sizeof pol, "Null", "aws:username", "\"true\"");
    CHECK_NAMED("V-D", decided("V-D", pol, SESSION, NULL, 0, true, "a session has no aws:username"));
    CHECK_NAMED("V-D", decided("V-D", pol, ALICE, NULL, 0, false, "a user has aws:username"));
    policy_with(pol, sizeof pol, "Null", "aws:PrincipalType", "\"true\"");
    CHECK_NAMED("V-D", decided("V-D", pol, ALICE, NULL, 0, true, "aws:PrincipalType is not derived"));

    /* A context key wins over the derived one, whatever its case. */
    policy_with(pol, sizeof pol, "StringEquals", "aws:username", "\"bob\"");
    ctx_key given = {"AWS:UserName", false, 1, {"bob"}};
    CHECK_NAMED("V-D", decided("V-D", pol, ALICE, &given, 1, true, "a context aws:username wins over the derived one"));
    policy_with(pol, sizeof pol, "StringEquals", "aws:username", "\"alice\"");
    CHECK_NAMED("V-D", decided("V-D", pol, ALICE, &given, 1, false, "the derived aws:username is not used when given"));
    ctx_key listed = {"aws:username", true, 1, {"alice"}};
    CHECK_NAMED("V-D", decided("V-D", pol, ALICE, &listed, 1, false, "a context aws:username given as a list wins (and is MULTI)"));

    /* The derived value takes part in variables. */
    const char *home = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                       "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"s3:prefix\":\"${aws:username}\"}}}}";
    ctx_key prefix = {"s3:prefix", false, 1, {"carol"}};
    CHECK_NAMED("V-D", decided("V-D", home, "arn:aws:iam::111122223333:user/a/b/carol", &prefix, 1, true,
                 "the derived aws:username resolves ${aws:username}"));
}

/* ------------------------------------------------- C-E: the 3.10 table */

/* One operator family: a positive base, its negated counterpart (or NULL), a
 * policy value, and request values that pass the positive test (m), fail it
 * (n), and cannot be parsed for its type (u; NULL for string families). */
typedef struct {
    const char *pos, *neg, *key, *policy_value, *m, *n, *u;
    bool empty_is_text; /* "" is an ordinary value (string families) */
    bool empty_ambiguous; /* the spec does not say how "" parses: skip SINGLE("") */
} family;

static const family families[] = {
    {"StringEquals", "StringNotEquals", "aws:RequestTag/team", "red", "red", "blue", NULL, true, false},
    {"StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "aws:RequestTag/team", "RED", "red", "blue", NULL, true, false},
    {"StringLike", "StringNotLike", "aws:RequestTag/team", "r*", "red", "blue", NULL, true, false},
    {"NumericEquals", "NumericNotEquals", "s3:max-keys", "10", "10.0", "11", "abc", false, false},
    {"NumericLessThan", NULL, "s3:max-keys", "10", "9.5", "10", "1e1", false, false},
    {"DateEquals", "DateNotEquals", "aws:CurrentTime", "2024-06-15T10:30:00Z", "1718447400", "1718447401", "soon", false, false},
    {"DateGreaterThan", NULL, "aws:CurrentTime", "2024-06-15T10:30:00Z", "2024-06-15T10:30:00.001Z",
     "2024-06-15T10:30:00Z", "2024-06-15 10:31:00Z", false, false},
    {"Bool", NULL, "aws:SecureTransport", "true", "TRUE", "false", "yes", false, false},
    {"BinaryEquals", NULL, "example:Blob", "QUJD", "QUJD", "QQ==", "%%%%", false, true},
    {"IpAddress", "NotIpAddress", "aws:SourceIp", "203.0.113.0/24", "203.0.113.9", "198.51.100.1", "not-an-ip", false, false},
    {"ArnLike", "ArnNotLike", "aws:SourceArn", "arn:aws:sns:*:111122223333:*", "arn:aws:sns:us-east-1:111122223333:t",
     "arn:aws:sns:us-east-1:444455556666:t", "not-an-arn", false, false},
    {"ArnEquals", "ArnNotEquals", "aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:t",
     "arn:aws:sns:us-east-1:111122223333:t", "arn:aws:sns:us-east-1:111122223333:u", "arn:aws:sns", false, false},
};

enum kind { MISSING, SINGLE, MULTI };
enum val { V_M, V_N, V_U, V_EMPTY };

typedef struct {
    enum kind kind;
    size_t count;
    enum val v[3];
    const char *name;
} state;

static const state states[] = {
    {MISSING, 0, {V_M}, "MISSING"},
    {SINGLE, 1, {V_M}, "SINGLE(m)"},
    {SINGLE, 1, {V_N}, "SINGLE(n)"},
    {SINGLE, 1, {V_U}, "SINGLE(unparsable)"},
    {SINGLE, 1, {V_EMPTY}, "SINGLE(\"\")"},
    {MULTI, 0, {V_M}, "MULTI([])"},
    {MULTI, 1, {V_M}, "MULTI([m])"},
    {MULTI, 2, {V_M, V_M}, "MULTI([m,m])"},
    {MULTI, 1, {V_N}, "MULTI([n])"},
    {MULTI, 2, {V_M, V_N}, "MULTI([m,n])"},
    {MULTI, 2, {V_N, V_M}, "MULTI([n,m])"},
    {MULTI, 1, {V_EMPTY}, "MULTI([\"\"])"},
    {MULTI, 1, {V_U}, "MULTI([unparsable])"},
    {MULTI, 2, {V_M, V_U}, "MULTI([m,unparsable])"},
};

static const char *value_text(const family *f, enum val v)
{
    switch (v) {
    case V_M: return f->m;
    case V_N: return f->n;
    case V_U: return f->u;
    case V_EMPTY: return "";
    }
    return NULL;
}

/* test(base, r, values) of 3.4 for one request value: the positive base
 * passes m and fails n; an unparsable value (and "" for non-string types)
 * fails both the positive and the negated base [C-T2]; for string families
 * "" is ordinary text that differs from the policy value. */
static bool test_value(const family *f, enum val v, bool negated)
{
    bool unparsable = v == V_U || (v == V_EMPTY && !f->empty_is_text);
    if (unparsable)
        return false;
    bool positive = v == V_M;
    return negated ? !positive : positive;
}

static bool null_valued(const family *f, const state *s)
{
    (void)f;
    if (s->kind == MISSING)
        return true;
    if (s->kind == SINGLE)
        return s->v[0] == V_EMPTY;
    return s->count == 0;
}

enum qual { Q_NONE, Q_ALL, Q_ANY };

/* eval_pair of 3.4, verbatim. */
static bool expected(const family *f, const state *s, enum qual q, bool negated, bool ifexists)
{
    if (q != Q_NONE) {
        /* request_set: MISSING and SINGLE("") are the empty set */
        size_t n = s->kind == MISSING || (s->kind == SINGLE && s->v[0] == V_EMPTY) ? 0 : s->count;
        if (n == 0)
            return q == Q_ALL;
        for (size_t i = 0; i < n; i++) {
            bool t = test_value(f, s->v[i], negated);
            if (q == Q_ALL && !t)
                return false;
            if (q == Q_ANY && t)
                return true;
        }
        return q == Q_ALL;
    }
    if (s->kind == MISSING)
        return ifexists || negated;
    if (s->kind == MULTI)
        return false;
    return test_value(f, s->v[0], negated);
}

static const char *rule_of(const state *s, enum qual q, bool negated, bool ifexists)
{
    if (q == Q_ALL)
        return ifexists ? "C-Q4" : "C-Q1";
    if (q == Q_ANY)
        return ifexists ? "C-Q4" : "C-Q2";
    if (s->kind == MULTI)
        return "C-M1";
    if (s->kind == MISSING)
        return ifexists ? "C-X2" : "C-X1";
    if (s->v[0] == V_U)
        return "C-T2";
    (void)negated;
    return "C-E";
}

static void test_summary_table(void)
{
    static const char *const qual_prefix[] = {"", "ForAllValues:", "ForAnyValue:"};
    for (size_t fi = 0; fi < sizeof families / sizeof families[0]; fi++) {
        const family *f = &families[fi];
        for (size_t si = 0; si < sizeof states / sizeof states[0]; si++) {
            const state *s = &states[si];
            bool uses_u = false, uses_empty = false;
            for (size_t i = 0; i < s->count; i++) {
                uses_u |= s->v[i] == V_U;
                uses_empty |= s->v[i] == V_EMPTY;
            }
            if (uses_u && f->u == NULL)
                continue;
            if (uses_empty && f->empty_ambiguous)
                continue;
            ctx_key k = {f->key, s->kind == MULTI, s->kind == SINGLE ? 1 : s->count, {NULL}};
            for (size_t i = 0; i < s->count; i++)
                k.values[i] = value_text(f, s->v[i]);
            size_t nkeys = s->kind == MISSING ? 0 : 1;

            for (int q = Q_NONE; q <= Q_ANY; q++)
                for (int neg = 0; neg <= 1; neg++)
                    for (int ife = 0; ife <= 1; ife++) {
                        const char *base = neg ? f->neg : f->pos;
                        if (base == NULL)
                            continue;
                        char op[96], value[160], pol[768], what[256];
                        snprintf(op, sizeof op, "%s%s%s", qual_prefix[q], base, ife ? "IfExists" : "");
                        snprintf(value, sizeof value, "\"%s\"", f->policy_value);
                        policy_with(pol, sizeof pol, op, f->key, value);
                        bool want = expected(f, s, (enum qual)q, neg, ife);
                        snprintf(what, sizeof what, "%s on %s", op, s->name);
                        CHECK_NAMED("C-E", decided("C-E", pol, ALICE, &k, nkeys, want, what));
                        /* the same check under the rule the cell illustrates */
                        const char *rule = rule_of(s, (enum qual)q, neg, ife);
                        if (strcmp(rule, "C-E") != 0)
                            CHECK_NAMED(rule, decided(rule, pol, ALICE, &k, nkeys, want, what));
                    }

            /* Null: true <-> null-valued [C-N1, C-K4] */
            char pol[768];
            bool nv = null_valued(f, s);
            policy_with(pol, sizeof pol, "Null", f->key, "\"true\"");
            CHECK_NAMED("C-N1", decided("C-N1", pol, ALICE, &k, nkeys, nv, s->name));
            CHECK_NAMED("C-K4", decided("C-K4", pol, ALICE, &k, nkeys, nv, s->name));
            policy_with(pol, sizeof pol, "Null", f->key, "\"false\"");
            CHECK_NAMED("C-N1", decided("C-N1", pol, ALICE, &k, nkeys, !nv, s->name));
        }
    }
}

/* ------------------------------------------- C-L3 / C-L4 over many values */

static void test_or_nor(void)
{
    /* The request value equals exactly the i-th of five policy values. */
    const char *list = "[\"v0\",\"v1\",\"v2\",\"v3\",\"v4\"]";
    char pol[512];
    for (int i = 0; i <= 5; i++) {
        char v[16], what[64];
        snprintf(v, sizeof v, "v%d", i);
        ctx_key k = {"aws:RequestTag/x", false, 1, {v}};
        snprintf(what, sizeof what, "request %s against v0..v4", v);
        policy_with(pol, sizeof pol, "StringEquals", "aws:RequestTag/x", list);
        CHECK_NAMED("C-L3", decided("C-L3", pol, ALICE, &k, 1, i < 5, what));
        policy_with(pol, sizeof pol, "StringNotEquals", "aws:RequestTag/x", list);
        CHECK_NAMED("C-L4", decided("C-L4", pol, ALICE, &k, 1, i == 5, what));
    }
}

int main(void)
{
    if (iam_scratch_create(&scratch, NULL) != IAM_OK)
        return 2;
    test_context_shapes();
    test_key_case();
    test_key_states();
    test_ignore_case_folding();
    test_derived_keys();
    test_summary_table();
    test_or_nor();
    iam_scratch_free(scratch);
    return check_report();
}
