/* Rules of spec sections 5 and 6.1 that a scenario file cannot state:
 * [D-V1] every valid request ends in exactly one of the three decisions, the
 * same one however often and with whichever scratch it is evaluated; [D-V3]
 * an invalid request is an error, never a decision; [E-D] the decision does
 * not depend on the order in which policies are given. The expected decisions
 * below are derived from the spec (iam-semantics.md), not from the engine. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "iameval.h"

#define A1 "111122223333"
#define A2 "444455556666"
#define ALICE "arn:aws:iam::" A1 ":user/alice"
#define DAVE "arn:aws:iam::" A1 ":user/dave"
#define BOB "arn:aws:iam::" A2 ":user/bob"
#define ROOT1 "arn:aws:iam::" A1 ":root"
#define DEV_ROLE "arn:aws:iam::" A1 ":role/Dev"
#define DEV_S1 "arn:aws:sts::" A1 ":assumed-role/Dev/s1"
#define FED_APP "arn:aws:sts::" A1 ":federated-user/app"
#define SLR_S "arn:aws:sts::" A1 ":assumed-role/AWSServiceRoleForECS/ecs"
#define SERVICE "sns.amazonaws.com"
#define OBJ "arn:aws:s3:::example-bucket/report.csv"
#define KEY "arn:aws:kms:us-east-1:" A1 ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
#define ROLE_T "arn:aws:iam::" A1 ":role/Target"

#define FULL "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"

static iam_str S(const char *s)
{
    return (iam_str){s, s ? strlen(s) : 0};
}

/* Every policy parsed here, freed at the end. */
static iam_policy *all_policies[256];
static size_t n_policies;

static iam_policy *parse(iam_policy_type type, const char *text)
{
    iam_policy *p = NULL;
    iam_error err;
    iam_status st = iam_policy_parse(&p, text, strlen(text), type, "test", NULL, &err);
    if (st != IAM_OK) {
        char buf[512];
        fprintf(stderr, "cannot parse %s policy %s: %s\n", iam_policy_type_name(type), text,
                iam_error_format(&err, buf, sizeof buf));
        exit(2);
    }
    if (n_policies == sizeof all_policies / sizeof *all_policies) {
        fprintf(stderr, "too many policies\n");
        exit(2);
    }
    all_policies[n_policies++] = p;
    return p;
}

/* A setup described by its policies; NULL-terminated lists. */
typedef struct setup_desc {
    const char *identity[4];
    const char *boundary;
    const char *session;
    int scp_levels;            /* 0: no SCPs */
    const char *scps[4][3];
    int rcp_levels;            /* 0: no RCPs */
    const char *rcps[4][3];
    const char *resource;
} setup_desc;

static iam_policy_set *build(const setup_desc *d, bool reverse)
{
    iam_setup *setup;
    iam_error err;
    if (iam_setup_create(&setup) != IAM_OK)
        exit(2);
    size_t ni = 0;
    while (ni < 4 && d->identity[ni])
        ni++;
    for (size_t k = 0; k < ni; k++) {
        size_t i = reverse ? ni - 1 - k : k;
        CHECK(iam_setup_add(setup, parse(IAM_POLICY_IDENTITY, d->identity[i]), 0, &err) == IAM_OK);
    }
    if (d->boundary)
        CHECK(iam_setup_add(setup, parse(IAM_POLICY_BOUNDARY, d->boundary), 0, &err) == IAM_OK);
    if (d->session)
        CHECK(iam_setup_add(setup, parse(IAM_POLICY_SESSION, d->session), 0, &err) == IAM_OK);
    if (d->resource)
        CHECK(iam_setup_add(setup, parse(IAM_POLICY_RESOURCE, d->resource), 0, &err) == IAM_OK);
    if (d->scp_levels) {
        CHECK(iam_setup_set_levels(setup, IAM_POLICY_SCP, (unsigned)d->scp_levels, &err) == IAM_OK);
        for (int l = 0; l < d->scp_levels; l++) {
            size_t n = 0;
            while (n < 3 && d->scps[l][n])
                n++;
            for (size_t k = 0; k < n; k++) {
                size_t i = reverse ? n - 1 - k : k;
                CHECK(iam_setup_add(setup, parse(IAM_POLICY_SCP, d->scps[l][i]), (unsigned)l, &err) == IAM_OK);
            }
        }
    }
    if (d->rcp_levels) {
        CHECK(iam_setup_set_levels(setup, IAM_POLICY_RCP, (unsigned)d->rcp_levels, &err) == IAM_OK);
        for (int l = 0; l < d->rcp_levels; l++) {
            size_t n = 0;
            while (n < 3 && d->rcps[l][n])
                n++;
            for (size_t k = 0; k < n; k++) {
                size_t i = reverse ? n - 1 - k : k;
                CHECK(iam_setup_add(setup, parse(IAM_POLICY_RCP, d->rcps[l][i]), (unsigned)l, &err) == IAM_OK);
            }
        }
    }
    iam_policy_set *set = NULL;
    if (iam_policy_set_compile(&set, setup, NULL, &err) != IAM_OK) {
        char buf[512];
        fprintf(stderr, "cannot compile: %s\n", iam_error_format(&err, buf, sizeof buf));
        exit(2);
    }
    iam_setup_free(setup);
    return set;
}

