/* Batches: iam_batch_setup_* and iam_batch_decide.
 *
 * 1. Every scenario of the public corpus, rewritten as a SETUP and a request
 *    line, must be decided as iam_scenario_run decides it [D-V4] (once with
 *    the resource policy in the SETUP, once picked from resource_policies).
 * 2. Hand-written lines: escapes, Unicode, duplicates, wrong types, unknown
 *    ids and members, missing fields, limits, [E-I1], positions.
 * 3. The line reader against jansson: a table of tricky lines plus every
 *    prefix and many one-byte mutations of a real line. Whenever jansson
 *    rejects a line, its status must be IAM_ERR_JSON; when jansson accepts
 *    it, never IAM_ERR_JSON. */
#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"
#include "iameval.h"

static const char *const POLICY_FIELDS[] = {"identity_policies", "permissions_boundary", "session_policy",
                                            "scps", "rcps", "resource_policy"};

/* libiameval.a defines a json_object_get of its own (engine/json.c) that
 * wins at link time: jansson's is reached by its other name. */
static json_t *jget(const json_t *object, const char *key)
{
    return json_object_getn(object, key, strlen(key));
}

static iam_batch_reader *reader;
static iam_scratch *scratch;
static unsigned scenarios_compared;

/* ---- 1. the conformance corpus ------------------------------------------ */

static char *dump(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* The line of a scenario: name, request (with the scenario-level
 * management_account and federated_by moved into it), expect. */
static json_t *line_of(json_t *sc)
{
    json_t *line = json_object();
    json_t *v;
    if ((v = jget(sc, "name")) != NULL)
        json_object_set(line, "name", v);
    json_t *req = json_deep_copy(jget(sc, "request"));
    if (req != NULL && json_is_object(req)) {
        const char *moved[] = {"management_account", "federated_by"};
        for (size_t k = 0; k < 2; k++)
            if ((v = jget(sc, moved[k])) != NULL)
                json_object_set(req, moved[k], v);
    }
    if (req != NULL)
        json_object_set_new(line, "request", req);
    if ((v = jget(sc, "expect")) != NULL)
        json_object_set(line, "expect", v);
    return line;
}

static json_t *setup_of(json_t *sc, bool resource_in_map)
{
    json_t *setup = json_object();
    for (size_t k = 0; k < sizeof POLICY_FIELDS / sizeof *POLICY_FIELDS; k++) {
        json_t *v = jget(sc, POLICY_FIELDS[k]);
        if (v == NULL)
            continue;
        if (resource_in_map && strcmp(POLICY_FIELDS[k], "resource_policy") == 0) {
            json_t *map = json_object();
            json_object_set(map, "other", json_null());
            json_object_set(map, "the-bucket", v);
            json_object_set_new(setup, "resource_policies", map);
        } else {
            json_object_set(setup, POLICY_FIELDS[k], v);
        }
    }
    return setup;
}

static void compare_scenario(const char *file, size_t index, json_t *sc)
{
    char *sc_text = dump(sc);
    iam_scenario_file *sf;
    iam_error err;
    if (iam_scenario_file_parse(&sf, sc_text, strlen(sc_text), 0, file, NULL, &err) != IAM_OK) {
        free(sc_text);
        return; /* a file-level problem: not a scenario to compare */
    }
    const iam_scenario *s = iam_scenario_file_get(sf, 0);
    iam_decision want_d = IAM_IMPLICIT_DENY;
    iam_status want_s = iam_scenario_run(s, scratch, &want_d, &err);
    bool has_rp = jget(sc, "resource_policy") != NULL &&
                  !json_is_null(jget(sc, "resource_policy"));

    for (int variant = 0; variant < (has_rp ? 2 : 1); variant++) {
        json_t *setup = setup_of(sc, variant == 1);
        json_t *line = line_of(sc);
        if (variant == 1)
            json_object_set_new(line, "resource_policy", json_string("the-bucket"));
        char *setup_text = dump(setup), *line_text = dump(line);
        iam_batch_setup *bs;
        iam_status ss = iam_batch_setup_parse(&bs, setup_text, strlen(setup_text), "setup", NULL, &err);
        iam_status got_s = ss;
        iam_decision got_d = IAM_IMPLICIT_DENY;
        char why[1024] = "";
        if (ss != IAM_OK)
            iam_error_format(&err, why, sizeof why);
        if (ss == IAM_OK) {
            iam_batch_result r;
            CHECK_INT(iam_batch_decide(bs, line_text, strlen(line_text), reader, &r), IAM_OK);
            got_s = r.status;
            got_d = r.decision;
            if (r.status != IAM_OK)
                iam_error_format(&r.error, why, sizeof why);
            CHECK_INT(r.expect, iam_scenario_expect(s));
            if (r.name.ptr != NULL)
                CHECK(r.name.len == strlen(iam_scenario_name(s)) &&
                      memcmp(r.name.ptr, iam_scenario_name(s), r.name.len) == 0);
        }
        bool same = (got_s == IAM_OK) == (want_s == IAM_OK) && (want_s != IAM_OK || got_d == want_d);
        CHECK_NAMED(iam_scenario_name(s), same);
        if (!same)
            fprintf(stderr, "  %s[%zu] variant %d: scenario %s, batch %s %s\n", file, index, variant,
                    want_s == IAM_OK ? iam_decision_name(want_d) : "error",
                    got_s == IAM_OK ? iam_decision_name(got_d) : "error", why);
        scenarios_compared++;
        iam_batch_setup_free(ss == IAM_OK ? bs : NULL);
        free(setup_text);
        free(line_text);
        json_decref(setup);
        json_decref(line);
    }
    iam_scenario_file_free(sf);
    free(sc_text);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void conformance(const char *dir)
{
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (d == NULL)
        return;
    char *names[512];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 512) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        json_error_t je;
        json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
        CHECK(root != NULL);
        if (root != NULL && json_is_array(root)) {
            for (size_t k = 0; k < json_array_size(root); k++)
                compare_scenario(path, k, json_array_get(root, k));
        } else if (root != NULL) {
            compare_scenario(path, 0, root);
        }
        json_decref(root);
        free(names[i]);
    }
}

