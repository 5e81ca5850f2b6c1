/* Explanations (spec 6.2): what they must name, checked through the public
 * API on scenarios written here; every check names the rule it covers. */
#include <stdbool.h>
#include <stdlib.h>

#include "check.h"
#include "iameval.h"

static iam_scratch *scratch;
static iam_explanation *ex;

/* Loads one scenario from text and explains it; returns the file (to free). */
static iam_scenario_file *explain(const char *text, iam_decision *d)
{
    iam_scenario_file *f;
    iam_error err;
    if (iam_scenario_file_parse(&f, text, strlen(text), 0, "explain-test.json", NULL, &err) != IAM_OK) {
        fprintf(stderr, "parse: %s at %u:%u\n", err.message, err.line, err.column);
        return NULL;
    }
    if (iam_scenario_explain(iam_scenario_file_get(f, 0), scratch, d, ex, &err) != IAM_OK) {
        fprintf(stderr, "explain: %s\n", err.message);
        iam_scenario_file_free(f);
        return NULL;
    }
    return f;
}

static bool json_has(const char *needle)
{
    const char *json = iam_explanation_json(ex);
    bool found = json != NULL && strstr(json, needle) != NULL;
    if (!found)
        fprintf(stderr, "explanation lacks %s:\n%s\n", needle, json ? json : "(null)");
    return found;
}

#define REQ(principal, action, resource) \
    "\"request\": {\"principal\": \"" principal "\", \"action\": \"" action "\", \"resource\": \"" resource "\""

static void test_explicit_deny_lists_every_deny(void)
{
    /* Denies in an SCP, the resource policy, two identity policies and the
     * boundary: all named, in AWS's order (RCP, SCP, resource, identity,
     * boundary, session), document order within a layer [D-X2], [D-X5]. */
    const char *text =
        "{" REQ("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::b/k") ", \"resource_account\": \"111122223333\"},\n"
        " \"identity_policies\": [\n"
        "  {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"},\n"
        "     {\"Sid\": \"IdDenyA\", \"Effect\": \"Deny\", \"Action\": \"s3:Get*\", \"Resource\": \"*\"}]},\n"
        "  {\"Version\": \"2012-10-17\", \"Statement\": {\"Sid\": \"IdDenyB\", \"Effect\": \"Deny\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}],\n"
        " \"permissions_boundary\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"PbDeny\", \"Effect\": \"Deny\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]},\n"
        " \"resource_policy\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"RpDeny\", \"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]},\n"
        " \"scps\": [[{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"},\n"
        "     {\"Sid\": \"ScpDeny\", \"Effect\": \"Deny\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}]]}";
    iam_decision d;
    iam_scenario_file *f = explain(text, &d);
    CHECK_NAMED("D-X2", f != NULL && d == IAM_EXPLICIT_DENY);
    if (f == NULL)
        return;
    CHECK_NAMED("D-X2", iam_explanation_decisive_count(ex) == 5);
    const char *want_sid[5] = {"ScpDeny", "RpDeny", "IdDenyA", "IdDenyB", "PbDeny"};
    const char *want_layer[5] = {"scp", "resource", "identity", "identity", "boundary"};
    for (size_t i = 0; i < 5; i++) {
        iam_statement_ref r;
        CHECK_NAMED("D-X2", iam_explanation_decisive(ex, i, &r) == IAM_OK);
        CHECK_NAMED("D-X5", r.sid && strcmp(r.sid, want_sid[i]) == 0);
        CHECK_NAMED("D-X2", strcmp(r.layer, want_layer[i]) == 0 && r.allow == 0);
    }
    /* [D-X1]: type, policy index or level, statement index, Sid, effect. */
    iam_statement_ref r;
    iam_explanation_decisive(ex, 3, &r);
    CHECK_NAMED("D-X1", r.policy_index == 1 && r.statement_index == 0 && strcmp(r.sid, "IdDenyB") == 0);
    CHECK_NAMED("D-X1", r.line == 5 && r.column == 42);
    CHECK_NAMED("D-X1", strcmp(r.policy_path, "$.identity_policies[1]") == 0);
    iam_explanation_decisive(ex, 2, &r);
    CHECK_NAMED("D-X1", r.policy_index == 0 && r.statement_index == 1);
    iam_explanation_decisive(ex, 0, &r);
    CHECK_NAMED("D-X1", r.level == 0 && r.statement_index == 1 && strcmp(r.layer, "scp") == 0);
    CHECK_NAMED("D-X2", json_has("\"reasons\":[{\"code\":\"explicit_deny\""));
    iam_scenario_file_free(f);
}

