/* Differential fuzzer of iam_batch_decide's line reader.
 *
 * The input is one request line, decided against a fixed small SETUP. It is
 * also read by jansson (JSON_REJECT_DUPLICATES):
 *  - jansson rejects it: the line's status must be IAM_ERR_JSON (or
 *    IAM_ERR_LIMIT, past what the reader checks for duplicates);
 *  - jansson accepts it: the status must not be IAM_ERR_JSON, except for
 *    nesting beyond limits.max_depth (only our readers limit it) and a NUL
 *    byte after a number (jansson drops it: see jansson_drops_nul); and if
 *    it is an object of the line's members, the scenario made of the
 *    SETUP's policy fields and the line (FORMAT.md, Batches [D-V4]), read by
 *    iam_scenario_file_parse, must get the same decision, or both an error.
 * Every error must carry a one-line message and a position in the line,
 * and never be the reader's internal "rejected by the request reader"
 * fallback.
 *
 * A disagreement prints the input in hex on stderr and aborts.
 * Build: see the Makefile (fuzz_batch_line under libFuzzer, replay_batch_line
 * with fuzz/replay.c for sanitizer builds without libFuzzer). */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "iameval.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ALLOW(action) "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"" action \
                      "\",\"Resource\":\"*\"}}"

/* Identity policies with conditions and a variable, a boundary, SCPs, an
 * RCP, the setup's own resource policy, and two picked by id (one null). */
static const char SETUP[] =
    "{\"identity_policies\":[" ALLOW("s3:*") ","
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"s3:Put*\",\"Resource\":\"*\","
    "\"Condition\":{\"NotIpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"2001:db8::/32\"]}}},"
    "{\"Effect\":\"Allow\",\"Action\":\"sqs:*\",\"Resource\":\"arn:aws:sqs:*:*:${aws:username}-*\"},"
    "{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"ForAnyValue:StringLike\":"
    "{\"aws:TagKeys\":[\"lock*\",\"\\u00e9t?\"]},\"Bool\":{\"aws:SecureTransport\":\"true\"}}}]}],"
    "\"permissions_boundary\":{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
    "\"NotAction\":\"iam:*\",\"Resource\":\"*\"}},"
    "\"scps\":[[" ALLOW("*") "],[" ALLOW("*") ",{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\","
    "\"Action\":\"sqs:DeleteQueue\",\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":"
    "{\"aws:PrincipalTag/team\":\"ops\"}}}}]],"
    "\"rcps\":[[{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"Principal\":\"*\","
    "\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"StringNotEqualsIfExists\":"
    "{\"aws:PrincipalOrgID\":\"o-123\"}}}}]],"
    "\"resource_policy\":{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"Principal\":\"*\","
    "\"Action\":\"s3:DeleteObject\",\"Resource\":\"*\"}},"
    "\"resource_policies\":{\"rp1\":{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
    "\"Principal\":{\"AWS\":\"444455556666\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}},"
    "\"rp2\":null}}";

static iam_batch_setup *setup;
static iam_batch_reader *reader;
static iam_scratch *scratch;
static json_t *setup_json;

static const uint8_t *cur_data;
static size_t cur_size;

static void die(const char *what)
{
    fprintf(stderr, "fuzz_batch_line: %s\ninput (%zu bytes):", what, cur_size);
    print_hex(cur_data, cur_size);
    abort();
}

/* libiameval's engine/json.c exports a json_object_get of its own, which
 * wins at link time: jansson's is reached by its other name. */
static json_t *jget(const json_t *object, const char *key)
{
    return json_object_getn(object, key, strlen(key));
}

/* jansson lexes numbers and true/false/null one byte ahead and ungets that
 * byte into a buffer where NUL means "empty", so a NUL right after one of
 * them vanishes: it accepts "2\0" and "[null\0]". NUL is no JSON
 * whitespace; our readers (and json.c) refuse it. A known difference. */