/* ---- 2. hand-written lines ---------------------------------------------- */

#define ALLOW_S3 "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}"

/* Role sessions allowed s3:* by identity; a resource policy that denies
 * DeleteObject; "open" that allows anyone's GetObject cross-account; the
 * context key aws:SourceIp is tested by an identity Deny. */
static const char SETUP[] =
    "{\"identity_policies\":[" ALLOW_S3 ",{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\","
    "\"Action\":\"s3:PutObject\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":"
    "\"10.0.0.0/8\"}}},{\"Effect\":\"Deny\",\"Action\":\"s3:DeleteBucket\",\"Resource\":\"*\",\"Condition\":"
    "{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":[\"locked\",\"caf\\u00e9\"]}}}]}],"
    "\"resource_policy\":{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\","
    "\"Action\":\"s3:DeleteObject\",\"Resource\":\"*\"}]},"
    "\"resource_policies\":{\"open\":{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
    "\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::shared/*\"}]},"
    "\"none\":null}}";

#define ROLE "arn:aws:sts::111122223333:assumed-role/App/s1"
#define OTHER "arn:aws:sts::444455556666:assumed-role/Visitor/v1"

typedef struct line_case {
    const char *what;
    const char *line;
    iam_status status;
    int decision;            /* for IAM_OK */
    const char *message;     /* a part of the error message, or NULL */
} line_case;

static const line_case LINES[] = {
    {"plain allow", "{\"name\":\"a\",\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\","
     "\"resource\":\"arn:aws:s3:::b/k\"}}", IAM_OK, IAM_ALLOWED, NULL},
    {"resource policy deny",
     "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:DeleteObject\",\"resource\":\"arn:aws:s3:::b/k\"}}",
     IAM_OK, IAM_EXPLICIT_DENY, NULL},
    {"picked resource policy replaces the own one",
     "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:DeleteObject\",\"resource\":\"arn:aws:s3:::b/k\"},"
     "\"resource_policy\":\"open\"}", IAM_OK, IAM_ALLOWED, NULL},
    {"id mapped to null: no resource policy",
     "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:DeleteObject\",\"resource\":\"arn:aws:s3:::b/k\"},"
     "\"resource_policy\":\"none\"}", IAM_OK, IAM_ALLOWED, NULL},
    {"null resource_policy: the own one",
     "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:DeleteObject\",\"resource\":\"arn:aws:s3:::b/k\"},"
     "\"resource_policy\":null}", IAM_OK, IAM_EXPLICIT_DENY, NULL},
    {"cross-account through the picked policy",
     "{\"request\":{\"principal\":\"" OTHER "\",\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::shared/x\","
     "\"resource_account\":\"111122223333\"},\"resource_policy\":\"open\"}", IAM_OK, IAM_ALLOWED, NULL},
    {"escapes in every string",
     "{\"n\\u0061me\":\"\\\"q\\\"\",\"request\":{\"principal\":\"arn:aws:sts::111122223333:assumed-role\\/App\\/s1\","
     "\"action\":\"s3:\\u0047etObject\",\"resource\":\"arn:aws:s3:::b\\/k\"}}", IAM_OK, IAM_ALLOWED, NULL},
    {"whitespace everywhere",
     " \t{ \"request\" :\r\n{ \"principal\" : \"" ROLE "\" , \"action\" : \"s3:GetObject\" , \"resource\" : "
     "\"arn:aws:s3:::b/k\" , \"context\" : { \"k\" : [ ] , \"j\" : [ \"x\" , \"y\" ] } } } \r",
     IAM_OK, IAM_ALLOWED, NULL},
    {"context single value denies",
     "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:PutObject\",\"resource\":\"arn:aws:s3:::b/k\","
     "\"context\":{\"aws:SourceIp\":\"10.1.2.3\"}}}", IAM_OK, IAM_EXPLICIT_DENY, NULL},
    {"context key case-insensitive",
     "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:PutObject\",\"resource\":\"arn:aws:s3:::b/k\","
     "\"context\":{\"AWS:SOURCEIP\":\"10.1.2.3\"}}}", IAM_OK, IAM_EXPLICIT_DENY, NULL},
    {"unicode value, raw",
     "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:DeleteBucket\",\"resource\":\"arn:aws:s3:::b\","
     "\"context\":{\"aws:TagKeys\":[\"x\",\"caf\xc3\xa9\"]}}}", IAM_OK, IAM_EXPLICIT_DENY, NULL},
    {"unicode value, escaped",
     "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:DeleteBucket\",\"resource\":\"arn:aws:s3:::b\","
     "\"context\":{\"aws:TagKeys\":[\"caf\\u00E9\"]}}}", IAM_OK, IAM_EXPLICIT_DENY, NULL},
    {"unicode value, other",
     "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:DeleteBucket\",\"resource\":\"arn:aws:s3:::b\","
     "\"context\":{\"aws:TagKeys\":[\"cafe\",\"\\ud83d\\ude00\"]}}}", IAM_OK, IAM_ALLOWED, NULL},
    {"expect and name null are fine",
     "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\",\"resource\":\"*\"},\"expect\":null}",
     IAM_OK, IAM_ALLOWED, NULL},
    {"absent optional strings as null",
     "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\",\"resource\":\"*\","
     "\"resource_account\":null,\"context\":null,\"management_account\":null,\"federated_by\":null}}",
     IAM_OK, IAM_ALLOWED, NULL},

    {"duplicate line member", "{\"name\":\"a\",\"name\":\"b\",\"request\":{}}", IAM_ERR_JSON, 0,
     "duplicate member \"name\""},
    {"duplicate through an escape",
     "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\",\"resource\":\"*\"},\"requ\\u0065st\":1}",
     IAM_ERR_JSON, 0, "duplicate member"},
    {"duplicate request member",
     "{\"request\":{\"principal\":\"" ROLE "\",\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\","
     "\"resource\":\"*\"}}", IAM_ERR_JSON, 0, "duplicate member \"principal\""},
    {"duplicate context key",
     "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\",\"resource\":\"*\","
     "\"context\":{\"k\":\"1\",\"k\":\"2\"}}}", IAM_ERR_JSON, 0, "duplicate member \"k\""},
    {"context keys equal ignoring case",
     "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\",\"resource\":\"*\","
     "\"context\":{\"k\":\"1\",\"K\":\"2\"}}}", IAM_ERR_REQUEST, 0, "[C-K2]"},
    {"unknown id and a duplicate context key",
     "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\",\"resource\":\"*\","
     "\"context\":{\"k\":\"1\",\"k\":\"2\"}},\"resource_policy\":\"rp3\"}", IAM_ERR_JSON, 0, "duplicate member \"k\""},
    {"duplicate inside an unknown member", "{\"x\":{\"a\":1,\"a\":2},\"request\":{}}", IAM_ERR_JSON, 0,
     "duplicate member \"a\""},
    {"invalid JSON after a type error", "{\"name\":5,\"request\":{} x", IAM_ERR_JSON, 0, "expected ','"},
    {"truncated", "{\"request\":{\"principal\":\"" ROLE, IAM_ERR_JSON, 0, "unexpected end of input"},
    {"empty", "", IAM_ERR_JSON, 0, "empty input"},
    {"blank", "  \r", IAM_ERR_JSON, 0, "empty input"},
    {"not an object", "[1,2]", IAM_ERR_REQUEST, 0, "must be a JSON object"},
    {"trailing garbage", "{\"request\":{}}}", IAM_ERR_JSON, 0, "after the JSON value"},
    {"trailing comma", "{\"request\":{},}", IAM_ERR_JSON, 0, NULL},
    {"invalid UTF-8", "{\"name\":\"\xc0\xaf\",\"request\":{}}", IAM_ERR_JSON, 0, "invalid UTF-8"},
    {"surrogate encoded in UTF-8", "{\"name\":\"\xed\xa0\x80\",\"request\":{}}", IAM_ERR_JSON, 0, "invalid UTF-8"},
    {"lone surrogate escape", "{\"name\":\"\\ud800\",\"request\":{}}", IAM_ERR_JSON, 0, "unpaired surrogate"},
    {"NUL escape", "{\"name\":\"a\\u0000\",\"request\":{}}", IAM_ERR_JSON, 0, "\\u0000"},
    {"raw tab in string", "{\"name\":\"a\tb\",\"request\":{}}", IAM_ERR_JSON, 0, "control character"},
    {"bad escape", "{\"name\":\"a\\x\",\"request\":{}}", IAM_ERR_JSON, 0, "invalid escape \\x"},
    {"big number", "{\"x\":1e999,\"request\":{}}", IAM_ERR_JSON, 0, "out of range"},
    {"big integer", "{\"x\":-9223372036854775809,\"request\":{}}", IAM_ERR_JSON, 0, "out of range"},

    {"wrong type: principal", "{\"request\":{\"principal\":5,\"action\":\"s3:GetObject\",\"resource\":\"*\"}}",
     IAM_ERR_REQUEST, 0, "must be a string"},
    {"wrong type: context value",
     "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\",\"resource\":\"*\","
     "\"context\":{\"k\":true}}}", IAM_ERR_REQUEST, 0, "[C-K1]"},
    {"wrong type: context list item",
     "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\",\"resource\":\"*\","
     "\"context\":{\"k\":[\"a\",1]}}}", IAM_ERR_REQUEST, 0, "[C-K1]"},
    {"wrong type: context", "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\","
     "\"resource\":\"*\",\"context\":[]}}", IAM_ERR_REQUEST, 0, "object of condition keys"},
    {"wrong type: request", "{\"request\":\"x\"}", IAM_ERR_REQUEST, 0, "request object"},
    {"wrong type: name", "{\"name\":[],\"request\":{}}", IAM_ERR_REQUEST, 0, "name must be a string"},
    {"wrong type: resource_policy", "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\","
     "\"resource\":\"*\"},\"resource_policy\":1}", IAM_ERR_REQUEST, 0, "must be a string"},
    {"unknown expect word", "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\","
     "\"resource\":\"*\"},\"expect\":\"deny\"}", IAM_ERR_REQUEST, 0, "expect must be"},
    {"unknown resource_policy id", "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\","
     "\"resource\":\"*\"},\"resource_policy\":\"closed\"}", IAM_ERR_REQUEST, 0, "unknown resource_policy \"closed\""},
    {"missing request", "{\"name\":\"a\"}", IAM_ERR_REQUEST, 0, "request object"},
    {"missing principal", "{\"request\":{\"action\":\"s3:GetObject\",\"resource\":\"*\"}}", IAM_ERR_REQUEST, 0,
     "needs this string"},
    {"null action", "{\"request\":{\"principal\":\"" ROLE "\",\"action\":null,\"resource\":\"*\"}}",
     IAM_ERR_REQUEST, 0, "needs this string"},
    {"unknown line member", "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\","
     "\"resource\":\"*\"},\"identity_policies\":[]}", IAM_ERR_REQUEST, 0, "unknown line field \"identity_policies\""},
    {"unknown request member", "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\","
     "\"resource\":\"*\",\"Principal\":\"x\"}}", IAM_ERR_REQUEST, 0, "unknown request field \"Principal\""},
    {"invalid action", "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:Get*\",\"resource\":\"*\"}}",
     IAM_ERR_REQUEST, 0, "invalid action"},
    {"unrecognised principal", "{\"request\":{\"principal\":\"bob\",\"action\":\"s3:GetObject\",\"resource\":\"*\"}}",
     IAM_ERR_REQUEST, 0, "unrecognised principal"},
};

static bool contains(const char *hay, const char *needle)
{
    return needle == NULL || strstr(hay, needle) != NULL;
}

static void hand_written(void)
{
    iam_batch_setup *bs;
    iam_error err;
    char msg[1024];
    iam_status s = iam_batch_setup_parse(&bs, SETUP, strlen(SETUP), "setup.json", NULL, &err);
    CHECK_INT(s, IAM_OK);
    if (s != IAM_OK) {
        fprintf(stderr, "  %s\n", iam_error_format(&err, msg, sizeof msg));
        return;
    }
    for (size_t k = 0; k < sizeof LINES / sizeof *LINES; k++) {
        const line_case *c = &LINES[k];
        iam_batch_result r;
        memset(&r, 0x5A, sizeof r);   /* garbage, to see every field written */
        CHECK_INT(iam_batch_decide(bs, c->line, strlen(c->line), reader, &r), IAM_OK);
        bool ok = r.status == c->status && (c->status != IAM_OK || (int)r.decision == c->decision) &&
                  (c->status == IAM_OK || (contains(r.error.message, c->message) && r.error.line >= 1 &&
                                           r.error.column >= 1));
        CHECK_NAMED(c->what, ok);
        if (!ok)
            fprintf(stderr, "  got %s %s: %s\n", iam_status_name(r.status),
                    r.status == IAM_OK ? iam_decision_name(r.decision) : "",
                    r.status == IAM_OK ? "" : iam_error_format(&r.error, msg, sizeof msg));
    }

    /* The name is decoded and outlives the line. */
    char *line = strdup("{\"name\":\"caf\\u00e9 \\\"1\\\"\",\"request\":{\"principal\":\"" ROLE "\","
                        "\"action\":\"s3:GetObject\",\"resource\":\"*\"},\"expect\":\"allowed\"}");
    iam_batch_result r;
    iam_batch_decide(bs, line, strlen(line), reader, &r);
    memset(line, 'x', strlen(line));
    free(line);
    CHECK(r.name.len == 9 && memcmp(r.name.ptr, "caf\xc3\xa9 \"1\"", 9) == 0);
    CHECK_INT(r.expect, IAM_EXPECT_ALLOWED);
    line = strdup("{\"name\":\"plain\",\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\","
                  "\"resource\":\"*\"}}");
    iam_batch_decide(bs, line, strlen(line), reader, &r);
    memset(line, 'x', strlen(line));
    free(line);
    CHECK(r.name.len == 5 && memcmp(r.name.ptr, "plain", 5) == 0);
    CHECK(r.expect == IAM_EXPECT_NONE);

    /* name and expect are known even after an earlier problem. */
    const char *late = "{\"bogus\":1,\"name\":\"n1\",\"request\":{},\"expect\":\"error\"}";
    iam_batch_decide(bs, late, strlen(late), reader, &r);
    CHECK_INT(r.status, IAM_ERR_REQUEST);
    CHECK_INT(r.expect, IAM_EXPECT_ERROR);
    CHECK(r.name.ptr != NULL && r.name.len == 2 && memcmp(r.name.ptr, "n1", 2) == 0);
    CHECK_STR(r.error.path, "$");
    CHECK_INT(r.error.column, 2);

    /* Positions are in the line, columns in characters. */
    const char *pos = "{\"name\":\"\xc3\xa9\xc3\xa9\", \"request\":5}";
    iam_batch_decide(bs, pos, strlen(pos), reader, &r);
    CHECK_INT(r.status, IAM_ERR_REQUEST);
    CHECK_INT(r.error.line, 1);
    CHECK_INT(r.error.column, 25);
    CHECK_STR(r.error.path, "$.request");
    const char *bad = "{\"name\":\"\xc3\xa9\",\n \"request\":{]}";
    iam_batch_decide(bs, bad, strlen(bad), reader, &r);
    CHECK_INT(r.status, IAM_ERR_JSON);
    CHECK_INT(r.error.line, 2);
    CHECK_INT(r.error.column, 13);
    const char *unk = "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\",\"resource\":\"*\"},"
                      "\"resource_policy\":\"nope\"}";
    iam_batch_decide(bs, unk, strlen(unk), reader, &r);
    CHECK_STR(r.error.path, "$.resource_policy");

    /* API misuse. */
    CHECK_INT(iam_batch_decide(NULL, "{}", 2, reader, &r), IAM_ERR_ARGUMENT);
    CHECK_INT(iam_batch_decide(bs, "{}", 2, NULL, &r), IAM_ERR_ARGUMENT);
    CHECK_INT(iam_batch_decide(bs, NULL, 2, reader, &r), IAM_ERR_ARGUMENT);
    CHECK_INT(iam_batch_decide(bs, "{}", 2, reader, NULL), IAM_ERR_ARGUMENT);
    iam_batch_setup_free(bs);
}

/* A SETUP session policy and an IAM user cannot meet [E-I1] (FORMAT.md). */
static void session_and_user(void)
{
    const char *setup = "{\"identity_policies\":[" ALLOW_S3 "],\"session_policy\":" ALLOW_S3 "}";
    iam_batch_setup *bs;
    CHECK_INT(iam_batch_setup_parse(&bs, setup, strlen(setup), NULL, NULL, NULL), IAM_OK);
    const char *user = "{\"request\":{\"principal\":\"arn:aws:iam::111122223333:user/alice\",\"action\":"
                       "\"s3:GetObject\",\"resource\":\"*\"},\"expect\":\"error\"}";
    const char *role = "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\",\"resource\":\"*\"}}";
    iam_batch_result r;
    iam_batch_decide(bs, user, strlen(user), reader, &r);
    CHECK_INT(r.status, IAM_ERR_REQUEST);
    CHECK(strstr(r.error.message, "[E-I1]") != NULL);
    CHECK_INT(r.error.line, 1);
    CHECK_INT(r.error.column, 12);
    CHECK_INT(r.expect, IAM_EXPECT_ERROR);
    iam_batch_decide(bs, role, strlen(role), reader, &r);
    CHECK_INT(r.status, IAM_OK);
    CHECK_INT(r.decision, IAM_ALLOWED);
    iam_batch_setup_free(bs);
}

static void setup_errors(void)
{
    static const struct {
        const char *text;
        iam_status status;
        uint32_t line, column;
        const char *path;
        const char *message;
    } cases[] = {
        {"{\"identity_policies\":[],\"scp\":[]}", IAM_ERR_REQUEST, 1, 25, "$", "unknown setup field \"scp\""},
        {"{\"identity_policies\":[]\n,}", IAM_ERR_JSON, 2, 2, "", NULL},
        {"[]", IAM_ERR_REQUEST, 1, 1, "$", "JSON object"},
        {"{\"resource_policies\":[]}", IAM_ERR_REQUEST, 1, 22, "$.resource_policies", "must be null or an object"},
        {"{\"resource_policies\":{\"a\":{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
         "\"Action\":\"s3:*\",\"Resource\":\"*\"}}}}",
         IAM_ERR_POLICY, 0, 0, "$.resource_policies.a", NULL},
        {"{\"identity_policies\":[{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Alow\",\"Action\":\"s3:*\","
         "\"Resource\":\"*\"}}]}", IAM_ERR_POLICY, 1, 0, "$.identity_policies[0]", NULL},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        iam_batch_setup *bs = (iam_batch_setup *)&bs;
        iam_error err;
        memset(&err, 0, sizeof err);
        iam_status s = iam_batch_setup_parse(&bs, cases[k].text, strlen(cases[k].text), "s.json", NULL, &err);
        CHECK_INT(s, cases[k].status);
        CHECK(bs == NULL);
        CHECK_STR(err.file, "s.json");
        if (cases[k].line)
            CHECK_INT(err.line, cases[k].line);
        if (cases[k].column)
            CHECK_INT(err.column, cases[k].column);
        CHECK(strncmp(err.path, cases[k].path, strlen(cases[k].path)) == 0);
        CHECK(contains(err.message, cases[k].message));
    }
    iam_batch_setup *bs;
    iam_error err;
    CHECK_INT(iam_batch_setup_load(&bs, "/nonexistent/setup.json", NULL, &err), IAM_ERR_IO);
    CHECK_INT(iam_batch_setup_parse(NULL, "{}", 2, NULL, NULL, &err), IAM_ERR_ARGUMENT);
    /* Empty setup: nothing allows. */
    CHECK_INT(iam_batch_setup_parse(&bs, "{}", 2, NULL, NULL, &err), IAM_OK);
    const char *l = "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:GetObject\",\"resource\":\"*\"}}";
    iam_batch_result r;
    iam_batch_decide(bs, l, strlen(l), reader, &r);
    CHECK(r.status == IAM_OK && r.decision == IAM_IMPLICIT_DENY);
    iam_batch_setup_free(bs);
    iam_batch_setup_free(NULL);
    iam_batch_reader_free(NULL);
}

/* [D-V4]: each line is its own scenario. Nothing carries over from one line
 * to the next through the reader (context keys, errors, the picked
 * resource policy); a malformed policy anywhere in the SETUP fails it whole;
 * a bad line is that line's error only. */
static void lines_are_scenarios(void)
{
    iam_batch_setup *bs;
    CHECK_INT(iam_batch_setup_parse(&bs, SETUP, strlen(SETUP), NULL, NULL, NULL), IAM_OK);
    const char *with_ip = "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:PutObject\","
                          "\"resource\":\"arn:aws:s3:::b/k\",\"context\":{\"aws:SourceIp\":\"10.1.2.3\"}}}";
    const char *without = "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:PutObject\","
                          "\"resource\":\"arn:aws:s3:::b/k\"}}";
    const char *bad = "{\"request\":{\"principal\":\"nobody\",\"action\":\"s3:PutObject\",\"resource\":\"*\"},"
                      "\"name\":\"bad\",\"expect\":\"error\"}";
    const char *picked = "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:DeleteObject\","
                         "\"resource\":\"arn:aws:s3:::b/k\"},\"resource_policy\":\"open\"}";
    const char *own = "{\"request\":{\"principal\":\"" ROLE "\",\"action\":\"s3:DeleteObject\","
                      "\"resource\":\"arn:aws:s3:::b/k\"}}";
    iam_batch_result r;
    iam_batch_decide(bs, with_ip, strlen(with_ip), reader, &r);
    CHECK_NAMED("D-V4", r.status == IAM_OK && r.decision == IAM_EXPLICIT_DENY);
    iam_batch_decide(bs, without, strlen(without), reader, &r);
    CHECK_NAMED("D-V4", r.status == IAM_OK && r.decision == IAM_ALLOWED);
    iam_batch_decide(bs, bad, strlen(bad), reader, &r);
    CHECK_NAMED("D-V4", r.status == IAM_ERR_REQUEST && r.expect == IAM_EXPECT_ERROR);
    iam_batch_decide(bs, without, strlen(without), reader, &r);
    CHECK_NAMED("D-V4", r.status == IAM_OK && r.decision == IAM_ALLOWED && r.expect == IAM_EXPECT_NONE &&
                            r.name.ptr == NULL);
    iam_batch_decide(bs, picked, strlen(picked), reader, &r);
    CHECK_NAMED("D-V4", r.status == IAM_OK && r.decision == IAM_ALLOWED);
    iam_batch_decide(bs, own, strlen(own), reader, &r);
    CHECK_NAMED("D-V4", r.status == IAM_OK && r.decision == IAM_EXPLICIT_DENY);
    iam_batch_setup_free(bs);

    /* A bad policy in resource_policies, never picked by any line, still
     * fails the SETUP. */
    const char *bad_setup = "{\"identity_policies\":[" ALLOW_S3 "],\"resource_policies\":{\"unused\":"
                            "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
                            "\"Resource\":\"*\"}}}}";
    iam_error err;
    bs = NULL;
    CHECK_NAMED("D-V4", iam_batch_setup_parse(&bs, bad_setup, strlen(bad_setup), NULL, NULL, &err) ==
                            IAM_ERR_POLICY && bs == NULL);
}

/* A reader is sized once from its limits; a line beyond them is a limit
 * error for that line only. */
static void limits(void)
{
    iam_limits lim;
    iam_limits_init(&lim);
    lim.max_context_keys = 2;
    lim.max_values = 3;
    lim.max_document_bytes = 300;
    lim.max_depth = 4;
    iam_batch_reader *small;
    CHECK_INT(iam_batch_reader_create(&small, &lim), IAM_OK);
    iam_batch_setup *bs;
    CHECK_INT(iam_batch_setup_parse(&bs, SETUP, strlen(SETUP), NULL, NULL, NULL), IAM_OK);
    static const struct {
        const char *ctx;
        iam_status status;
    } cases[] = {
        {"{\"a\":\"1\",\"b\":[\"2\",\"3\"]}", IAM_OK},
        {"{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}", IAM_ERR_LIMIT},
        {"{\"a\":[\"1\",\"2\",\"3\",\"4\"]}", IAM_ERR_LIMIT},
        {"{\"a\":\"1\",\"b\":[\"2\",\"3\"],\"c\":[]}", IAM_ERR_LIMIT},
        {"{\"a\":[\"1\",\"2\",\"3\",\"4\"],\"b\":[\"2\",\"3\"],\"c\":[],\"d\":[],\"e\":[\"x\"]}", IAM_ERR_LIMIT},
        {"{\"a\":[[]]}", IAM_ERR_JSON},    /* deeper than max_depth, as json.c */
        {"{\"a\":\"" /* longer than max_document_bytes */
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}",
         IAM_ERR_LIMIT},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char line[1024];
        snprintf(line, sizeof line, "{\"request\":{\"principal\":\"%s\",\"action\":\"s3:GetObject\","
                 "\"resource\":\"*\",\"context\":%s}}", ROLE, cases[k].ctx);
        iam_batch_result r;
        CHECK_INT(iam_batch_decide(bs, line, strlen(line), small, &r), IAM_OK);
        CHECK_INT(r.status, cases[k].status);
        if (r.status != cases[k].status)
            fprintf(stderr, "  limits case %zu: %s\n", k, r.error.message);
    }
    iam_batch_setup_free(bs);
    iam_batch_reader_free(small);
}

