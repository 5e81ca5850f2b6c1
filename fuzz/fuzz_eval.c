/* Structured fuzz target for evaluation: the input bytes drive a generator
 * that writes policy JSON (identity policies, permissions boundary, session
 * policy, SCP levels, RCP levels, resource policy) and a request from tables
 * of real action names, ARNs and patterns, principals of every kind, all 27
 * condition operators (with IfExists and the set qualifiers), condition keys
 * and typed values (numbers, dates, IPs, base64, variables). Every choice
 * takes one byte; when the bytes run out every choice is the first one, so a
 * short input is a small, valid setup.
 *
 * Invariants checked on every input whose policies and request are valid
 * (abort() on a violation, after printing every policy and the request):
 *   1. determinism: the same set decides the same request alike, again after
 *      other evaluations have used the scratch;
 *   2. adding one Deny statement (any action, resource, principal, condition)
 *      to any layer never turns a deny into an allow, and an explicit deny
 *      stays explicit; adding one Allow statement to a policy that exists
 *      never takes an allow away nor lifts an explicit deny;
 *   3. without the Allow statements of the identity policies, boundary,
 *      session policy and resource policy, nothing is allowed, except the two
 *      STS calls no policy controls (spec 5.10 step 0) and the root user in
 *      its own account (its rights are implicit, [E-X1]);
 *   4. an unconditional Deny of everything gives explicitDeny: in a new
 *      identity policy for IAM users, roles, sessions and federated users; in
 *      the resource policy, with "Principal": "*", for every principal
 *      (step 0's two STS calls by IAM principals excepted);
 *   5. statement order, policy order and context order do not matter, nor
 *      do account IDs: exchanging two of them everywhere changes nothing;
 *   6. on a sample (one input in 64, by hash), two threads evaluating the
 *      same compiled set with their own scratch agree with one thread.
 * Inputs the engine rejects (IAM_ERR_POLICY for a policy, IAM_ERR_REQUEST for
 * the request or the combination) are counted and skipped; any other error
 * on generated input is a failure. IAMFUZZ_STATS=1 prints counts now and then.
 *
 * Build: see the Makefile (fuzz_eval under libFuzzer, replay_eval with
 * fuzz/replay.c). */
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iameval.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* ---- byte source -------------------------------------------------------- */

typedef struct src {
    const uint8_t *p;
    size_t n;
} src;

/* A choice in [0, n): one byte, two when n > 256; 0 when the bytes ran out. */
static unsigned pick(src *s, size_t n)
{
    if (n <= 1 || s->n == 0)
        return 0;
    unsigned v = *s->p++;
    s->n--;
    if (n > 256 && s->n > 0) {
        v = (v << 8) | *s->p++;
        s->n--;
    }
    return v % (unsigned)n;
}

/* True with probability about pct/100 (false once the bytes ran out). */
static int chance(src *s, unsigned pct)
{
    if (s->n == 0)
        return 0;
    unsigned v = *s->p++;
    s->n--;
    return v * 100u < pct * 256u;
}

#define PICK(s, table) ((table)[pick((s), COUNT(table))])

/* ---- text buffers and a string pool -------------------------------------- */

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void b_reserve(buf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *np = realloc(b->p, cap);
    if (np == NULL) {
        fprintf(stderr, "fuzz_eval: out of memory\n");
        abort();
    }
    b->p = np;
    b->cap = cap;
}

static void b_put(buf *b, const char *s, size_t n)
{
    b_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void b_puts(buf *b, const char *s)
{
    b_put(b, s, strlen(s));
}

static void b_reset(buf *b)
{
    b->len = 0;
    b_reserve(b, 0);
    b->p[0] = '\0';
}

/* A JSON string literal of s. */
static void b_json(buf *b, const char *s)
{
    b_puts(b, "\"");
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\') {
            char esc[2] = {'\\', (char)*c};
            b_put(b, esc, 2);
        } else if (*c < 0x20) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", *c);
            b_puts(b, esc);
        } else {
            b_put(b, (const char *)c, 1);
        }
    }
    b_puts(b, "\"");
}

/* A condition value: "#..." is written raw (a JSON number or boolean). */
static void b_value(buf *b, const char *v)
{
    if (v[0] == '#')
        b_puts(b, v + 1);
    else
        b_json(b, v);
}

static char pool[1 << 18];
static size_t pool_used;

static char *pool_dup(const char *s, size_t n)
{
    if (pool_used + n + 1 > sizeof pool) {
        fprintf(stderr, "fuzz_eval: string pool exhausted (a generator bug)\n");
        abort();
    }
    char *p = pool + pool_used;
    memcpy(p, s, n);
    p[n] = '\0';
    pool_used += n + 1;
    return p;
}

