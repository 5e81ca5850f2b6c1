/* A realistic principal for tests that need many evaluations: ten AWS
 * managed policies as identity policies, a boundary, three SCP levels, an
 * RCP level and a resource policy, and a spread of requests over them. */
#ifndef IAMEVAL_TEST_WORKLOAD_H
#define IAMEVAL_TEST_WORKLOAD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iameval.h"

typedef struct workload {
    iam_policy *policies[32];
    size_t policy_count;
    iam_policy_set *set;
} workload;

static const char *const workload_managed[] = {
    "AmazonS3ReadOnlyAccess", "AmazonEC2ReadOnlyAccess", "AWSLambda_FullAccess", "AmazonDynamoDBFullAccess",
    "CloudWatchLogsFullAccess", "AmazonSQSFullAccess", "IAMReadOnlyAccess", "AmazonSNSFullAccess",
    "AWSKeyManagementServicePowerUser", "ReadOnlyAccess",
};

static iam_policy *workload_parse(workload *w, const char *text, iam_policy_type type)
{
    iam_policy *p;
    iam_error err;
    if (iam_policy_parse(&p, text, strlen(text), type, "workload", NULL, &err) != IAM_OK) {
        fprintf(stderr, "workload policy: %s\n", err.message);
        return NULL;
    }
    w->policies[w->policy_count++] = p;
    return p;
}

/* Returns 0 on success; the managed policies come from ../shared/data. */
static int workload_build(workload *w)
{
    memset(w, 0, sizeof *w);
    iam_setup *setup;
    iam_error err;
    if (iam_setup_create(&setup) != IAM_OK)
        return -1;
    for (size_t i = 0; i < sizeof workload_managed / sizeof *workload_managed; i++) {
        char path[512];
        snprintf(path, sizeof path, "../shared/data/aws-managed-policies/%s.json", workload_managed[i]);
        iam_policy *p;
        if (iam_policy_load_file(&p, path, IAM_POLICY_IDENTITY, NULL, &err) != IAM_OK) {
            fprintf(stderr, "%s: %s\n", path, err.message);
            iam_setup_free(setup);
            return -1;
        }
        w->policies[w->policy_count++] = p;
        iam_setup_add(setup, p, 0, NULL);
    }
    const char *boundary = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"NotAction\":[\"iam:Create*\",\"iam:Delete*\"],\"Resource\":\"*\"},"
                           "{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::secret-*\"}]}";
    const char *full = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
    const char *region = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"NotAction\":[\"iam:*\",\"sts:*\"],\"Resource\":\"*\","
                         "\"Condition\":{\"StringNotEquals\":{\"aws:RequestedRegion\":[\"eu-west-1\",\"us-east-1\"]}}}]}";
    const char *rcp = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":[\"s3:*\",\"sqs:*\"],\"Resource\":\"*\","
                      "\"Condition\":{\"StringNotEqualsIfExists\":{\"aws:PrincipalOrgID\":\"o-abc123\"},\"BoolIfExists\":{\"aws:PrincipalIsAWSService\":\"false\"}}}]}";
    const char *bucket = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/App\"},"
                         "\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::data\",\"arn:aws:s3:::data/${aws:PrincipalTag/team}/*\"]},"
                         "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::data/*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}";
    iam_policy *b = workload_parse(w, boundary, IAM_POLICY_BOUNDARY);
    iam_policy *s0 = workload_parse(w, full, IAM_POLICY_SCP);
    iam_policy *s1 = workload_parse(w, full, IAM_POLICY_SCP);
    iam_policy *s1b = workload_parse(w, region, IAM_POLICY_SCP);
    iam_policy *s2 = workload_parse(w, full, IAM_POLICY_SCP);
    iam_policy *r1 = workload_parse(w, rcp, IAM_POLICY_RCP);
    iam_policy *rp = workload_parse(w, bucket, IAM_POLICY_RESOURCE);
    if (!b || !s0 || !s1 || !s1b || !s2 || !r1 || !rp) {
        iam_setup_free(setup);
        return -1;
    }
    iam_setup_add(setup, b, 0, NULL);
    iam_setup_set_levels(setup, IAM_POLICY_SCP, 3, NULL);
    iam_setup_add(setup, s0, 0, NULL);
    iam_setup_add(setup, s1, 1, NULL);
    iam_setup_add(setup, s1b, 1, NULL);
    iam_setup_add(setup, s2, 2, NULL);
    iam_setup_set_levels(setup, IAM_POLICY_RCP, 2, NULL);
    iam_setup_add(setup, r1, 1, NULL);
    iam_setup_add(setup, rp, 0, NULL);
    int rc = iam_policy_set_compile(&w->set, setup, NULL, &err) == IAM_OK ? 0 : -1;
    iam_setup_free(setup);
    return rc;
}