/* ---- 3. against jansson --------------------------------------------------- */

static const char *const TRICKY[] = {
    "{}", "{", "}", "{\"request\":{}}", "{\"request\":{}} ", "{\"request\":{}}\n", "{\"request\":{}}\x0c",
    "\xef\xbb\xbf{\"request\":{}}", "{\"request\":{}}\0", "{\"request\":{},\"request\":{}}",
    "{\"name\":\"a\\/b\"}", "{\"name\":\"\\uD834\\uDD1E\"}", "{\"name\":\"\\uDD1E\\uD834\"}",
    "{\"name\":\"\\uD834\"}", "{\"name\":\"\\uD834\\u0041\"}", "{\"name\":\"\\uD834\\", "{\"name\":\"\\u12\"}",
    "{\"name\":\"\\u12G4\"}", "{\"name\":\"\\U1234\"}", "{\"name\":\"\\'\"}", "{\"name\":'a'}",
    "{\"name\":\"\x7f\"}", "{\"name\":\"\xf4\x90\x80\x80\"}", "{\"name\":\"\xf0\x9f\x98\x80\"}",
    "{\"name\":\"\xe0\x80\xaf\"}", "{\"name\":\"\xf8\x88\x80\x80\x80\"}", "{\"name\":\"\x80\"}",
    "{\"name\":\"\xc3\"}", "{\"name\":\"\xc3\xa9", "{\"x\":01}", "{\"x\":-}", "{\"x\":-0}", "{\"x\":1.}",
    "{\"x\":.5}", "{\"x\":1e}", "{\"x\":1e+}", "{\"x\":1E-7}", "{\"x\":+1}", "{\"x\":0x10}", "{\"x\":1e309}",
    "{\"x\":-1e309}", "{\"x\":1e-400}", "{\"x\":9223372036854775807}", "{\"x\":9223372036854775808}",
    "{\"x\":-9223372036854775808}", "{\"x\":123456789012345678901234567890}", "{\"x\":tru}", "{\"x\":True}",
    "{\"x\":nul}", "{\"x\":null }", "{\"x\":[1,]}", "{\"x\":[,1]}", "{\"x\":[1 2]}", "{\"x\":{\"a\"}}",
    "{\"x\":{\"a\":}}", "{\"x\":{a:1}}", "{\"x\":{\"a\":1,\"b\":2,\"a\":3}}", "{\"x\":{\"a\":{\"a\":1}}}",
    "{\"x\":[{\"a\":1},{\"a\":1}]}", "{\"x\":{\"\":1,\"\":2}}", "{\"x\":{\"\\u0061\":1,\"a\":2}}",
    "{\"x\":{\"\\u00e9\":1,\"\xc3\xa9\":2}}", "{\"x\":{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}}",
    "{\"x\":{\"a\\/\":1,\"a/\":2}}", "{\"x\":{\"ab\":1,\"a\\b\":2}}",
    "{\"request\":{\"context\":{\"k\":\"v\",\"k\":[\"v\"]}}}", "{\"request\":{\"context\":{\"k\":[\"v\",]}}}",
    "{\"request\":{\"context\":{\"k\":[\"v\" \"w\"]}}}", "{\"request\":{\"context\":{\"k\":[\"v\"}}}",
    "{\"request\":{\"context\":{\"k\" \"v\"}}}", "{\"request\":{\"context\":{,}}}",
    "{\"request\":{\"context\":{\"k\":\"v\"},}}", "{\"request\":{\"principal\":\"a\"\"b\"}}", "{\"name\" :",
    "{\"name\"", "{\"na", "{ ", "{\"name\":\"a\",", "{\"name\":\"a\" ,  ", "\t", "null", "1", "\"s\"", "[]",
    /* 71 levels: deeper than limits.max_depth */
    ("{\"a\":" "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
     "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"),
};