static void test_implicit_deny_names_missing_allows(void)
{
    /* SCP level 1 allows only ec2: the first missing allow, in AWS's order
     * [D-X3]; the identity and boundary gaps are listed after it. */
    const char *scp =
        "{" REQ("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::b/k") ", \"resource_account\": \"111122223333\"},\n"
        " \"identity_policies\": [{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"ec2:*\", \"Resource\": \"*\"}]}],\n"
        " \"permissions_boundary\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"ec2:*\", \"Resource\": \"*\"}]},\n"
        " \"scps\": [[{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}],\n"
        "          [{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"ec2:*\", \"Resource\": \"*\"}]}]]}";
    iam_decision d;
    iam_scenario_file *f = explain(scp, &d);
    CHECK_NAMED("D-X3", f != NULL && d == IAM_IMPLICIT_DENY);
    CHECK_NAMED("D-X3", json_has("\"reasons\":[{\"code\":\"scp_level_no_allow\",\"level\":1"));
    CHECK_NAMED("D-X3", iam_explanation_decisive_count(ex) == 0);
    iam_scenario_file_free(f);

    /* The boundary blocks an identity allow. */
    const char *pb =
        "{" REQ("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::b/k") ", \"resource_account\": \"111122223333\"},\n"
        " \"identity_policies\": [{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]}],\n"
        " \"permissions_boundary\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"ec2:*\", \"Resource\": \"*\"}]}}";
    f = explain(pb, &d);
    CHECK_NAMED("D-X3", f != NULL && d == IAM_IMPLICIT_DENY);
    CHECK_NAMED("D-X3", json_has("\"reasons\":[{\"code\":\"boundary_no_allow\""));
    iam_scenario_file_free(f);

    /* Cross-account: the resource side comes first. */
    const char *cross =
        "{" REQ("arn:aws:iam::444455556666:user/bob", "s3:GetObject", "arn:aws:s3:::b/k") ", \"resource_account\": \"111122223333\"},\n"
        " \"identity_policies\": [{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]}]}";
    f = explain(cross, &d);
    CHECK_NAMED("D-X3", f != NULL && d == IAM_IMPLICIT_DENY);
    CHECK_NAMED("D-X3", json_has("\"reasons\":[{\"code\":\"cross_account_resource_no_grant\""));
    iam_scenario_file_free(f);

    /* A federated user without a session policy [E-SP], and the key policy rule [E-K2]. */
    const char *fed =
        "{" REQ("arn:aws:sts::111122223333:federated-user/app", "s3:GetObject", "arn:aws:s3:::b/k") ", \"resource_account\": \"111122223333\"},\n"
        " \"identity_policies\": [{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]}]}";
    f = explain(fed, &d);
    CHECK_NAMED("D-X3", f != NULL && d == IAM_IMPLICIT_DENY && json_has("federated_no_session_policy"));
    iam_scenario_file_free(f);
    const char *kms =
        "{" REQ("arn:aws:iam::111122223333:user/alice", "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/1234") "},\n"
        " \"identity_policies\": [{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"kms:*\", \"Resource\": \"*\"}]}]}";
    f = explain(kms, &d);
    CHECK_NAMED("D-X3", f != NULL && d == IAM_IMPLICIT_DENY && json_has("resource_policy_required"));
    iam_scenario_file_free(f);
    /* [E-K5] stands alone: no statement consulted. */
    const char *token = "{" REQ("arn:aws:sts::111122223333:assumed-role/Dev/s1", "sts:GetSessionToken", "*") "}}";
    f = explain(token, &d);
    CHECK_NAMED("D-X3", f != NULL && d == IAM_IMPLICIT_DENY && json_has("\"reasons\":[{\"code\":\"session_token_denied\""));
    CHECK_NAMED("D-X3", iam_explanation_decisive_count(ex) == 0);
    iam_scenario_file_free(f);
}