static iam_request req(const char *principal, const char *action, const char *resource,
                       const char *resource_account)
{
    iam_request r;
    memset(&r, 0, sizeof r);
    r.principal = S(principal);
    r.action = S(action);
    r.resource = S(resource);
    r.resource_account = S(resource_account);
    return r;
}

static bool is_decision(iam_decision d)
{
    return d == IAM_ALLOWED || d == IAM_EXPLICIT_DENY || d == IAM_IMPLICIT_DENY;
}

/* Evaluates and returns the decision, or -1 on an error status. */
static int eval(const iam_policy_set *set, const iam_request *r, iam_scratch *scratch)
{
    iam_decision d = (iam_decision)-7;
    iam_error err;
    iam_status st = iam_evaluate(set, r, scratch, &d, &err);
    if (st != IAM_OK)
        return -1;
    return (int)d;
}

/* ------------------------------------------------------------------------ */

static const char *principals[] = {ALICE, DAVE, BOB, ROOT1, DEV_ROLE, DEV_S1, FED_APP, SLR_S, SERVICE};
enum { P_USER, P_USER2, P_XUSER, P_ROOT, P_ROLE, P_SESSION, P_FED, P_SLR, P_SERVICE, P_COUNT };

static const char *actions[] = {"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket",
                                "sts:GetCallerIdentity", "sts:GetSessionToken", "kms:Decrypt",
                                "sts:AssumeRole", "ec2:DescribeInstances"};
static const char *resources[][2] = {{OBJ, A1}, {"*", NULL}, {KEY, NULL}, {ROLE_T, NULL},
                                     {"arn:aws:s3:::example-bucket", A2}};

static const setup_desc setups[] = {
    /* 0: every layer present */
    {.identity = {"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"},"
                  "{\"Effect\":\"Deny\",\"Action\":\"s3:DeleteObject\",\"Resource\":\"*\"}]}",
                  "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[\"kms:*\",\"sts:*\"],\"Resource\":\"*\"}}"},
     .boundary = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:*\",\"kms:*\",\"sts:*\"],\"Resource\":\"*\"}]}",
     .scp_levels = 2,
     .scps = {{FULL}, {FULL, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"s3:ListBucket\",\"Resource\":\"*\"}]}"}},
     .rcp_levels = 2,
     .rcps = {{NULL}, {"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:PutObject\",\"Resource\":\"*\"}]}"}},
     .resource = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"" DEV_ROLE "\",\"" BOB "\"]},\"Action\":\"*\"},"
                 "{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"" SERVICE "\"},\"Action\":\"s3:GetObject\"},"
                 "{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"" DAVE "\"},\"Action\":\"s3:*\"}]}"},
    /* 1: only organization policies and a resource policy (valid for every principal) */
    {.scp_levels = 1,
     .scps = {{FULL}},
     .rcp_levels = 1,
     .rcps = {{NULL}},
     .resource = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\"},"
                 "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" A1 "\"},\"Action\":[\"kms:*\",\"sts:AssumeRole\"]}]}"},
    /* 2: nothing at all */
    {.scp_levels = 0},
    /* 3: a session policy (invalid for users, root, services) and an empty SCP level */
    {.identity = {FULL},
     .session = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:Get*\",\"Resource\":\"*\"}]}",
     .scp_levels = 2,
     .scps = {{FULL}, {NULL}}},
};