static bool jansson_rejects(const char *s, size_t n)
{
    json_error_t je;
    json_t *j = json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    json_decref(j);
    return j == NULL;
}

static unsigned differential_lines;

static void agree(iam_batch_setup *bs, const char *s, size_t n, const char *what)
{
    iam_batch_result r;
    iam_batch_decide(bs, s, n, reader, &r);
    bool rejects = jansson_rejects(s, n);
    /* Our reader alone limits nesting (max_depth), as json.c does. */
    bool depth = r.status == IAM_ERR_JSON && strstr(r.error.message, "nesting deeper") != NULL;
    bool ok = rejects ? r.status == IAM_ERR_JSON : r.status != IAM_ERR_JSON || depth;
    differential_lines++;
    CHECK_NAMED(what, ok);
    if (!ok) {
        fprintf(stderr, "  jansson %s, ours %s (%s) on: ", rejects ? "rejects" : "accepts",
                iam_status_name(r.status), r.status ? r.error.message : "");
        for (size_t k = 0; k < n && k < 300; k++)
            fprintf(stderr, (unsigned char)s[k] < 0x20 || (unsigned char)s[k] >= 0x7f ? "\\x%02x" : "%c",
                    (unsigned char)s[k]);
        fputc('\n', stderr);
    }
}