static void test_allowed_names_the_path(void)
{
    /* Path c with a boundary, and one allow per SCP level [D-X4]. */
    const char *text =
        "{" REQ("arn:aws:sts::111122223333:assumed-role/Dev/s1", "s3:GetObject", "arn:aws:s3:::b/k") ", \"resource_account\": \"111122223333\"},\n"
        " \"identity_policies\": [{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"Id1\", \"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n"
        "   {\"Sid\": \"Id2\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}],\n"
        " \"permissions_boundary\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"Pb\", \"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]},\n"
        " \"scps\": [[{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"L0a\", \"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"},\n"
        "                                                  {\"Sid\": \"L0b\", \"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]}],\n"
        "          [{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"L1\", \"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]}]]}";
    iam_decision d;
    iam_scenario_file *f = explain(text, &d);
    CHECK_NAMED("D-X4", f != NULL && d == IAM_ALLOWED);
    if (f == NULL)
        return;
    CHECK_NAMED("D-X4", json_has("\"reasons\":[{\"code\":\"allowed_identity\""));
    /* One Allow per SCP level (the first), then both identity allows in
     * document order [D-X5], then the boundary's. */
    const char *want[] = {"L0a", "L1", "Id1", "Id2", "Pb"};
    CHECK_NAMED("D-X4", iam_explanation_decisive_count(ex) == 5);
    for (size_t i = 0; i < 5 && i < iam_explanation_decisive_count(ex); i++) {
        iam_statement_ref r;
        iam_explanation_decisive(ex, i, &r);
        CHECK_NAMED("D-X5", r.sid && strcmp(r.sid, want[i]) == 0);
    }
    iam_scenario_file_free(f);

    /* Path a: the resource statement and its class. */
    const char *direct =
        "{" REQ("arn:aws:sts::111122223333:assumed-role/Dev/s1", "s3:GetObject", "arn:aws:s3:::b/k") ", \"resource_account\": \"111122223333\"},\n"
        " \"session_policy\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"ec2:*\", \"Resource\": \"*\"}]},\n"
        " \"resource_policy\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"Direct\", \"Effect\": \"Allow\",\n"
        "   \"Principal\": {\"AWS\": \"arn:aws:sts::111122223333:assumed-role/Dev/s1\"}, \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}}";
    f = explain(direct, &d);
    CHECK_NAMED("D-X4", f != NULL && d == IAM_ALLOWED && json_has("allowed_direct_grant"));
    iam_statement_ref r;
    CHECK_NAMED("D-X4", iam_explanation_decisive_count(ex) == 1 && iam_explanation_decisive(ex, 0, &r) == IAM_OK &&
                            strcmp(r.layer, "resource") == 0 && r.grant_class && strcmp(r.grant_class, "DIRECT") == 0);
    iam_scenario_file_free(f);

    /* A call no policy controls names the rule and no statement. */
    const char *caller = "{" REQ("arn:aws:iam::111122223333:user/alice", "sts:GetCallerIdentity", "*") "},\n"
                         " \"identity_policies\": [{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\"}]}]}";
    f = explain(caller, &d);
    CHECK_NAMED("D-X4", f != NULL && d == IAM_ALLOWED && json_has("\"code\":\"caller_identity\"") &&
                            iam_explanation_decisive_count(ex) == 0);
    iam_scenario_file_free(f);
}