static void workload_free(workload *w)
{
    iam_policy_set_free(w->set);
    for (size_t i = 0; i < w->policy_count; i++)
        iam_policy_free(w->policies[i]);
}

#define WL_STR(s) {(s), sizeof(s) - 1}

static const iam_str workload_principals[] = {
    WL_STR("arn:aws:sts::111122223333:assumed-role/App/worker-1"),
    WL_STR("arn:aws:iam::111122223333:user/alice"),
    WL_STR("arn:aws:sts::444455556666:assumed-role/Partner/etl"),
    WL_STR("arn:aws:iam::111122223333:role/App"),
};
static const iam_str workload_actions[] = {
    WL_STR("s3:GetObject"), WL_STR("s3:PutObject"), WL_STR("ec2:DescribeInstances"), WL_STR("lambda:InvokeFunction"),
    WL_STR("dynamodb:Query"), WL_STR("iam:CreateUser"), WL_STR("iam:GetRole"), WL_STR("kms:Decrypt"),
    WL_STR("sqs:SendMessage"), WL_STR("logs:PutLogEvents"), WL_STR("sns:Publish"), WL_STR("cloudtrail:LookupEvents"),
};
static const iam_str workload_resources[] = {
    WL_STR("arn:aws:s3:::data/red/report.csv"), WL_STR("arn:aws:s3:::secret-vault/key"), WL_STR("*"),
    WL_STR("arn:aws:lambda:eu-west-1:111122223333:function:api"),
    WL_STR("arn:aws:dynamodb:eu-west-1:111122223333:table/orders"),
    WL_STR("arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
};
static const iam_str workload_regions[] = {WL_STR("eu-west-1"), WL_STR("ap-south-1")};
static const iam_str workload_tags[] = {WL_STR("red"), WL_STR("blue")};
static const iam_str workload_bools[] = {WL_STR("true"), WL_STR("false")};
static const iam_str workload_org[] = {WL_STR("o-abc123")};

typedef struct workload_request {
    iam_request req;
    iam_context_entry ctx[4];
} workload_request;

/* The i-th request of the spread (deterministic). */
static void workload_request_make(size_t i, workload_request *out)
{
    memset(out, 0, sizeof *out);
    size_t np = sizeof workload_principals / sizeof *workload_principals;
    size_t na = sizeof workload_actions / sizeof *workload_actions;
    size_t nr = sizeof workload_resources / sizeof *workload_resources;
    out->req.principal = workload_principals[i % np];
    out->req.action = workload_actions[(i / np) % na];
    out->req.resource = workload_resources[(i / (np * na)) % nr];
    if (out->req.resource.ptr[0] == 'a' && strncmp(out->req.resource.ptr, "arn:aws:s3", 10) == 0)
        out->req.resource_account = (iam_str)WL_STR("111122223333");
    out->ctx[0] = (iam_context_entry){WL_STR("aws:RequestedRegion"), &workload_regions[(i / 7) % 2], 1, 0};
    out->ctx[1] = (iam_context_entry){WL_STR("aws:PrincipalTag/team"), &workload_tags[(i / 3) % 2], 1, 0};
    out->ctx[2] = (iam_context_entry){WL_STR("aws:SecureTransport"), &workload_bools[(i / 5) % 2], 1, 0};
    out->ctx[3] = (iam_context_entry){WL_STR("aws:PrincipalOrgID"), workload_org, 1, 0};
    out->req.context = out->ctx;
    out->req.context_count = (i % 11 == 0) ? 2 : 4;
}

#endif
