/* Fuzz target: arbitrary bytes through iam_policy_parse, for every policy type.
 *
 * The whole input is parsed once as each of the six policy types. Checked on
 * every parse (abort() on a violation, after printing the input):
 *   - exactly one of: IAM_OK with a non-NULL policy whose type is the one
 *     asked for; or an error status (JSON, POLICY, LIMIT, NOMEM) with *out
 *     NULL, err.code equal to the status and a non-empty message;
 *   - an error position, when given, lies inside the input (line at most the
 *     number of lines, column at most the line's length + 1);
 *   - iam_error_format never overflows and names the position.
 * A policy that parses is compiled into a policy set in the layer of its type
 * (SCPs and RCPs as level 0 of one level) and one fixed request, valid for
 * every layer (a role session in the resource's account), is decided twice:
 * IAM_OK, a decision of the three, the same both times.
 *
 * The input is also parsed as an identity policy under tight limits: a
 * document the tight limits accept must be accepted by the defaults, with the
 * same statement count (limits only ever add rejections).
 *
 * Sanitizers catch crashes, leaks and undefined behaviour. Build: see the
 * Makefile (fuzz_policy under libFuzzer, replay_policy with fuzz/replay.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iameval.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const uint8_t *cur_data;
static size_t cur_size;
static iam_scratch *scratch;
/* IAMFUZZ_TOLERATE=multiline (environment) skips the one-line message check,
 * to keep exploring while a known engine bug awaits its fix. */
static int tolerate_multiline;

static void die(const char *what, iam_policy_type type, const iam_error *err)
{
    fprintf(stderr, "fuzz_policy: %s (type %s)\n", what, iam_policy_type_name(type));
    if (err) {
        char buf[1024];
        fprintf(stderr, "  error: code %d, %s\n", (int)err->code, iam_error_format(err, buf, sizeof buf));
    }
    fprintf(stderr, "input (%zu bytes):\n", cur_size);
    fwrite(cur_data, 1, cur_size, stderr);
    fprintf(stderr, "\ninput in hex:");
    print_hex(cur_data, cur_size);
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tol = getenv("IAMFUZZ_TOLERATE");
    tolerate_multiline = tol != NULL && strstr(tol, "multiline") != NULL;
    if (iam_scratch_create(&scratch, NULL) != IAM_OK) {
        fprintf(stderr, "fuzz_policy: cannot create a scratch\n");
        abort();
    }
    return 0;
}

static const iam_str ctx_values_tags[] = {{"team", 4}, {"env", 3}};
static const iam_str ctx_value_ip = {"203.0.113.7", 11};
static const iam_str ctx_value_true = {"true", 4};
static const iam_str ctx_value_time = {"2024-06-01T12:00:00Z", 20};
static const iam_str ctx_value_team = {"red", 3};
static const iam_str ctx_value_prefix = {"home/alice/", 11};
static const iam_context_entry fixed_context[] = {
    {{"aws:SourceIp", 12}, &ctx_value_ip, 1, 0},
    {{"aws:MultiFactorAuthPresent", 26}, &ctx_value_true, 1, 0},
    {{"aws:CurrentTime", 15}, &ctx_value_time, 1, 0},
    {{"aws:TagKeys", 11}, ctx_values_tags, 2, 1},
    {{"aws:PrincipalTag/team", 21}, &ctx_value_team, 1, 0},
    {{"s3:prefix", 9}, &ctx_value_prefix, 1, 0},
};

#define S(lit) {lit, sizeof lit - 1}

/* A role session may have every layer [E-I1]; same account as the bucket. */
static const iam_request fixed_requests[2] = {
    {S("arn:aws:sts::111122223333:assumed-role/AppRole/alice"), S("s3:GetObject"),
     S("arn:aws:s3:::example-bucket/home/alice/notes.txt"), S("111122223333"), fixed_context,
     sizeof fixed_context / sizeof *fixed_context, {NULL, 0}, {NULL, 0}},
    {S("arn:aws:sts::111122223333:assumed-role/AppRole/alice"), S("kms:Decrypt"),
     S("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"), {NULL, 0},
     fixed_context, 3, {NULL, 0}, {NULL, 0}},
};

/* The position of an error must lie inside the input. */
static void check_position(const iam_error *err, iam_policy_type type)
{
    if (err->line == 0)
        return;
    if (err->column == 0)
        die("error with a line but column 0", type, err);
    uint32_t line = 1;
    size_t start = 0;
    for (size_t k = 0; k < cur_size && line < err->line; k++)
        if (cur_data[k] == '\n') {
            line++;
            start = k + 1;
        }
    if (line < err->line)
        die("error line beyond the end of the input", type, err);
    size_t end = start;
    while (end < cur_size && cur_data[end] != '\n')
        end++;
    /* columns count characters, so at most the bytes of the line + 1 */
    if (err->column > end - start + 1)
        die("error column beyond the end of its line", type, err);
}