static bool valid_for(size_t s, int p)
{
    const setup_desc *d = &setups[s];
    bool principal_policies = d->identity[0] || d->boundary || d->session;
    if ((p == P_ROOT || p == P_SERVICE) && principal_policies)
        return false;
    if ((p == P_USER || p == P_USER2 || p == P_XUSER) && d->session)
        return false;
    return true;
}

/* [D-V1]/[D-V3]: every combination is either decided with one of the three
 * words, or (only where [E-I1] forbids the combination) an input error; and
 * the decision is the same on a second evaluation, with a fresh scratch, and
 * with the policies given in the reverse order ([E-D]). */
static void test_every_request_has_one_decision(void)
{
    iam_scratch *s1, *s2;
    if (iam_scratch_create(&s1, NULL) != IAM_OK || iam_scratch_create(&s2, NULL) != IAM_OK)
        exit(2);
    unsigned decided = 0, rejected = 0;
    for (size_t s = 0; s < sizeof setups / sizeof *setups; s++) {
        iam_policy_set *fwd = build(&setups[s], false);
        iam_policy_set *rev = build(&setups[s], true);
        for (int p = 0; p < P_COUNT; p++)
            for (size_t a = 0; a < sizeof actions / sizeof *actions; a++)
                for (size_t r = 0; r < sizeof resources / sizeof *resources; r++) {
                    iam_request rq = req(principals[p], actions[a], resources[r][0], resources[r][1]);
                    iam_decision d = (iam_decision)-7;
                    iam_error err;
                    iam_status st = iam_evaluate(fwd, &rq, s1, &d, &err);
                    if (valid_for(s, p)) {
                        CHECK_NAMED("D-V1", st == IAM_OK);
                        CHECK_NAMED("D-V1", st != IAM_OK || is_decision(d));
                        if (st == IAM_OK) {
                            const char *w = iam_decision_name(d);
                            CHECK_NAMED("D-V1", strcmp(w, "allowed") == 0 || strcmp(w, "explicitDeny") == 0 ||
                                                    strcmp(w, "implicitDeny") == 0);
                            decided++;
                        }
                        int again = eval(fwd, &rq, s1);
                        int fresh = eval(fwd, &rq, s2);
                        int reversed = eval(rev, &rq, s2);
                        CHECK_NAMED("D-V1", again == (int)d);
                        CHECK_NAMED("D-V1", fresh == (int)d);
                        CHECK_NAMED("E-D", reversed == (int)d);
                        if (again != (int)d || fresh != (int)d || reversed != (int)d)
                            fprintf(stderr, "  setup %zu, %s %s %s: %d / %d / %d / %d\n", s, principals[p],
                                    actions[a], resources[r][0], (int)d, again, fresh, reversed);
                    } else {
                        CHECK_NAMED("D-V3", st == IAM_ERR_REQUEST);
                        CHECK_NAMED("D-V3", st == IAM_OK || err.code == st);
                        CHECK_NAMED("D-V3", eval(rev, &rq, s2) == -1);
                        rejected++;
                    }
                }
        iam_policy_set_free(fwd);
        iam_policy_set_free(rev);
    }
    CHECK(decided > 500);
    CHECK(rejected > 50);
    iam_scratch_free(s1);
    iam_scratch_free(s2);
}

/* [D-V1] the three words, and nothing else. */
static void test_decision_words(void)
{
    CHECK_NAMED("D-V1", strcmp(iam_decision_name(IAM_ALLOWED), "allowed") == 0);
    CHECK_NAMED("D-V1", strcmp(iam_decision_name(IAM_EXPLICIT_DENY), "explicitDeny") == 0);
    CHECK_NAMED("D-V1", strcmp(iam_decision_name(IAM_IMPLICIT_DENY), "implicitDeny") == 0);
}