static void differential(void)
{
    iam_batch_setup *bs;
    CHECK_INT(iam_batch_setup_parse(&bs, SETUP, strlen(SETUP), NULL, NULL, NULL), IAM_OK);
    for (size_t k = 0; k < sizeof TRICKY / sizeof *TRICKY; k++)
        agree(bs, TRICKY[k], strlen(TRICKY[k]), "tricky line");
    agree(bs, "{\"request\":{}}\0", 15, "NUL after the value");
    agree(bs, "{\"name\":\"a\0b\",\"request\":{}}", 27, "NUL in a string");
    for (size_t k = 0; k < sizeof LINES / sizeof *LINES; k++)
        agree(bs, LINES[k].line, strlen(LINES[k].line), LINES[k].what);

    /* Every prefix, and each byte replaced by a few others, of a real line
     * from the generator (with escapes and Unicode added). */
    const char *real =
        "{\"name\": \"s00-0000007\", \"request\": {\"principal\": \"arn:aws:sts::726695282661:assumed-role/"
        "AppRunnerInstanceRole/niaj\", \"action\": \"secretsmanager:GetSecretValue\", \"resource\": "
        "\"arn:aws:secretsmanager:us-east-1:726695282661:secret:prod/audit/db-a7ehp5\", \"resource_account\": "
        "\"726695282661\", \"context\": {\"aws:CurrentTime\": \"2026-11-02T19:38:37Z\", \"aws:SecureTransport\":"
        " \"true\", \"aws:PrincipalTag/team\": \"caf\\u00e9 \xc3\xa9\", \"aws:PrincipalOrgPaths\": "
        "[\"o-893t7y2oyo/r-ccmk/ou-ccmk-dlm8qyqm/\", \"\\ud83d\\ude00\"], \"aws:TagKeys\": []}}, "
        "\"resource_policy\": \"open\", \"expect\": \"allowed\"}";
    size_t n = strlen(real);
    char *buf = malloc(n + 1);
    for (size_t len = 0; len <= n; len++) {
        memcpy(buf, real, len);   /* exactly len bytes: a read past them is caught */
        agree(bs, buf, len, "prefix");
    }
    static const unsigned char subst[] = {'"', '\\', '{', '}', '[', ']', ',', ':', ' ', 'a', '0', 'u',
                                          0x00, 0x1f, 0x7f, 0x80, 0xc3, 0xff, 'n', 'e'};
    for (size_t at = 0; at < n; at++)
        for (size_t k = 0; k < sizeof subst; k++) {
            memcpy(buf, real, n);
            if ((unsigned char)buf[at] == subst[k])
                continue;
            buf[at] = (char)subst[k];
            agree(bs, buf, n, "mutation");
        }
    /* Deletions: each byte removed. */
    for (size_t at = 0; at < n; at++) {
        memcpy(buf, real, at);
        memcpy(buf + at, real + at + 1, n - at - 1);
        agree(bs, buf, n - 1, "deletion");
    }
    free(buf);
    iam_batch_setup_free(bs);
}

int main(void)
{
    if (iam_batch_reader_create(&reader, NULL) != IAM_OK || iam_scratch_create(&scratch, NULL) != IAM_OK)
        return 2;
    conformance("../shared/conformance/cases");
    hand_written();
    session_and_user();
    lines_are_scenarios();
    setup_errors();
    limits();
    differential();
    printf("%u scenarios compared with iam_scenario_run, %u lines compared with jansson\n", scenarios_compared,
           differential_lines);
    iam_batch_reader_free(reader);
    iam_scratch_free(scratch);
    return check_report();
}