static void check_failure(iam_status s, const iam_policy *p, const iam_error *err, iam_policy_type type)
{
    if (p != NULL)
        die("error status but a policy was returned", type, err);
    if (s != IAM_ERR_JSON && s != IAM_ERR_POLICY && s != IAM_ERR_LIMIT && s != IAM_ERR_NOMEM)
        die("unexpected error status", type, err);
    if (err->code != s)
        die("err.code differs from the returned status", type, err);
    if (err->message[0] == '\0' || memchr(err->message, '\0', sizeof err->message) == NULL)
        die("error without a message", type, err);
    char line[1024];
    iam_error_format(err, line, sizeof line);
    if (!tolerate_multiline && strpbrk(line, "\n\r") != NULL)
        die("formatted error is not one line", type, err);
    check_position(err, type);
    char buf[64]; /* small on purpose: truncation must be safe */
    iam_error_format(err, buf, sizeof buf);
    if (memchr(buf, '\0', sizeof buf) == NULL)
        die("iam_error_format did not terminate", type, err);
    char full[1024];
    iam_error_format(err, full, sizeof full);
    if (strncmp(full, "fuzz:", 5) != 0)
        die("formatted error does not name the source", type, err);
}

static void evaluate(const iam_policy *p, iam_policy_type type)
{
    iam_setup *setup;
    iam_error err;
    if (iam_setup_create(&setup) != IAM_OK)
        die("iam_setup_create failed", type, NULL);
    unsigned level = 0;
    if (type == IAM_POLICY_SCP || type == IAM_POLICY_RCP) {
        if (iam_setup_set_levels(setup, type, 1, &err) != IAM_OK)
            die("iam_setup_set_levels failed", type, &err);
    }
    if (iam_setup_add(setup, p, level, &err) != IAM_OK)
        die("iam_setup_add failed", type, &err);
    iam_policy_set *set;
    if (iam_policy_set_compile(&set, setup, NULL, &err) != IAM_OK)
        die("iam_policy_set_compile failed", type, &err);
    iam_setup_free(setup);
    for (size_t r = 0; r < 2; r++) {
        iam_decision d1 = (iam_decision)99, d2 = (iam_decision)98;
        iam_status s1 = iam_evaluate(set, &fixed_requests[r], scratch, &d1, &err);
        if (s1 != IAM_OK)
            die("iam_evaluate failed on a valid request", type, &err);
        if (d1 != IAM_ALLOWED && d1 != IAM_IMPLICIT_DENY && d1 != IAM_EXPLICIT_DENY)
            die("decision is none of the three", type, NULL);
        iam_status s2 = iam_evaluate(set, &fixed_requests[r], scratch, &d2, &err);
        if (s2 != s1 || d2 != d1)
            die("second evaluation differs", type, &err);
    }
    iam_policy_set_free(set);
}

static const iam_policy_type all_types[6] = {IAM_POLICY_IDENTITY, IAM_POLICY_BOUNDARY, IAM_POLICY_SESSION,
                                             IAM_POLICY_RESOURCE, IAM_POLICY_SCP, IAM_POLICY_RCP};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (scratch == NULL)
        LLVMFuzzerInitialize(NULL, NULL);
    cur_data = data;
    cur_size = size;
    const char *text = size ? (const char *)data : "";
    size_t identity_statements = 0;
    int identity_ok = 0;
    for (size_t t = 0; t < 6; t++) {
        iam_policy_type type = all_types[t];
        iam_policy *p = (iam_policy *)&p; /* must be overwritten */
        iam_error err;
        memset(&err, 0x5A, sizeof err);
        iam_status s = iam_policy_parse(&p, text, size, type, "fuzz", NULL, &err);
        if (s == IAM_OK) {
            if (p == NULL)
                die("IAM_OK but no policy", type, NULL);
            if (iam_policy_get_type(p) != type)
                die("policy has another type", type, NULL);
            if (iam_policy_get_name(p) == NULL)
                die("policy name is NULL", type, NULL);
            size_t n = iam_policy_statement_count(p);
            if (n > 10000)
                die("more statements than max_statements", type, NULL);
            if (type == IAM_POLICY_IDENTITY) {
                identity_ok = 1;
                identity_statements = n;
            }
            evaluate(p, type);
            iam_policy_free(p);
        } else {
            check_failure(s, p, &err, type);
        }
    }

    /* Tight limits only add rejections. */
    iam_limits tight;
    iam_limits_init(&tight);
    tight.max_document_bytes = 4096;
    tight.max_depth = 6;
    tight.max_statements = 4;
    tight.max_values = 4;
    tight.max_pattern_bytes = 48;
    tight.max_wildcards = 3;
    iam_policy *p = NULL;
    iam_error err;
    iam_status s = iam_policy_parse(&p, text, size, IAM_POLICY_IDENTITY, "fuzz", &tight, &err);
    if (s == IAM_OK) {
        if (!identity_ok)
            die("accepted under tight limits but rejected under the defaults", IAM_POLICY_IDENTITY, NULL);
        if (iam_policy_statement_count(p) != identity_statements)
            die("statement count depends on the limits", IAM_POLICY_IDENTITY, NULL);
        if (iam_policy_statement_count(p) > tight.max_statements)
            die("more statements than the tight max_statements", IAM_POLICY_IDENTITY, NULL);
        iam_policy_free(p);
    } else {
        check_failure(s, p, &err, IAM_POLICY_IDENTITY);
        if (size > tight.max_document_bytes && s != IAM_ERR_LIMIT)
            die("oversized document not rejected with IAM_ERR_LIMIT", IAM_POLICY_IDENTITY, &err);
    }
    return 0;
}