static char *pool_printf(const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    return pool_dup(tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* ---- tables -------------------------------------------------------------- */

static const char *const accounts[] = {"111122223333", "444455556666", "777788889999"};

enum kind { K_USER, K_ROLE, K_SESSION, K_FEDERATED, K_ROOT, K_SERVICE, K_SLR, K_SLR_SESSION, K_COUNT };

static const char *const kind_names[] = {"user", "role", "session", "federated user", "root",
                                         "service", "service-linked role", "service-linked session"};

static const char *const user_names[] = {"alice", "division/alice", "bob", "a+b=c,d@e.f-g_h"};
static const char *const role_names[] = {"AppRole", "path/AppRole", "Dev"};
static const char *const session_names[] = {"alice", "s1", "i-0123456789abcdef0"};
static const char *const services[] = {"lambda.amazonaws.com", "s3.amazonaws.com", "ec2.amazonaws.com",
                                       "s3.ap-east-1.amazonaws.com"};

static const char *const request_actions[] = {
    "s3:GetObject",      "s3:PutObject",          "s3:ListBucket",         "s3:DeleteObject",
    "iam:CreateUser",    "iam:ListAccessKeys",    "iam:CreateAccessKey",   "iam:PassRole",
    "kms:Decrypt",       "kms:Encrypt",           "kms:ListKeys",          "sts:AssumeRole",
    "sts:GetCallerIdentity", "sts:GetSessionToken", "sts:AssumeRoleWithSAML", "ec2:RunInstances",
    "ec2:DescribeInstances", "dynamodb:GetItem",  "lambda:InvokeFunction", "sqs:SendMessage",
    "secretsmanager:GetSecretValue", "organizations:ListAccounts", "S3:getobject", "IAM:LISTACCESSKEYS",
};

static const char *const action_patterns[] = {
    "s3:GetObject", "s3:*", "*", "s3:Get*", "s3:PutObject", "iam:*AccessKey*", "s3:*Object", "s3:Get?bject",
    "iam:CreateUser", "iam:*", "kms:Decrypt", "kms:*", "sts:AssumeRole", "sts:AssumeRole*", "sts:*",
    "ec2:RunInstances", "ec2:*Instances", "ec2:Describe*", "dynamodb:*", "lambda:Invoke*", "sqs:*",
    "secretsmanager:GetSecretValue", "S3:GETOBJECT", "s3:ListBucket", "iam:PassRole",
    "sts:GetCallerIdentity", "sts:GetSessionToken", "organizations:*", "s3:*e*e*", "kms:?ncrypt",
};

/* Actions an RCP Deny may name: never "*" [G-T6]. */
static const char *const rcp_action_patterns[] = {"s3:*", "s3:GetObject", "kms:*", "sts:AssumeRole", "sqs:*",
                                                  "secretsmanager:*", "s3:Put*", "kms:Decrypt"};

/* Request resources; %s is an account. */
static const char *const request_resources[] = {
    "arn:aws:s3:::example-bucket/home/alice/notes.txt",
    "arn:aws:s3:::example-bucket",
    "*",
    "arn:aws:s3:::example-bucket/report.csv",
    "arn:aws:s3:::other-bucket/data/x.bin",
    "arn:aws:iam::%s:user/alice",
    "arn:aws:iam::%s:role/AppRole",
    "arn:aws:kms:us-east-1:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "arn:aws:kms:us-east-1:%s:alias/app",
    "arn:aws:ec2:us-east-1:%s:instance/i-0123456789abcdef0",
    "arn:aws:dynamodb:eu-west-1:%s:table/Orders",
    "arn:aws:lambda:us-east-1:%s:function:my-fn:1",
    "arn:aws:sqs:us-east-1:%s:queue1",
    "arn:aws:secretsmanager:us-east-1:%s:secret:db-AbCdEf",
    "arn:aws:s3:::red-bucket/x",
    "arn:aws:s3:::example-bucket/caf\xc3\xa9/\xe2\x82\xac.txt",
};

/* Resource patterns; %s is an account (or "*"). */
static const char *const resource_patterns[] = {
    "*",
    "arn:aws:s3:::example-bucket/*",
    "arn:aws:s3:::example-bucket",
    "arn:aws:s3:::example-bucket*",
    "arn:aws:s3:::*",
    "arn:aws:s3:::example-bucket/home/${aws:username}/*",
    "arn:aws:s3:::example-bucket/home/${aws:username, 'nobody'}/*",
    "arn:*:s3:::example-bucket/*",
    "arn:aws:s3:::example-?ucket/*",
    "arn:aws:s3:::${aws:PrincipalTag/team}-bucket/*",
    "arn:aws:s3:::example-bucket/report.csv",
    "arn:aws:s3:::example-bucket/caf\xc3\xa9/?.txt",
    "arn:aws:iam::*:user/*",
    "arn:aws:iam::%s:role/*",
    "arn:aws:iam::%s:user/${aws:username}",
    "arn:aws:kms:*:%s:key/*",
    "arn:*:kms:*:*:key/*",
    "arn:aws:kms:us-east-1:%s:alias/*",
    "arn:aws:ec2:*:*:instance/*",
    "arn:aws:ec2",
    "arn:aws:dynamodb:*:*:table/Orders",
    "arn:aws:lambda:*:*:function:my-fn*",
    "arn:aws:lambda:*:*:function:my-fn",
    "arn:aws:sqs:*:%s:*",
    "arn:aws:secretsmanager:*:*:secret:db-*",
    "arn:aws:s3:::*a*a*a*a*a*a*a*a*b",
    "arn:aws:*:*:%s:*",
    "arn:aws:s3:::example-bucket/${*}",
};

enum vtype { T_STRING, T_ARN, T_NUMBER, T_DATE, T_BOOL, T_BINARY, T_IP, T_NULL };

typedef struct op_info {
    const char *name;
    enum vtype type;
} op_info;

static const op_info operators[] = {
    {"StringEquals", T_STRING}, {"StringNotEquals", T_STRING}, {"StringEqualsIgnoreCase", T_STRING},
    {"StringNotEqualsIgnoreCase", T_STRING}, {"StringLike", T_STRING}, {"StringNotLike", T_STRING},
    {"NumericEquals", T_NUMBER}, {"NumericNotEquals", T_NUMBER}, {"NumericLessThan", T_NUMBER},
    {"NumericLessThanEquals", T_NUMBER}, {"NumericGreaterThan", T_NUMBER},
    {"NumericGreaterThanEquals", T_NUMBER}, {"DateEquals", T_DATE}, {"DateNotEquals", T_DATE},
    {"DateLessThan", T_DATE}, {"DateLessThanEquals", T_DATE}, {"DateGreaterThan", T_DATE},
    {"DateGreaterThanEquals", T_DATE}, {"Bool", T_BOOL}, {"BinaryEquals", T_BINARY},
    {"IpAddress", T_IP}, {"NotIpAddress", T_IP}, {"ArnEquals", T_ARN}, {"ArnLike", T_ARN},
    {"ArnNotEquals", T_ARN}, {"ArnNotLike", T_ARN}, {"Null", T_NULL},
};

typedef struct key_info {
    const char *name;
    enum vtype type;
    int multi; /* usually given as a list */
} key_info;

static const key_info keys[] = {
    {"aws:username", T_STRING, 0},          {"aws:PrincipalTag/team", T_STRING, 0},
    {"aws:SourceIp", T_IP, 0},              {"aws:CurrentTime", T_DATE, 0},
    {"aws:MultiFactorAuthPresent", T_BOOL, 0}, {"aws:TagKeys", T_STRING, 1},
    {"s3:prefix", T_STRING, 0},             {"s3:max-keys", T_NUMBER, 0},
    {"aws:PrincipalArn", T_ARN, 0},         {"aws:SourceArn", T_ARN, 0},
    {"aws:EpochTime", T_DATE, 0},           {"aws:SecureTransport", T_BOOL, 0},
    {"aws:RequestedRegion", T_STRING, 0},   {"aws:PrincipalOrgPaths", T_STRING, 1},
    {"aws:PrincipalAccount", T_STRING, 0},  {"aws:MultiFactorAuthAge", T_NUMBER, 0},
    {"custom:Blob", T_BINARY, 0},           {"aws:PrincipalIsAWSService", T_BOOL, 0},
    {"aws:TokenIssueTime", T_DATE, 0},      {"ec2:InstanceType", T_STRING, 0},
    {"aws:PrincipalOrgID", T_STRING, 0},    {"aws:userid", T_STRING, 0},
};

/* Values a policy may hold, per type ("#": a raw JSON scalar). */
static const char *const pol_strings[] = {
    "alice", "red", "home/alice/", "home/*", "${aws:username}", "", "t3.*", "us-east-1", "eu-*", "env",
    "team", "${aws:PrincipalTag/team}", "${aws:PrincipalTag/team, 'red'}", "tmp${*}", "o-exampleorgid",
    "o-a/r-b/ou-*", "BOB", "#10", "#true", "caf\xc3\xa9", "CAF\xc3\x89", "\xc3\x9f", "?ed", "*",
    "${aws:username}/*", "111122223333", "${$}{x}", "${ aws:username }", "${broken",
};
static const char *const pol_arns[] = {
    "arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:role/AppRole",
    "arn:aws:iam::*:role/App*", "arn:aws:iam::111122223333:root", "arn:aws:s3:::example-bucket",
    "arn:aws:sqs:us-east-1:111122223333:queue1", "arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}",
    "not-an-arn", "arn:aws:lambda:*:*:function:*", "arn:aws:iam::444455556666:*", "arn:*:*:*:*:*",
};
static const char *const pol_numbers[] = {"10", "10.0", "-3", "0.5", "100", "+7", "#10", "#1.50", "0", "-0.0",
                                          "99999999999999999999999"};
static const char *const pol_dates[] = {
    "2024-06-01T12:00:00Z", "2024-06-01", "2024", "2024-06", "2024-06-01T12:00Z", "2024-06-01T14:00:00+02:00",
    "2024-06-01T12:00:00.5Z", "1717243200", "2030-01-01T00:00:00Z", "2024-06-01T12:00:00", "#1717243200",
    "1970-01-01T00:00:00Z",
};
static const char *const pol_bools[] = {"true", "false", "TRUE", "#true", "#false", "${aws:SecureTransport}"};
static const char *const pol_binaries[] = {"dGVzdA==", "YWJj", "", "AA==", "dGVzdA"};
static const char *const pol_ips[] = {"203.0.113.0/24", "203.0.113.7", "203.0.113.9/24", "10.0.0.0/8",
                                      "2001:db8::/32", "2001:DB8:0:0:0:0:0:1", "::ffff:203.0.113.7",
                                      "0.0.0.0/0", "::/0", "203.0.113.7/32", "::1/128"};
static const char *const pol_nulls[] = {"true", "false", "#true", "#false", "TRUE"};

/* Values a request may hold, per type (anything goes: unparsable is false). */
static const char *const req_strings[] = {"alice", "red", "home/alice/", "", "t3.micro", "us-east-1",
                                          "eu-west-1", "env", "team", "bob", "tmp*", "o-exampleorgid",
                                          "o-a/r-b/ou-media/", "Alice", "caf\xc3\xa9", "CAF\xc3\x89", "ss",
                                          "111122223333", "${aws:username}", "{x}"};
static const char *const req_arns[] = {"arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:role/AppRole",
                                       "arn:aws:iam::444455556666:role/AppRole", "arn:aws:s3:::example-bucket",
                                       "arn:aws:sqs:us-east-1:111122223333:queue1", "not-an-arn",
                                       "arn:aws:lambda:us-east-1:111122223333:function:f", "arn:aws:iam::111122223333:root"};
static const char *const req_numbers[] = {"10", "10.0", "-3", "0.5", "100", "abc", "1e3", "9", "11", ""};
static const char *const req_dates[] = {"2024-06-01T12:00:00Z", "1717243200", "2030-01-02", "yesterday",
                                        "2024-06-01T12:00:00.001Z", "2024-06-01T13:00:00+01:00", "0"};
static const char *const req_bools[] = {"true", "false", "TRUE", "yes", ""};
static const char *const req_binaries[] = {"dGVzdA==", "YWJj", "!!", "", "AA=="};
static const char *const req_ips[] = {"203.0.113.7", "10.1.2.3", "2001:db8::1", "::ffff:203.0.113.7",
                                      "not-an-ip", "203.0.113.255", "192.0.2.1"};

static const char *const principal_aws_extra[] = {"*", "AIDAEXAMPLEUNIQUEID0001", "arn:aws:iam::444455556666:root",
                                                  "777788889999", "arn:aws:iam::111122223333:user/bob",
                                                  "arn:aws:iam::111122223333:role/Dev",
                                                  "arn:aws:sts::111122223333:assumed-role/Dev/s1"};

/* ---- the generated world -------------------------------------------------- */

#define MAX_STMTS 6
#define MAX_IDENTITY 3
#define MAX_LEVELS 3
#define MAX_PER_LEVEL 2
#define MAX_CTX 6
#define MAX_CTX_VALUES 3

typedef struct pmodel {
    iam_policy_type type;
    const char *version; /* NULL: no Version member */
    int as_object;       /* a single statement written as an object */
    int n;
    const char *stmt[MAX_STMTS];
    int deny[MAX_STMTS];
} pmodel;

typedef struct world {
    /* request */
    enum kind kind;
    const char *account; /* principal's, NULL for a service */
    const char *role;    /* role name of a session */
    const char *principal;
    const char *action;
    const char *resource;
    const char *resource_account;
    const char *management_account;
    const char *federated_by;
    size_t nctx;
    iam_context_entry ctx[MAX_CTX];
    iam_str ctx_values[MAX_CTX][MAX_CTX_VALUES];
    /* policies */
    int n_identity;
    pmodel identity[MAX_IDENTITY];
    int has_boundary, has_session, has_resource;
    pmodel boundary, session, resource_policy;
    int scp_levels; /* 0: no SCPs */
    int n_scp[MAX_LEVELS];
    pmodel scp[MAX_LEVELS][MAX_PER_LEVEL];
    int rcp_levels; /* 0: no RCPs */
    int n_rcp[MAX_LEVELS];
    pmodel rcp[MAX_LEVELS][MAX_PER_LEVEL];
} world;

static int is_iam_principal(enum kind k)
{
    return k != K_SERVICE;
}

/* Whether identity policies and a boundary may be attached [E-I1]. */
static int has_identity_layer(enum kind k)
{
    return k != K_ROOT && k != K_SERVICE;
}

static int may_have_session(enum kind k)
{
    return k == K_ROLE || k == K_SESSION || k == K_FEDERATED || k == K_SLR || k == K_SLR_SESSION;
}

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return *a == *b;
}

/* Spec 5.10 step 0: calls no policy controls when made by an IAM principal. */
static int step0_exempt(const world *w)
{
    return is_iam_principal(w->kind) &&
           (ieq(w->action, "sts:GetCallerIdentity") || ieq(w->action, "sts:GetSessionToken"));
}

/* The account owning the resource, [M-N6]. */
static const char *resource_account_of(const world *w, char *tmp, size_t size)
{
    if (w->resource_account)
        return w->resource_account;
    const char *r = w->resource;
    if (strncmp(r, "arn:", 4) == 0) {
        const char *f = r;
        for (int k = 0; k < 4 && f; k++) {
            f = strchr(f, ':');
            if (f)
                f++;
        }
        if (f) {
            const char *e = strchr(f, ':');
            size_t n = e ? (size_t)(e - f) : 0;
            if (n > 0 && n < size) {
                memcpy(tmp, f, n);
                tmp[n] = '\0';
                return tmp;
            }
        }
    }
    return w->account;
}

/* ---- generating ---------------------------------------------------------- */

static const char *with_account(const char *fmt, const char *account)
{
    if (strstr(fmt, "%s") == NULL)
        return fmt;
    return pool_printf(fmt, account);
}

static const char *gen_account(src *s, const world *w)
{
    if (w->account && chance(s, 60))
        return w->account;
    return PICK(s, accounts);
}

static void gen_principal(src *s, world *w)
{
    w->kind = (enum kind)pick(s, K_COUNT);
    w->account = PICK(s, accounts);
    w->role = NULL;
    switch (w->kind) {
    case K_USER:
        w->principal = pool_printf("arn:aws:iam::%s:user/%s", w->account, PICK(s, user_names));
        break;
    case K_ROLE:
        w->principal = pool_printf("arn:aws:iam::%s:role/%s", w->account, PICK(s, role_names));
        break;
    case K_SESSION: {
        const char *r = PICK(s, role_names);
        const char *slash = strrchr(r, '/');
        w->role = slash ? slash + 1 : r;
        w->principal = pool_printf("arn:aws:sts::%s:assumed-role/%s/%s", w->account, w->role, PICK(s, session_names));
        break;
    }
    case K_FEDERATED:
        w->principal = pool_printf("arn:aws:sts::%s:federated-user/%s", w->account, chance(s, 50) ? "carol" : "alice");
        break;
    case K_ROOT:
        w->principal = pool_printf("arn:aws:iam::%s:root", w->account);
        break;
    case K_SERVICE:
        w->account = NULL;
        w->principal = PICK(s, services);
        break;
    case K_SLR:
        w->principal = pool_printf("arn:aws:iam::%s:role/aws-service-role/elasticmapreduce.amazonaws.com/"
                                   "AWSServiceRoleForEMRCleanup", w->account);
        break;
    case K_SLR_SESSION:
        w->role = "AWSServiceRoleForEMRCleanup";
        w->principal = pool_printf("arn:aws:sts::%s:assumed-role/%s/emr", w->account, w->role);
        break;
    case K_COUNT:
        break;
    }
}

static const char *gen_value(src *s, enum vtype t, int for_policy)
{
    switch (t) {
    case T_STRING: return for_policy ? PICK(s, pol_strings) : PICK(s, req_strings);
    case T_ARN: return for_policy ? PICK(s, pol_arns) : PICK(s, req_arns);
    case T_NUMBER: return for_policy ? PICK(s, pol_numbers) : PICK(s, req_numbers);
    case T_DATE: return for_policy ? PICK(s, pol_dates) : PICK(s, req_dates);
    case T_BOOL: return for_policy ? PICK(s, pol_bools) : PICK(s, req_bools);
    case T_BINARY: return for_policy ? PICK(s, pol_binaries) : PICK(s, req_binaries);
    case T_IP: return for_policy ? PICK(s, pol_ips) : PICK(s, req_ips);
    case T_NULL: return PICK(s, pol_nulls);
    }
    return "";
}

static void gen_context(src *s, world *w)
{
    w->nctx = pick(s, MAX_CTX + 1);
    size_t used = 0;
    for (size_t i = 0; i < w->nctx; i++) {
        const key_info *k = &keys[pick(s, COUNT(keys))];
        const char *name = k->name;
        /* no two keys equal ignoring case, but now and then on purpose */
        int dup = 0;
        for (size_t j = 0; j < used; j++)
            dup |= ieq(w->ctx[j].key.ptr, name);
        if (dup && !chance(s, 3))
            continue;
        if (chance(s, 10)) {
            char *up = pool_dup(name, strlen(name));
            if (up)
                for (char *c = up; *c; c++)
                    if (*c >= 'a' && *c <= 'z')
                        *c = (char)(*c - 'a' + 'A');
            name = up ? up : name;
        }
        enum vtype t = chance(s, 85) ? k->type : (enum vtype)pick(s, T_NULL);
        iam_context_entry *e = &w->ctx[used];
        e->key = (iam_str){name, strlen(name)};
        e->multivalued = k->multi ? !chance(s, 15) : chance(s, 8);
        size_t nv = e->multivalued ? pick(s, MAX_CTX_VALUES + 1) : 1;
        for (size_t v = 0; v < nv; v++) {
            const char *val = gen_value(s, t, 0);
            w->ctx_values[used][v] = (iam_str){val, strlen(val)};
        }
        e->values = w->ctx_values[used];
        e->value_count = nv;
        used++;
    }
    w->nctx = used;
}

static void gen_request(src *s, world *w)
{
    gen_principal(s, w);
    w->action = PICK(s, request_actions);
    const char *acct = gen_account(s, w);
    size_t r = pick(s, COUNT(request_resources) + 1);
    if (r == COUNT(request_resources)) {
        /* a long key against the pathological patterns */
        static char longres[4100];
        size_t n = (size_t)snprintf(longres, sizeof longres, "arn:aws:s3:::");
        while (n < 4000)
            longres[n++] = 'a';
        longres[n] = '\0';
        w->resource = longres;
    } else {
        w->resource = with_account(request_resources[r], acct);
    }
    w->resource_account = chance(s, 50) ? gen_account(s, w) : NULL;
    w->management_account = chance(s, 5) ? PICK(s, accounts) : NULL;
    w->federated_by = w->kind == K_FEDERATED && chance(s, 40)
                          ? pool_printf("arn:aws:iam::%s:user/alice", w->account)
                          : NULL;
    gen_context(s, w);
}

/* A principal entry of a resource policy, mostly about the caller. */
static const char *gen_aws_entry(src *s, const world *w)
{
    const char *acct = w->account ? w->account : "111122223333";
    switch (pick(s, 8)) {
    case 0: return w->kind == K_SERVICE ? "*" : w->principal;
    case 1: return acct;
    case 2: return pool_printf("arn:aws:iam::%s:root", acct);
    case 3: return w->role ? pool_printf("arn:aws:iam::%s:role/%s", acct, w->role) : w->principal;
    case 4: return "*";
    case 5: return w->federated_by ? w->federated_by : pool_printf("arn:aws:iam::%s:user/alice", acct);
    default: return PICK(s, principal_aws_extra);
    }
}

static void gen_principal_value(src *s, const world *w, buf *b)
{
    if (chance(s, 20)) {
        b_puts(b, "\"*\"");
        return;
    }
    static const char *const map_keys[] = {"AWS", "Service", "AWS", "Federated", "CanonicalUser"};
    int nkeys = 1 + (int)pick(s, 2);
    int used[5] = {0};
    b_puts(b, "{");
    int first = 1;
    for (int k = 0; k < nkeys; k++) {
        unsigned which = pick(s, COUNT(map_keys));
        if (w->kind == K_SERVICE && chance(s, 60))
            which = 1;
        const char *mk = map_keys[which];
        if (which == 2)
            which = 0;
        if (used[which])
            continue;
        used[which] = 1;
        if (!first)
            b_puts(b, ",");
        first = 0;
        b_json(b, mk);
        b_puts(b, ":");
        int nv = 1 + (int)pick(s, 2);
        if (nv > 1)
            b_puts(b, "[");
        for (int v = 0; v < nv; v++) {
            if (v)
                b_puts(b, ",");
            const char *e;
            if (which == 1)
                e = w->kind == K_SERVICE && chance(s, 70) ? w->principal : PICK(s, services);
            else if (which == 3)
                e = "cognito-identity.amazonaws.com";
            else if (which == 4)
                e = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";
            else
                e = gen_aws_entry(s, w);
            b_json(b, e);
        }
        if (nv > 1)
            b_puts(b, "]");
    }
    b_puts(b, "}");
}

static const char *gen_action_pattern(src *s, const world *w, int rcp)
{
    if (rcp)
        return PICK(s, rcp_action_patterns);
    if (chance(s, 25))
        return w->action; /* the request's own, for more matches */
    return PICK(s, action_patterns);
}

static const char *gen_resource_pattern(src *s, const world *w, iam_policy_type type)
{
    if (chance(s, 20))
        return w->resource; /* exact (may contain wildcards only as text) */
    const char *acct = w->account && chance(s, 70) ? w->account : chance(s, 50) ? "*" : PICK(s, accounts);
    const char *p = with_account(PICK(s, resource_patterns), acct);
    if (type == IAM_POLICY_SESSION && p && strcmp(p, "arn:aws:ec2") == 0)
        p = "arn:aws:ec2:*:*:*"; /* session policies reject incomplete ARNs */
    return p ? p : "*";
}

static void gen_list(src *s, buf *b, int n, const char *(*gen)(src *, const world *, int), const world *w, int arg)
{
    if (n > 1)
        b_puts(b, "[");
    for (int i = 0; i < n; i++) {
        if (i)
            b_puts(b, ",");
        b_json(b, gen(s, w, arg));
    }
    if (n > 1)
        b_puts(b, "]");
}

static const char *gen_action_cb(src *s, const world *w, int rcp)
{
    return gen_action_pattern(s, w, rcp);
}

static const char *gen_resource_cb(src *s, const world *w, int type)
{
    return gen_resource_pattern(s, w, (iam_policy_type)type);
}

static void gen_condition(src *s, const world *w, buf *b)
{
    (void)w;
    int nops = 1 + (int)pick(s, 2);
    int used_ops[COUNT(operators) * 6] = {0};
    b_puts(b, "{");
    int first = 1;
    for (int o = 0; o < nops; o++) {
        unsigned oi = pick(s, COUNT(operators));
        const op_info *op = &operators[oi];
        unsigned qual = op->type == T_NULL ? 0 : chance(s, 30) ? 1 + pick(s, 2) : 0;
        unsigned ifx = op->type == T_NULL ? 0 : chance(s, 20);
        unsigned slot = oi * 6 + qual * 2 + ifx;
        if (used_ops[slot])
            continue; /* a duplicate operator is malformed JSON-wise [G-J2] */
        used_ops[slot] = 1;
        char name[80];
        snprintf(name, sizeof name, "%s%s%s", qual == 1 ? "ForAnyValue:" : qual == 2 ? "ForAllValues:" : "",
                 op->name, ifx ? "IfExists" : "");
        if (chance(s, 5))
            for (char *c = name; *c; c++)
                if (*c >= 'A' && *c <= 'Z')
                    *c = (char)(*c - 'A' + 'a');
        if (!first)
            b_puts(b, ",");
        first = 0;
        b_json(b, name);
        b_puts(b, ":{");
        int nkeys = 1 + (int)pick(s, 2);
        const char *used_keys[2] = {NULL, NULL};
        int kfirst = 1;
        for (int k = 0; k < nkeys; k++) {
            const key_info *ki = &keys[pick(s, COUNT(keys))];
            /* mostly a key of the operator's type, so that values compare */
            if (op->type != T_NULL && chance(s, 80) && ki->type != op->type) {
                for (size_t j = 0; j < COUNT(keys); j++)
                    if (keys[j].type == op->type) {
                        ki = &keys[j];
                        if (chance(s, 50))
                            break;
                    }
            }
            if ((used_keys[0] && ieq(used_keys[0], ki->name)))
                continue;
            used_keys[k] = ki->name;
            if (!kfirst)
                b_puts(b, ",");
            kfirst = 0;
            const char *kn = ki->name;
            if (chance(s, 10)) {
                char *low = pool_dup(kn, strlen(kn));
                if (low)
                    for (char *c = low; *c; c++)
                        if (*c >= 'A' && *c <= 'Z')
                            *c = (char)(*c - 'A' + 'a');
                kn = low ? low : kn;
            }
            b_json(b, kn);
            b_puts(b, ":");
            int nv = 1 + (int)pick(s, 3);
            if (nv > 1 || chance(s, 20))
                b_puts(b, "["), nv = -nv;
            int absn = nv < 0 ? -nv : nv;
            for (int v = 0; v < absn; v++) {
                if (v)
                    b_puts(b, ",");
                b_value(b, gen_value(s, op->type, 1));
            }
            if (nv < 0)
                b_puts(b, "]");
        }
        b_puts(b, "}");
    }
    b_puts(b, "}");
}

/* One statement for a policy of `type`; force: 0 any effect, 1 Deny, 2 Allow. */
static const char *gen_statement(src *s, const world *w, iam_policy_type type, int force, int *is_deny)
{
    int deny_only = force == 1;
    static buf b;
    b_reset(&b);
    if (type == IAM_POLICY_RCP && !deny_only && chance(s, 15)) {
        *is_deny = 0;
        return chance(s, 50) ? "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}"
                             : "{\"Sid\":\"RCPFullAWSAccess\",\"Effect\":\"Allow\",\"Principal\":\"*\","
                               "\"Action\":\"*\",\"Resource\":\"*\"}";
    }
    int deny = force == 2 ? 0 : deny_only || type == IAM_POLICY_RCP || chance(s, 35);
    *is_deny = deny;
    b_puts(&b, "{");
    if (chance(s, 30)) {
        b_puts(&b, "\"Sid\":");
        b_json(&b, chance(s, 50) ? "S1" : "Stmt with spaces");
        b_puts(&b, ",");
    }
    b_puts(&b, deny ? "\"Effect\":\"Deny\"" : "\"Effect\":\"Allow\"");
    if (type == IAM_POLICY_RESOURCE) {
        if (deny && chance(s, 15)) {
            b_puts(&b, ",\"NotPrincipal\":");
            gen_principal_value(s, w, &b);
        } else {
            b_puts(&b, ",\"Principal\":");
            gen_principal_value(s, w, &b);
        }
    } else if (type == IAM_POLICY_RCP) {
        b_puts(&b, ",\"Principal\":\"*\"");
    }
    int rcp = type == IAM_POLICY_RCP;
    b_puts(&b, !rcp && chance(s, 12) ? ",\"NotAction\":" : ",\"Action\":");
    gen_list(s, &b, 1 + (int)pick(s, 3), gen_action_cb, w, rcp);
    unsigned r = pick(s, 10);
    if (type == IAM_POLICY_RESOURCE && r == 0) {
        /* no resource element: every resource [G-S4] */
    } else {
        b_puts(&b, r == 1 ? ",\"NotResource\":" : ",\"Resource\":");
        gen_list(s, &b, 1 + (int)pick(s, 2), gen_resource_cb, w, (int)type);
    }
    if (chance(s, 45) && (!rcp || deny)) {
        b_puts(&b, ",\"Condition\":");
        gen_condition(s, w, &b);
    }
    b_puts(&b, "}");
    return pool_dup(b.p, b.len);
}

static void gen_policy(src *s, const world *w, pmodel *m, iam_policy_type type, int max_stmts)
{
    m->type = type;
    if (type == IAM_POLICY_SCP || type == IAM_POLICY_RCP)
        m->version = "2012-10-17";
    else {
        unsigned v = pick(s, 10);
        m->version = v == 8 ? "2008-10-17" : v == 9 ? NULL : "2012-10-17";
    }
    m->n = (int)pick(s, (size_t)max_stmts + 1);
    if (m->n == 0 && chance(s, 50))
        m->n = 1;
    m->as_object = chance(s, 20);
    for (int i = 0; i < m->n; i++) {
        const char *st = gen_statement(s, w, type, 0, &m->deny[i]);
        m->stmt[i] = st ? st : "{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Principal\":\"*\"}";
        if (st == NULL) {
            m->n = i;
            break;
        }
    }
}

static void gen_world(src *s, world *w)
{
    memset(w, 0, sizeof *w);
    gen_request(s, w);
    unsigned flags = pick(s, 256);
    int idok = has_identity_layer(w->kind) || chance(s, 3);
    w->n_identity = idok ? (int)pick(s, MAX_IDENTITY + 1) : 0;
    if (idok && w->n_identity == 0 && chance(s, 70))
        w->n_identity = 1;
    for (int i = 0; i < w->n_identity; i++)
        gen_policy(s, w, &w->identity[i], IAM_POLICY_IDENTITY, MAX_STMTS - 2);
    w->has_boundary = (flags & 1) && (idok || chance(s, 3));
    if (w->has_boundary)
        gen_policy(s, w, &w->boundary, IAM_POLICY_BOUNDARY, 3);
    w->has_session = (flags & 2) && (may_have_session(w->kind) || chance(s, 3));
    if (w->has_session)
        gen_policy(s, w, &w->session, IAM_POLICY_SESSION, 3);
    w->has_resource = (flags & 4) != 0 || (flags & 8) != 0;
    if (w->has_resource)
        gen_policy(s, w, &w->resource_policy, IAM_POLICY_RESOURCE, MAX_STMTS - 2);
    w->scp_levels = (flags & 16) ? 1 + (int)pick(s, MAX_LEVELS) : 0;
    for (int l = 0; l < w->scp_levels; l++) {
        w->n_scp[l] = (int)pick(s, MAX_PER_LEVEL + 1);
        if (w->n_scp[l] == 0 && chance(s, 80))
            w->n_scp[l] = 1;
        for (int i = 0; i < w->n_scp[l]; i++) {
            gen_policy(s, w, &w->scp[l][i], IAM_POLICY_SCP, 2);
            /* mostly FullAWSAccess first, or nothing would pass the gate */
            if (w->scp[l][i].n < MAX_STMTS && chance(s, 75)) {
                memmove(&w->scp[l][i].stmt[1], &w->scp[l][i].stmt[0], sizeof(char *) * (size_t)w->scp[l][i].n);
                memmove(&w->scp[l][i].deny[1], &w->scp[l][i].deny[0], sizeof(int) * (size_t)w->scp[l][i].n);
                w->scp[l][i].stmt[0] = "{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}";
                w->scp[l][i].deny[0] = 0;
                w->scp[l][i].n++;
            }
        }
    }
    w->rcp_levels = (flags & 32) ? 1 + (int)pick(s, MAX_LEVELS) : 0;
    for (int l = 0; l < w->rcp_levels; l++) {
        w->n_rcp[l] = (int)pick(s, MAX_PER_LEVEL + 1);
        for (int i = 0; i < w->n_rcp[l]; i++)
            gen_policy(s, w, &w->rcp[l][i], IAM_POLICY_RCP, 2);
    }
}

/* ---- rendering, loading, evaluating -------------------------------------- */

typedef struct variant {
    int strip_allows;          /* drop Allow statements of identity, boundary, session, resource */
    int reverse;               /* reverse statement and policy order, and the context */
    int swap_accounts;         /* exchange 111122223333 and 444455556666 everywhere */
    iam_policy_type add_type;  /* with add: where the extra statement goes */
    int add;                   /* 0 none, 1 append to an existing policy, 2 as a new policy */
    int add_index;             /* identity policy index or level */
    const char *extra;         /* the extra statement */
} variant;

/* Exchanges the account IDs 111122223333 and 444455556666 in s[0..n). */
static void swap_accounts_in(char *s, size_t n)
{
    static const char a[] = "111122223333", b[] = "444455556666";
    for (size_t i = 0; i + 12 <= n; i++) {
        if (memcmp(s + i, a, 12) == 0) {
            memcpy(s + i, b, 12);
            i += 11;
        } else if (memcmp(s + i, b, 12) == 0) {
            memcpy(s + i, a, 12);
            i += 11;
        }
    }
}

static const char *swapped(const char *s)
{
    if (s == NULL)
        return NULL;
    char *c = pool_dup(s, strlen(s));
    swap_accounts_in(c, strlen(c));
    return c;
}

static void render(buf *b, const pmodel *m, const variant *v, const char *extra)
{
    b_reset(b);
    b_puts(b, "{");
    if (m->version) {
        b_puts(b, "\"Version\":");
        b_json(b, m->version);
        b_puts(b, ",");
    }
    int strip = v->strip_allows && (m->type == IAM_POLICY_IDENTITY || m->type == IAM_POLICY_BOUNDARY ||
                                    m->type == IAM_POLICY_SESSION || m->type == IAM_POLICY_RESOURCE);
    int count = 0;
    for (int i = 0; i < m->n; i++)
        count += !(strip && !m->deny[i]);
    count += extra != NULL;
    int object = m->as_object && count == 1;
    b_puts(b, object ? "\"Statement\":" : "\"Statement\":[");
    int first = 1;
    for (int k = 0; k < m->n; k++) {
        int i = v->reverse ? m->n - 1 - k : k;
        if (strip && !m->deny[i])
            continue;
        if (!first)
            b_puts(b, ",");
        first = 0;
        b_puts(b, m->stmt[i]);
    }
    if (extra) {
        if (!first)
            b_puts(b, ",");
        b_puts(b, extra);
    }
    b_puts(b, object ? "}" : "]}");
    if (v->swap_accounts)
        swap_accounts_in(b->p, b->len);
}

#define MAX_DOCS (MAX_IDENTITY + 1 + 3 + 2 * MAX_LEVELS * MAX_PER_LEVEL + 2)

typedef struct built {
    iam_policy_set *set;
    buf dump; /* every document, for the report */
} built;

/* Parsed policies by text, for one input: a variant reuses every document it
 * leaves unchanged (parsing is most of the cost). */
typedef struct cache_entry {
    char *text;
    size_t len;
    iam_policy_type type;
    iam_policy *policy;
} cache_entry;

static cache_entry cache[4 * MAX_DOCS + 16];
static size_t cache_count;

static void cache_clear(void)
{
    for (size_t i = 0; i < cache_count; i++) {
        iam_policy_free(cache[i].policy);
        free(cache[i].text);
    }
    cache_count = 0;
}

enum outcome { OUT_DECIDED, OUT_POLICY_REJECTED, OUT_REQUEST_REJECTED };

static const world *cur_world;
static const uint8_t *cur_data;
static size_t cur_size;

static void print_request(const world *w, FILE *f)
{
    fprintf(f, "request: principal=%s (%s) action=%s resource=%.200s%s", w->principal, kind_names[w->kind],
            w->action, w->resource, strlen(w->resource) > 200 ? "..." : "");
    if (w->resource_account)
        fprintf(f, " resource_account=%s", w->resource_account);
    if (w->management_account)
        fprintf(f, " management_account=%s", w->management_account);
    if (w->federated_by)
        fprintf(f, " federated_by=%s", w->federated_by);
    fprintf(f, "\n  context: {");
    for (size_t i = 0; i < w->nctx; i++) {
        const iam_context_entry *e = &w->ctx[i];
        fprintf(f, "%s\"%.*s\": ", i ? ", " : "", (int)e->key.len, e->key.ptr);
        if (e->multivalued)
            fprintf(f, "[");
        for (size_t v = 0; v < e->value_count; v++)
            fprintf(f, "%s\"%.*s\"", v ? ", " : "", (int)e->values[v].len, e->values[v].ptr);
        if (e->multivalued)
            fprintf(f, "]");
    }
    fprintf(f, "}\n");
}

static built base_built;

static void die(const char *what, const built *variant_built, const char *detail)
{
    fprintf(stderr, "fuzz_eval: invariant violated: %s\n", what);
    if (detail)
        fprintf(stderr, "  %s\n", detail);
    if (cur_world)
        print_request(cur_world, stderr);
    fprintf(stderr, "base policies:\n%s", base_built.dump.p ? base_built.dump.p : "");
    if (variant_built && variant_built != &base_built)
        fprintf(stderr, "variant policies:\n%s", variant_built->dump.p ? variant_built->dump.p : "");
    fprintf(stderr, "input (%zu bytes) in hex:", cur_size);
    print_hex(cur_data, cur_size);
    abort();
}

static void built_free(built *bt)
{
    iam_policy_set_free(bt->set);
    bt->set = NULL;
}

static buf text;

/* Parses one rendered document and adds it; OUT_DECIDED when it went in. */
static enum outcome load_doc(built *bt, iam_setup *setup, const pmodel *m, unsigned level, const variant *v,
                             const char *extra, const char *label)
{
    render(&text, m, v, extra);
    b_puts(&bt->dump, "  ");
    b_puts(&bt->dump, label);
    b_puts(&bt->dump, ": ");
    b_puts(&bt->dump, text.p);
    b_puts(&bt->dump, "\n");
    iam_policy *p = NULL;
    iam_error err;
    for (size_t i = 0; i < cache_count && p == NULL; i++)
        if (cache[i].type == m->type && cache[i].len == text.len && memcmp(cache[i].text, text.p, text.len) == 0)
            p = cache[i].policy;
    if (p == NULL) {
        iam_status s = iam_policy_parse(&p, text.p, text.len, m->type, label, NULL, &err);
        if (s == IAM_ERR_POLICY)
            return OUT_POLICY_REJECTED;
        if (s != IAM_OK) {
            char msg[1024];
            die("generated policy not accepted nor rejected as IAM_ERR_POLICY", bt,
                iam_error_format(&err, msg, sizeof msg));
        }
        if (cache_count == COUNT(cache)) {
            fprintf(stderr, "fuzz_eval: policy cache full (a harness bug)\n");
            abort();
        }
        cache[cache_count].text = malloc(text.len + 1);
        if (cache[cache_count].text == NULL)
            abort();
        memcpy(cache[cache_count].text, text.p, text.len + 1);
        cache[cache_count].len = text.len;
        cache[cache_count].type = m->type;
        cache[cache_count].policy = p;
        cache_count++;
    }
    if (iam_setup_add(setup, p, level, &err) != IAM_OK) {
        char msg[1024];
        die("iam_setup_add failed", bt, iam_error_format(&err, msg, sizeof msg));
    }
    return OUT_DECIDED;
}

/* Loads every layer of w as variant v says and compiles it into bt->set. */
static enum outcome build(const world *w, const variant *v, built *bt)
{
    bt->set = NULL;
    b_reset(&bt->dump);
    iam_setup *setup;
    iam_error err;
    if (iam_setup_create(&setup) != IAM_OK)
        die("iam_setup_create failed", bt, NULL);
    enum outcome out = OUT_DECIDED;
    char label[64];
    const int add = v->add;
    /* identity policies, reversed on request */
    int nid = w->n_identity;
    for (int k = 0; k < nid && out == OUT_DECIDED; k++) {
        int i = v->reverse ? nid - 1 - k : k;
        const char *extra = add == 1 && v->add_type == IAM_POLICY_IDENTITY && v->add_index == i ? v->extra : NULL;
        snprintf(label, sizeof label, "identity[%d]", i);
        out = load_doc(bt, setup, &w->identity[i], 0, v, extra, label);
    }
    if (out == OUT_DECIDED && add == 2 && v->add_type == IAM_POLICY_IDENTITY) {
        pmodel m = {IAM_POLICY_IDENTITY, "2012-10-17", 0, 0, {NULL}, {0}};
        out = load_doc(bt, setup, &m, 0, v, v->extra, "identity[new]");
    }
    static const char *const single_names[] = {"boundary", "session", "resource"};
    const iam_policy_type single_types[] = {IAM_POLICY_BOUNDARY, IAM_POLICY_SESSION, IAM_POLICY_RESOURCE};
    const int has[] = {w->has_boundary, w->has_session, w->has_resource};
    const pmodel *models[] = {&w->boundary, &w->session, &w->resource_policy};
    for (int k = 0; k < 3 && out == OUT_DECIDED; k++) {
        const char *extra = add && v->add_type == single_types[k] ? v->extra : NULL;
        if (has[k]) {
            out = load_doc(bt, setup, models[k], 0, v, extra, single_names[k]);
        } else if (extra) {
            pmodel m = {single_types[k], "2012-10-17", 0, 0, {NULL}, {0}};
            out = load_doc(bt, setup, &m, 0, v, extra, single_names[k]);
        }
    }
    /* SCP and RCP levels */
    for (int t = 0; t < 2 && out == OUT_DECIDED; t++) {
        iam_policy_type type = t ? IAM_POLICY_RCP : IAM_POLICY_SCP;
        int levels = t ? w->rcp_levels : w->scp_levels;
        const int *counts = t ? w->n_rcp : w->n_scp;
        const pmodel(*lv)[MAX_PER_LEVEL] = t ? w->rcp : w->scp;
        int adding = add && v->add_type == type;
        if (levels == 0 && !adding)
            continue;
        int nlevels = levels ? levels : 1;
        if (iam_setup_set_levels(setup, type, (unsigned)nlevels, &err) != IAM_OK)
            die("iam_setup_set_levels failed", bt, err.message);
        for (int l = 0; l < levels && out == OUT_DECIDED; l++) {
            for (int k = 0; k < counts[l] && out == OUT_DECIDED; k++) {
                int i = v->reverse ? counts[l] - 1 - k : k;
                const char *extra = adding && add == 1 && v->add_index == l && i == 0 ? v->extra : NULL;
                snprintf(label, sizeof label, "%s[%d][%d]", t ? "rcp" : "scp", l, i);
                out = load_doc(bt, setup, &lv[l][i], (unsigned)l, v, extra, label);
            }
        }
        if (out == OUT_DECIDED && adding && (add == 2 || levels == 0 || counts[v->add_index % nlevels] == 0)) {
            pmodel m = {type, "2012-10-17", 0, 0, {NULL}, {0}};
            snprintf(label, sizeof label, "%s[%d][new]", t ? "rcp" : "scp", v->add_index % nlevels);
            out = load_doc(bt, setup, &m, (unsigned)(v->add_index % nlevels), v, v->extra, label);
        }
    }
    if (out == OUT_DECIDED) {
        iam_status s = iam_policy_set_compile(&bt->set, setup, NULL, &err);
        if (s != IAM_OK)
            die("iam_policy_set_compile failed", bt, err.message);
    }
    iam_setup_free(setup);
    if (out != OUT_DECIDED)
        built_free(bt);
    return out;
}

static void make_request(const world *w, int reverse, iam_request *req, iam_context_entry *ctx)
{
    memset(req, 0, sizeof *req);
    req->principal = (iam_str){w->principal, strlen(w->principal)};
    req->action = (iam_str){w->action, strlen(w->action)};
    req->resource = (iam_str){w->resource, strlen(w->resource)};
    if (w->resource_account)
        req->resource_account = (iam_str){w->resource_account, strlen(w->resource_account)};
    if (w->management_account)
        req->management_account = (iam_str){w->management_account, strlen(w->management_account)};
    if (w->federated_by)
        req->federated_by = (iam_str){w->federated_by, strlen(w->federated_by)};
    for (size_t i = 0; i < w->nctx; i++)
        ctx[i] = w->ctx[reverse ? w->nctx - 1 - i : i];
    req->context = ctx;
    req->context_count = w->nctx;
}

/* The world with the two accounts exchanged in the request (the policies
 * are exchanged as they are rendered). */
static void swap_world(const world *w, world *out)
{
    *out = *w;
    out->principal = swapped(w->principal);
    out->resource = swapped(w->resource);
    out->resource_account = swapped(w->resource_account);
    out->management_account = swapped(w->management_account);
    out->federated_by = swapped(w->federated_by);
    out->account = swapped(w->account);
    for (size_t i = 0; i < w->nctx; i++) {
        for (size_t v = 0; v < w->ctx[i].value_count; v++) {
            char *c = pool_dup(w->ctx_values[i][v].ptr, w->ctx_values[i][v].len);
            swap_accounts_in(c, w->ctx_values[i][v].len);
            out->ctx_values[i][v] = (iam_str){c, w->ctx_values[i][v].len};
        }
        out->ctx[i].values = out->ctx_values[i];
    }
}

static iam_scratch *scratch;
static iam_explanation *explanation;

typedef struct result {
    enum outcome out;
    iam_decision d;
} result;

static const char *result_word(result r)
{
    switch (r.out) {
    case OUT_POLICY_REJECTED: return "policy rejected";
    case OUT_REQUEST_REJECTED: return "request rejected";
    case OUT_DECIDED: return iam_decision_name(r.d);
    }
    return "?";
}

static result decide(const built *bt, const iam_request *req, iam_scratch *sc)
{
    result r = {OUT_DECIDED, (iam_decision)55};
    iam_error err;
    iam_status s = iam_evaluate(bt->set, req, sc, &r.d, &err);
    if (s == IAM_ERR_REQUEST) {
        if (err.message[0] == '\0')
            die("IAM_ERR_REQUEST without a message", bt, NULL);
        r.out = OUT_REQUEST_REJECTED;
        return r;
    }
    if (s != IAM_OK) {
        char msg[1024];
        die("iam_evaluate failed with an unexpected status", bt, iam_error_format(&err, msg, sizeof msg));
    }
    if (r.d != IAM_ALLOWED && r.d != IAM_IMPLICIT_DENY && r.d != IAM_EXPLICIT_DENY)
        die("decision is none of the three", bt, NULL);
    /* The explaining path decides exactly as the plain one, and renders.
     * (Only on the main thread: the explanation object is not shared.) */
    if (sc != scratch)
        return r;
    iam_decision xd = (iam_decision)66;
    if (iam_evaluate_explain(bt->set, req, sc, &xd, explanation, &err) != IAM_OK || xd != r.d ||
        iam_explanation_decision(explanation) != r.d)
        die("the explanation's decision differs from iam_evaluate's", bt, NULL);
    if (iam_explanation_json(explanation) == NULL || iam_explanation_text(explanation, 0) == NULL)
        die("the explanation did not render", bt, NULL);
    if (r.d == IAM_EXPLICIT_DENY && iam_explanation_decisive_count(explanation) == 0)
        die("an explicit deny names no decisive statement", bt, NULL);
    return r;
}

/* Builds and decides a variant; the result, its set freed. */
static result run_variant(const world *w, const variant *v, built *bt)
{
    result r = {OUT_POLICY_REJECTED, IAM_IMPLICIT_DENY};
    if (build(w, v, bt) != OUT_DECIDED)
        return r;
    iam_request req;
    iam_context_entry ctx[MAX_CTX];
    make_request(w, v->reverse, &req, ctx);
    r = decide(bt, &req, scratch);
    return r;
}

/* ---- threads ------------------------------------------------------------- */

typedef struct thread_job {
    const built *bt;
    const iam_request *req;
    result first;
    int disagree;
    int failed;
} thread_job;

static void *thread_main(void *arg)
{
    thread_job *job = arg;
    iam_scratch *sc;
    if (iam_scratch_create(&sc, NULL) != IAM_OK) {
        job->failed = 1;
        return NULL;
    }
    for (int i = 0; i < 40; i++) {
        result r = decide(job->bt, job->req, sc);
        if (i == 0)
            job->first = r;
        else if (r.out != job->first.out || (r.out == OUT_DECIDED && r.d != job->first.d))
            job->disagree = 1;
    }
    iam_scratch_free(sc);
    return NULL;
}

static void check_threads(const world *w, const built *bt, result expect)
{
    iam_request req;
    iam_context_entry ctx[MAX_CTX];
    make_request(w, 0, &req, ctx);
    thread_job jobs[2];
    pthread_t th[2];
    for (int t = 0; t < 2; t++) {
        jobs[t] = (thread_job){bt, &req, {OUT_DECIDED, IAM_IMPLICIT_DENY}, 0, 0};
        if (pthread_create(&th[t], NULL, thread_main, &jobs[t]) != 0)
            die("pthread_create failed", bt, NULL);
    }
    for (int i = 0; i < 20; i++) {
        result r = decide(bt, &req, scratch);
        if (r.out != expect.out || (r.out == OUT_DECIDED && r.d != expect.d))
            die("evaluation during concurrent evaluation differs", bt, NULL);
    }
    for (int t = 0; t < 2; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < 2; t++) {
        if (jobs[t].failed)
            die("iam_scratch_create failed in a thread", bt, NULL);
        if (jobs[t].disagree)
            die("a thread's evaluations disagree with each other", bt, NULL);
        if (jobs[t].first.out != expect.out || (expect.out == OUT_DECIDED && jobs[t].first.d != expect.d))
            die("a thread's decision differs from the single-threaded one", bt, result_word(jobs[t].first));
    }
}

/* ---- statistics ---------------------------------------------------------- */

static unsigned long long st_inputs, st_policy_rejected, st_request_rejected, st_decided[3], st_threads;
static int stats_on;

static void print_stats(void)
{
    fprintf(stderr,
            "fuzz_eval stats: %llu inputs: %llu policy rejected, %llu request rejected; "
            "implicitDeny %llu, allowed %llu, explicitDeny %llu; %llu thread checks\n",
            st_inputs, st_policy_rejected, st_request_rejected, st_decided[0], st_decided[1], st_decided[2],
            st_threads);
}

/* libFuzzer reads its flags after calling LLVMFuzzerInitialize, which may
 * change them. Each input runs the engine through many layers and variants,
 * so it reaches many coverage features; the default entropic schedule then
 * spends most of the time on its bookkeeping (6x fewer executions here).
 * Under libFuzzer (argv[0] named fuzz_*), -entropic=0 is added unless given. */
static void add_flags(int *argc, char ***argv)
{
    if (argc == NULL || argv == NULL || *argc < 1 || *argc > 200)
        return;
    const char *self = strrchr((*argv)[0], '/');
    self = self ? self + 1 : (*argv)[0];
    if (strncmp(self, "fuzz_", 5) != 0)
        return;
    for (int i = 1; i < *argc; i++)
        if (strncmp((*argv)[i], "-entropic=", 10) == 0)
            return;
    static char *args[202];
    static char flag[] = "-entropic=0";
    args[0] = (*argv)[0];
    args[1] = flag;
    for (int i = 1; i < *argc; i++)
        args[i + 1] = (*argv)[i];
    args[*argc + 1] = NULL;
    *argc += 1;
    *argv = args;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    add_flags(argc, argv);
    if (iam_scratch_create(&scratch, NULL) != IAM_OK || iam_explanation_create(&explanation) != IAM_OK) {
        fprintf(stderr, "fuzz_eval: cannot create a scratch\n");
        abort();
    }
    const char *e = getenv("IAMFUZZ_STATS");
    stats_on = e != NULL && e[0] != '\0' && e[0] != '0';
    if (stats_on)
        atexit(print_stats);
    return 0;
}

/* ---- the target ----------------------------------------------------------- */

static uint32_t hash_input(const uint8_t *d, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ d[i]) * 16777619u;
    return h;
}