static int jansson_drops_nul(const uint8_t *d, size_t n)
{
    for (size_t k = 1; k < n; k++) {
        uint8_t c = d[k - 1];
        if (d[k] == 0 && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
            return 1;
    }
    return 0;
}

static void init(void)
{
    if (setup != NULL)
        return;
    iam_error err;
    char msg[1024];
    if (iam_batch_setup_parse(&setup, SETUP, strlen(SETUP), "setup", NULL, &err) != IAM_OK) {
        fprintf(stderr, "%s\n", iam_error_format(&err, msg, sizeof msg));
        abort();
    }
    if (iam_batch_reader_create(&reader, NULL) != IAM_OK || iam_scratch_create(&scratch, NULL) != IAM_OK)
        abort();
    setup_json = json_loads(SETUP, JSON_REJECT_DUPLICATES, NULL);
    if (setup_json == NULL)
        abort();
}

static int is_line_member(const char *key)
{
    return strcmp(key, "name") == 0 || strcmp(key, "request") == 0 || strcmp(key, "resource_policy") == 0 ||
           strcmp(key, "expect") == 0;
}

/* The scenario text of an accepted line, or NULL when the line cannot be
 * one (it is not an object of line members, or picks its resource policy
 * in a way only a batch can): *must_fail then says whether the batch had
 * to refuse it. */
static char *scenario_of(json_t *line, int *must_fail)
{
    *must_fail = 0;
    if (!json_is_object(line))
        return NULL;
    const char *key;
    json_t *v;
    json_object_foreach(line, key, v) {
        if (!is_line_member(key))
            return NULL;
    }
    json_t *rp = jget(setup_json, "resource_policy");
    json_t *pick = jget(line, "resource_policy");
    if (pick != NULL && !json_is_null(pick)) {
        json_t *map = jget(setup_json, "resource_policies");
        if (!json_is_string(pick) ||
            (rp = json_object_getn(map, json_string_value(pick), json_string_length(pick))) == NULL) {
            *must_fail = 1;
            return NULL;
        }
    }
    json_t *sc = json_object();
    static const char *const fields[] = {"identity_policies", "permissions_boundary", "session_policy", "scps",
                                         "rcps"};
    for (size_t k = 0; k < sizeof fields / sizeof *fields; k++)
        if ((v = jget(setup_json, fields[k])) != NULL)
            json_object_set(sc, fields[k], v);
    json_object_set(sc, "resource_policy", rp);
    static const char *const copied[] = {"name", "request", "expect"};
    for (size_t k = 0; k < 3; k++)
        if ((v = jget(line, copied[k])) != NULL)
            json_object_set(sc, copied[k], v);
    char *text = json_dumps(sc, JSON_COMPACT);
    json_decref(sc);
    return text;
}

static void compare_with_scenario(const iam_batch_result *r, json_t *line)
{
    int must_fail;
    char *text = scenario_of(line, &must_fail);
    if (text == NULL) {
        if (must_fail && r->status == IAM_OK)
            die("a resource_policy the setup cannot give was accepted");
        return;
    }
    iam_scenario_file *sf;
    if (iam_scenario_file_parse(&sf, text, strlen(text), 0, "scenario", NULL, NULL) != IAM_OK) {
        /* A name or expect the scenario file refuses outright. */
        if (r->status == IAM_OK)
            die("the scenario file is refused but the line was decided");
        free(text);
        return;
    }
    const iam_scenario *sc = iam_scenario_file_get(sf, 0);
    iam_decision d = IAM_IMPLICIT_DENY;
    iam_status s = iam_scenario_run(sc, scratch, &d, NULL);
    if ((s == IAM_OK) != (r->status == IAM_OK)) {
        fprintf(stderr, "scenario %s, line %s (%s)\n", s == IAM_OK ? iam_decision_name(d) : "error",
                r->status == IAM_OK ? iam_decision_name(r->decision) : "error",
                r->status == IAM_OK ? "" : r->error.message);
        die("the line and its scenario disagree on being an error");
    }
    if (s == IAM_OK) {
        if (d != r->decision)
            die("the line and its scenario are decided differently");
        if (iam_scenario_expect(sc) != r->expect)
            die("expect differs from the scenario's");
        const char *name = iam_scenario_name(sc);
        if (r->name.ptr == NULL ? name[0] != '\0'
                                : r->name.len != strlen(name) || memcmp(r->name.ptr, name, r->name.len) != 0)
            die("name differs from the scenario's");
    }
    iam_scenario_file_free(sf);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cur_data = data;
    cur_size = size;
    init();

    iam_batch_result r;
    if (iam_batch_decide(setup, (const char *)data, size, reader, &r) != IAM_OK)
        die("iam_batch_decide returned an error for a line");
    if (r.status != IAM_OK) {
        size_t n = strnlen(r.error.message, sizeof r.error.message);
        if (n == 0 || n == sizeof r.error.message)
            die("error message empty or not terminated");
        if (r.error.line < 1 || r.error.column < 1)
            die("error without a position");
        for (size_t k = 0; k < n; k++)
            if ((unsigned char)r.error.message[k] < 0x20)
                die("error message is not one printable line");
        static const char fallback[] = "the line was rejected by the request reader";
        if (strncmp(r.error.message, fallback, sizeof fallback - 1) == 0)
            die("the shape reader gave up on a line the validator accepts");
        if (r.status != IAM_ERR_JSON && r.status != IAM_ERR_REQUEST && r.status != IAM_ERR_LIMIT)
            die("unexpected status");
    }
    if (r.name.ptr != NULL && memchr(r.name.ptr, '\0', r.name.len) != NULL)
        die("a name holds NUL");

    json_error_t je;
    json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (j == NULL) {
        if (r.status != IAM_ERR_JSON && r.status != IAM_ERR_LIMIT) {
            fprintf(stderr, "jansson: %s at %d:%d; ours: %s\n", je.text, je.line, je.column,
                    iam_status_name(r.status));
            die("jansson rejects a line our reader does not call invalid JSON");
        }
        return 0;
    }
    if (r.status == IAM_ERR_JSON && strstr(r.error.message, "nesting deeper than") == NULL) {
        if (!jansson_drops_nul(data, size)) {
            fprintf(stderr, "ours: %s at %u:%u\n", r.error.message, (unsigned)r.error.line,
                    (unsigned)r.error.column);
            die("jansson accepts a line our reader calls invalid JSON");
        }
    } else {
        compare_with_scenario(&r, j);
    }
    json_decref(j);
    return 0;
}