/* [D-V1] nothing carries over between evaluations on one scratch: a context
 * key of one request is missing in the next. */
static void test_no_carry_over(void)
{
    setup_desc d = {
        .identity = {"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"},"
                     "{\"Effect\":\"Deny\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}"}};
    iam_policy_set *set = build(&d, false);
    iam_scratch *s;
    if (iam_scratch_create(&s, NULL) != IAM_OK)
        exit(2);
    iam_str v = S("false");
    iam_context_entry e = {S("aws:SecureTransport"), &v, 1, 0};
    iam_request with = req(ALICE, "s3:GetObject", OBJ, A1);
    with.context = &e;
    with.context_count = 1;
    iam_request without = req(ALICE, "s3:GetObject", OBJ, A1);
    for (int round = 0; round < 3; round++) {
        CHECK_NAMED("D-V1", eval(set, &with, s) == IAM_EXPLICIT_DENY);
        /* The key is missing: a positive Bool is false, the Deny does not apply [C-X1]. */
        CHECK_NAMED("D-V1", eval(set, &without, s) == IAM_ALLOWED);
    }
    /* An invalid request in between leaves the next one unaffected. */
    iam_request bad = req("not a principal", "s3:GetObject", OBJ, A1);
    CHECK_NAMED("D-V3", eval(set, &bad, s) == -1);
    CHECK_NAMED("D-V1", eval(set, &without, s) == IAM_ALLOWED);
    CHECK_NAMED("D-V1", eval(set, &with, s) == IAM_EXPLICIT_DENY);
    iam_scratch_free(s);
    iam_policy_set_free(set);
}