static void expect_same(result a, result b, const built *bt, const char *what)
{
    if (a.out != b.out || (a.out == OUT_DECIDED && a.d != b.d)) {
        char detail[128];
        snprintf(detail, sizeof detail, "base: %s, now: %s", result_word(a), result_word(b));
        die(what, bt, detail);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (scratch == NULL)
        LLVMFuzzerInitialize(NULL, NULL);
    cur_data = data;
    cur_size = size;
    pool_used = 0;
    static world w;
    src s = {data, size};
    gen_world(&s, &w);
    cur_world = &w;
    st_inputs++;
    if (stats_on && (st_inputs & 0xFFFF) == 0)
        print_stats();

    const variant plain = {.add_type = IAM_POLICY_IDENTITY};
    result base = run_variant(&w, &plain, &base_built);
    if (base.out == OUT_POLICY_REJECTED) {
        st_policy_rejected++;
        cache_clear();
        return 0;
    }
    iam_request req;
    iam_context_entry ctx[MAX_CTX];
    make_request(&w, 0, &req, ctx);
    /* 1. determinism on the same set */
    expect_same(base, decide(&base_built, &req, scratch), &base_built, "second evaluation differs");
    if (base.out == OUT_REQUEST_REJECTED) {
        st_request_rejected++;
        built_free(&base_built);
        cache_clear();
        return 0;
    }
    st_decided[base.d]++;
    static built vb;

    /* 5b. account IDs are names: exchanging two of them everywhere changes
     * nothing (the long resource is shared, so skip it) */
    if (strlen(w.resource) < 1000) {
        static world sw;
        swap_world(&w, &sw);
        variant sv = plain;
        sv.swap_accounts = 1;
        cur_world = &sw;
        result sr = run_variant(&sw, &sv, &vb);
        expect_same(base, sr, &vb, "exchanging two account IDs everywhere changed the result");
        built_free(&vb);
        cur_world = &w;
    }

    /* 5. order does not matter */
    variant rev = plain;
    rev.reverse = 1;
    result r = run_variant(&w, &rev, &vb);
    expect_same(base, r, &vb, "reversing statement, policy and context order changed the result");
    built_free(&vb);

    /* 2. one more Deny statement, in a layer the principal may have */
    {
        iam_policy_type layers[7];
        int nl = 0;
        if (has_identity_layer(w.kind)) {
            layers[nl++] = IAM_POLICY_IDENTITY;
            layers[nl++] = IAM_POLICY_BOUNDARY;
        }
        if (may_have_session(w.kind))
            layers[nl++] = IAM_POLICY_SESSION;
        layers[nl++] = IAM_POLICY_RESOURCE;
        layers[nl++] = IAM_POLICY_SCP;
        layers[nl++] = IAM_POLICY_RCP;
        variant add = plain;
        add.add_type = layers[pick(&s, (size_t)nl)];
        add.add = 1 + chance(&s, 40);
        add.add_index = (int)pick(&s, MAX_LEVELS);
        if (add.add_type == IAM_POLICY_IDENTITY && add.add == 1 && w.n_identity > 0)
            add.add_index %= w.n_identity;
        else if (add.add_type == IAM_POLICY_IDENTITY)
            add.add = 2;
        else if (add.add_type == IAM_POLICY_SCP || add.add_type == IAM_POLICY_RCP) {
            int levels = add.add_type == IAM_POLICY_SCP ? w.scp_levels : w.rcp_levels;
            add.add_index = levels ? add.add_index % levels : 0;
        }
        int is_deny;
        add.extra = gen_statement(&s, &w, add.add_type, 1, &is_deny);
        if (add.extra != NULL) {
            r = run_variant(&w, &add, &vb);
            if (r.out == OUT_DECIDED) {
                if (base.d != IAM_ALLOWED && r.d == IAM_ALLOWED)
                    die("adding a Deny statement turned a deny into an allow", &vb, result_word(base));
                if (base.d == IAM_EXPLICIT_DENY && r.d != IAM_EXPLICIT_DENY)
                    die("adding a Deny statement removed an explicit deny", &vb, result_word(r));
            }
            built_free(&vb);
        }
    }

    /* 2b. one more Allow statement in a policy that exists: never takes an
     * allow away, never lifts an explicit deny. */
    {
        iam_policy_type layers[6];
        int nl = 0;
        if (w.n_identity > 0)
            layers[nl++] = IAM_POLICY_IDENTITY;
        if (w.has_boundary)
            layers[nl++] = IAM_POLICY_BOUNDARY;
        if (w.has_session)
            layers[nl++] = IAM_POLICY_SESSION;
        if (w.has_resource)
            layers[nl++] = IAM_POLICY_RESOURCE;
        if (w.scp_levels > 0)
            layers[nl++] = IAM_POLICY_SCP;
        if (nl > 0) {
            variant add = plain;
            add.add_type = layers[pick(&s, (size_t)nl)];
            add.add = 1;
            add.add_index = (int)pick(&s, MAX_LEVELS);
            if (add.add_type == IAM_POLICY_IDENTITY)
                add.add_index %= w.n_identity;
            else if (add.add_type == IAM_POLICY_SCP)
                add.add_index %= w.scp_levels;
            int is_deny;
            add.extra = gen_statement(&s, &w, add.add_type, 2, &is_deny);
            r = run_variant(&w, &add, &vb);
            if (r.out == OUT_DECIDED) {
                if (base.d == IAM_ALLOWED && r.d != IAM_ALLOWED)
                    die("adding an Allow statement took an allow away", &vb, result_word(r));
                if (base.d == IAM_EXPLICIT_DENY && r.d != IAM_EXPLICIT_DENY)
                    die("adding an Allow statement lifted an explicit deny", &vb, result_word(r));
            }
            built_free(&vb);
        }
    }

    /* 3. no Allow statements in identity, boundary, session, resource */
    {
        variant strip = plain;
        strip.strip_allows = 1;
        r = run_variant(&w, &strip, &vb);
        char tmp[32];
        const char *racct = resource_account_of(&w, tmp, sizeof tmp);
        int root_at_home = w.kind == K_ROOT && racct && w.account && strcmp(racct, w.account) == 0;
        if (r.out == OUT_DECIDED && r.d == IAM_ALLOWED && !step0_exempt(&w) && !root_at_home)
            die("allowed without any Allow statement in identity, boundary, session or resource policies", &vb,
                NULL);
        if (r.out == OUT_DECIDED && base.d == IAM_EXPLICIT_DENY && r.d != IAM_EXPLICIT_DENY)
            die("removing Allow statements removed an explicit deny", &vb, result_word(r));
        built_free(&vb);
    }

    /* 4. deny everything */
    {
        variant all = plain;
        if (has_identity_layer(w.kind)) {
            all.add = 2;
            all.add_type = IAM_POLICY_IDENTITY;
            all.extra = "{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}";
            r = run_variant(&w, &all, &vb);
            if (r.out == OUT_DECIDED && r.d != IAM_EXPLICIT_DENY && !step0_exempt(&w))
                die("an identity Deny of every action and resource is not an explicit deny", &vb, result_word(r));
            built_free(&vb);
        }
        if (!has_identity_layer(w.kind) || chance(&s, 30)) {
            all.add = 1;
            all.add_type = IAM_POLICY_RESOURCE;
            all.extra = "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}";
            r = run_variant(&w, &all, &vb);
            if (r.out == OUT_DECIDED && r.d != IAM_EXPLICIT_DENY && !step0_exempt(&w))
                die("a resource-policy Deny of everything to \"*\" is not an explicit deny", &vb, result_word(r));
            built_free(&vb);
        }
    }

    /* 6. threads, on a sample */
    if (hash_input(data, size) % 64 == 0) {
        st_threads++;
        check_threads(&w, &base_built, base);
    }

    /* 1 again: the scratch has served other sets since */
    expect_same(base, decide(&base_built, &req, scratch), &base_built,
                "evaluation differs after the scratch served other sets");
    built_free(&base_built);
    cache_clear();
    return 0;
}