static void test_condition_detail(void)
{
    /* Which condition failed, on which values; unresolved variables and
     * missing keys name the keys the request lacked [D-X6]. */
    const char *text =
        "{" REQ("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::b/k") ", \"resource_account\": \"111122223333\",\n"
        "   \"context\": {\"aws:SourceIp\": \"198.51.100.7\"}},\n"
        " \"identity_policies\": [{\"Version\": \"2012-10-17\", \"Statement\": [\n"
        "   {\"Sid\": \"FromOffice\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\",\n"
        "    \"Condition\": {\"IpAddress\": {\"aws:SourceIp\": [\"203.0.113.0/24\", \"192.0.2.0/24\"]}}},\n"
        "   {\"Sid\": \"Team\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/${aws:PrincipalTag/team}/*\"},\n"
        "   {\"Sid\": \"Mfa\", \"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\",\n"
        "    \"Condition\": {\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}}}]}]}";
    iam_decision d;
    iam_scenario_file *f = explain(text, &d);
    CHECK_NAMED("D-X6", f != NULL && d == IAM_IMPLICIT_DENY);
    CHECK_NAMED("D-X6", json_has("\"failed_condition\":{\"operator\":\"IpAddress\",\"key\":\"aws:SourceIp\","
                                 "\"line\":5,\"column\":33,\"key_missing\":false,\"request_values\":[\"198.51.100.7\"],"
                                 "\"policy_values\":[\"203.0.113.0/24\",\"192.0.2.0/24\"]}"));
    CHECK_NAMED("D-X6", json_has("\"failed_condition\":{\"operator\":\"Bool\",\"key\":\"aws:MultiFactorAuthPresent\""));
    CHECK_NAMED("D-X6", json_has("\"key_missing\":true"));
    size_t n = iam_explanation_missing_count(ex);
    bool tag = false, mfa = false, ip = false;
    for (size_t i = 0; i < n; i++) {
        const char *k = iam_explanation_missing_key(ex, i);
        tag |= strcmp(k, "aws:PrincipalTag/team") == 0;
        mfa |= strcmp(k, "aws:MultiFactorAuthPresent") == 0;
        ip |= strcmp(k, "aws:SourceIp") == 0;
    }
    CHECK_NAMED("D-X6", tag && mfa && !ip);
    const char *txt = iam_explanation_text(ex, 0);
    CHECK_NAMED("D-X6", txt && strstr(txt, "failed: IpAddress aws:SourceIp: request \"198.51.100.7\"; policy \"203.0.113.0/24\", \"192.0.2.0/24\""));
    CHECK_NAMED("D-X6", txt && strstr(txt, "missing context keys: aws:PrincipalTag/team aws:MultiFactorAuthPresent"));
    iam_scenario_file_free(f);
}

static void test_not_principal_rule_named(void)
{
    /* [D-X2]: a NotPrincipal Deny says whether the chain or the boundary rule applied. */
    const char *text =
        "{" REQ("arn:aws:iam::444455556666:user/Bob", "s3:GetObject", "arn:aws:s3:::audit/x") ", \"resource_account\": \"111122223333\"},\n"
        " \"identity_policies\": [{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]}],\n"
        " \"permissions_boundary\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]},\n"
        " \"resource_policy\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Deny\",\n"
        "   \"NotPrincipal\": {\"AWS\": [\"arn:aws:iam::444455556666:user/Bob\", \"444455556666\"]}, \"Action\": \"s3:*\", \"Resource\": \"*\"}]}}";
    iam_decision d;
    iam_scenario_file *f = explain(text, &d);
    CHECK_NAMED("D-X2", f != NULL && d == IAM_EXPLICIT_DENY && json_has("\"not_principal_rule\":\"boundary\""));
    iam_scenario_file_free(f);
}

static void test_decision_matches_evaluate(void)
{
    /* The explaining path decides exactly as the plain one, over the public corpus. */
    static const char *const files[] = {
        "../shared/conformance/cases/10-boundaries-sessions.json", "../shared/conformance/cases/11-scp-rcp.json",
        "../shared/conformance/cases/12-resource-policies-cross-account.json", "../shared/conformance/cases/13-principals.json",
    };
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        iam_scenario_file *f;
        if (iam_scenario_file_load(&f, files[k], NULL, NULL) != IAM_OK)
            continue;
        for (size_t i = 0; i < iam_scenario_file_count(f); i++) {
            const iam_scenario *sc = iam_scenario_file_get(f, i);
            iam_decision a, b;
            iam_status s1 = iam_scenario_run(sc, scratch, &a, NULL);
            iam_status s2 = iam_scenario_explain(sc, scratch, &b, ex, NULL);
            CHECK_NAMED("D-V1", s1 == s2 && (s1 != IAM_OK || (a == b && iam_explanation_decision(ex) == a)));
            if (s1 == IAM_OK)
                CHECK_NAMED("D-X1", iam_explanation_json(ex) != NULL && iam_explanation_text(ex, 1) != NULL);
        }
        iam_scenario_file_free(f);
    }
}

int main(void)
{
    if (iam_scratch_create(&scratch, NULL) != IAM_OK || iam_explanation_create(&ex) != IAM_OK)
        return 2;
    test_explicit_deny_lists_every_deny();
    test_implicit_deny_names_missing_allows();
    test_allowed_names_the_path();
    test_condition_detail();
    test_not_principal_rule_named();
    test_decision_matches_evaluate();
    iam_explanation_free(ex);
    iam_scratch_free(scratch);
    return check_report();
}