/* [D-V3] invalid requests through the API: IAM_ERR_REQUEST, err filled. */
static void test_invalid_requests(void)
{
    setup_desc d = {.scp_levels = 0};
    iam_policy_set *set = build(&d, false);
    iam_scratch *s;
    if (iam_scratch_create(&s, NULL) != IAM_OK)
        exit(2);
    const char *bad[][3] = {
        {"arn:aws:iam::" A1 ":group/Admins", "s3:GetObject", OBJ},
        {"", "s3:GetObject", OBJ},
        {ALICE, "GetObject", OBJ},
        {ALICE, "s3:GetObject", "example-bucket/report.csv"},
        {ALICE, "s3:GetObject", "arn:aws:s3"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        iam_request r = req(bad[i][0], bad[i][1], bad[i][2], A1);
        iam_decision dec = IAM_ALLOWED;
        iam_error err;
        memset(&err, 0, sizeof err);
        iam_status st = iam_evaluate(set, &r, s, &dec, &err);
        CHECK_NAMED("D-V3", st == IAM_ERR_REQUEST);
        CHECK_NAMED("D-V3", err.code == IAM_ERR_REQUEST && err.message[0] != '\0');
    }
    /* Context keys equal ignoring case [E-I1]. */
    iam_str v1 = S("203.0.113.7"), v2 = S("198.51.100.1");
    iam_context_entry ctx[2] = {{S("aws:SourceIp"), &v1, 1, 0}, {S("AWS:SOURCEIP"), &v2, 1, 0}};
    iam_request r = req(ALICE, "s3:GetObject", OBJ, A1);
    r.context = ctx;
    r.context_count = 2;
    CHECK_NAMED("E-I1", eval(set, &r, s) == -1);
    iam_scratch_free(s);
    iam_policy_set_free(set);
}

/* [E-X5], [E-F5], [E-F6] and [M-P7] through the request fields of the API. */
static void test_request_fields(void)
{
    setup_desc d = {
        .identity = {"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"},
        .scp_levels = 2,
        .scps = {{FULL}, {"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"s3:PutObject\",\"Resource\":\"*\"}]}"}},
        .rcp_levels = 1,
        .rcps = {{"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:DeleteObject\",\"Resource\":\"*\"}]}"}},
    };
    iam_policy_set *set = build(&d, false);
    iam_scratch *s;
    if (iam_scratch_create(&s, NULL) != IAM_OK)
        exit(2);
    iam_request r = req(ALICE, "s3:GetObject", OBJ, A1);
    /* Level 1 holds only a Deny: no Allow there, the SCP gate fails [E-S1]/[E-S2]. */
    CHECK_NAMED("E-F5", eval(set, &r, s) == IAM_IMPLICIT_DENY);
    r.action = S("s3:PutObject");
    CHECK_NAMED("E-F5", eval(set, &r, s) == IAM_EXPLICIT_DENY);
    r.management_account = S(A1);
    CHECK_NAMED("E-X5", eval(set, &r, s) == IAM_ALLOWED);
    r.action = S("s3:GetObject");
    CHECK_NAMED("E-X5", eval(set, &r, s) == IAM_ALLOWED);
    r.action = S("s3:DeleteObject");
    CHECK_NAMED("E-F6", eval(set, &r, s) == IAM_ALLOWED);      /* resource in the management account */
    r.management_account = S("999988887777");
    CHECK_NAMED("E-F6", eval(set, &r, s) == IAM_EXPLICIT_DENY);
    r.management_account = (iam_str){NULL, 0};
    CHECK_NAMED("E-F6", eval(set, &r, s) == IAM_EXPLICIT_DENY);
    iam_scratch_free(s);
    iam_policy_set_free(set);

    setup_desc f = {
        .session = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}",
        .resource = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" ALICE "\"},\"Action\":\"s3:*\"}]}",
    };
    set = build(&f, false);
    if (iam_scratch_create(&s, NULL) != IAM_OK)
        exit(2);
    iam_request fr = req(FED_APP, "s3:GetObject", OBJ, A1);
    CHECK_NAMED("E-G", eval(set, &fr, s) == IAM_IMPLICIT_DENY);   /* no link without federated_by */
    fr.federated_by = S(ALICE);
    CHECK_NAMED("E-G", eval(set, &fr, s) == IAM_ALLOWED);         /* PARENT, session policy allows */
    fr.action = S("s3:PutObject");
    CHECK_NAMED("E-SA2", eval(set, &fr, s) == IAM_IMPLICIT_DENY); /* PARENT is limited by the session policy */
    fr.federated_by = S(DAVE);
    fr.action = S("s3:GetObject");
    CHECK_NAMED("E-G", eval(set, &fr, s) == IAM_IMPLICIT_DENY);
    iam_scratch_free(s);
    iam_policy_set_free(set);
}

/* [E-D] the decision does not depend on the order of the policies. */
static void test_order_independence(void)
{
    setup_desc d = {
        .identity = {"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}",
                     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"},
        .scp_levels = 1,
        .scps = {{"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"s3:PutObject\",\"Resource\":\"*\"}]}",
                  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"}},
    };
    iam_policy_set *fwd = build(&d, false), *rev = build(&d, true);
    iam_scratch *s;
    if (iam_scratch_create(&s, NULL) != IAM_OK)
        exit(2);
    const char *acts[] = {"s3:GetObject", "s3:PutObject", "s3:ListBucket", "ec2:DescribeInstances"};
    const int want[] = {IAM_EXPLICIT_DENY, IAM_EXPLICIT_DENY, IAM_ALLOWED, IAM_IMPLICIT_DENY};
    for (size_t i = 0; i < 4; i++) {
        iam_request r = req(ALICE, acts[i], OBJ, A1);
        CHECK_NAMED("E-D", eval(fwd, &r, s) == want[i]);
        CHECK_NAMED("E-D", eval(rev, &r, s) == want[i]);
    }
    iam_scratch_free(s);
    iam_policy_set_free(fwd);
    iam_policy_set_free(rev);
}

int main(void)
{
    test_decision_words();
    test_every_request_has_one_decision();
    test_no_carry_over();
    test_invalid_requests();
    test_request_fields();
    test_order_independence();
    for (size_t i = 0; i < n_policies; i++)
        iam_policy_free(all_policies[i]);
    return check_report();
}
