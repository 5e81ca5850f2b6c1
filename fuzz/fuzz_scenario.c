/* Fuzz target: arbitrary bytes through iam_scenario_file_parse (as one JSON
 * document, then as JSONL), then iam_scenario_run on every scenario loaded.
 *
 * Checked (abort() on a violation, after printing the input):
 *   - the parse returns IAM_OK with a file, or an error (JSON, REQUEST,
 *     POLICY, LIMIT, NOMEM) with *out NULL, err.code equal to the status, a
 *     non-empty one-line message and a position inside the input;
 *   - every scenario index below the count gives a scenario, the one at the
 *     count gives NULL; names are non-NULL; expect is one of the five values;
 *     the scenario's line lies inside the input;
 *   - each run returns IAM_OK with one of the three decisions, or an error
 *     with a non-empty message;
 *   - running a scenario twice (with other scenarios run in between, on the
 *     same scratch) gives the same status and decision.
 * One scratch, created once, serves every run, as a CLI's would.
 *
 * Build: see the Makefile (fuzz_scenario under libFuzzer, replay_scenario
 * with fuzz/replay.c for sanitizer builds without libFuzzer). */
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
static int cur_jsonl;
static iam_scratch *scratch;
static iam_explanation *explanation;
/* IAMFUZZ_TOLERATE=multiline (environment) skips the one-line message check,
 * to keep exploring while a known engine bug awaits its fix. */
static int tolerate_multiline;

#define MAX_RUNS 256

static void die(const char *what, size_t index, const iam_error *err)
{
    fprintf(stderr, "fuzz_scenario: %s (%s mode, scenario %zu)\n", what, cur_jsonl ? "JSONL" : "JSON", index);
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
    if (iam_scratch_create(&scratch, NULL) != IAM_OK || iam_explanation_create(&explanation) != IAM_OK) {
        fprintf(stderr, "fuzz_scenario: cannot create a scratch\n");
        abort();
    }
    return 0;
}

static uint32_t line_count(void)
{
    uint32_t n = 1;
    for (size_t k = 0; k < cur_size; k++)
        n += cur_data[k] == '\n';
    return n;
}

static void check_error(iam_status s, const iam_error *err, size_t index, int positioned)
{
    if (s == IAM_OK || s == IAM_ERR_IO || s == IAM_ERR_ARGUMENT || (int)s < 0 || (int)s > IAM_ERR_ARGUMENT)
        die("unexpected error status", index, err);
    if (err->code != s)
        die("err.code differs from the returned status", index, err);
    if (err->message[0] == '\0' || memchr(err->message, '\0', sizeof err->message) == NULL)
        die("error without a message", index, err);
    char line[1024];
    iam_error_format(err, line, sizeof line);
    if (!tolerate_multiline && strpbrk(line, "\n\r") != NULL)
        die("formatted error is not one line", index, err);
    if (positioned && err->line > line_count())
        die("error line beyond the end of the input", index, err);
    if (err->line != 0 && err->column == 0)
        die("error with a line but column 0", index, err);
    char buf[48];
    iam_error_format(err, buf, sizeof buf);
    if (memchr(buf, '\0', sizeof buf) == NULL)
        die("iam_error_format did not terminate", index, err);
}

typedef struct run_result {
    iam_status status;
    iam_decision decision;
    iam_error err;
} run_result;

static void run_one(const iam_scenario *sc, size_t index, run_result *r)
{
    r->decision = (iam_decision)77;
    memset(&r->err, 0, sizeof r->err);
    r->status = iam_scenario_run(sc, scratch, &r->decision, &r->err);
    if (r->status == IAM_OK) {
        if (r->decision != IAM_ALLOWED && r->decision != IAM_IMPLICIT_DENY && r->decision != IAM_EXPLICIT_DENY)
            die("decision is none of the three", index, NULL);
        iam_decision xd = (iam_decision)66;
        if (iam_scenario_explain(sc, scratch, &xd, explanation, NULL) != IAM_OK || xd != r->decision)
            die("the explanation's decision differs from the scenario's", index, NULL);
        if (iam_explanation_json(explanation) == NULL || iam_explanation_text(explanation, 1) == NULL)
            die("the explanation did not render", index, NULL);
    } else {
        check_error(r->status, &r->err, index, 1);
    }
}

static void one_mode(int jsonl)
{
    cur_jsonl = jsonl;
    iam_scenario_file *f = (iam_scenario_file *)&f; /* must be overwritten */
    iam_error err;
    memset(&err, 0x5A, sizeof err);
    const char *text = cur_size ? (const char *)cur_data : "";
    iam_status s = iam_scenario_file_parse(&f, text, cur_size, jsonl, "fuzz", NULL, &err);
    if (s != IAM_OK) {
        if (f != NULL)
            die("error status but a file was returned", 0, &err);
        check_error(s, &err, 0, 1);
        return;
    }
    if (f == NULL)
        die("IAM_OK but no file", 0, NULL);
    size_t n = iam_scenario_file_count(f);
    if (iam_scenario_file_get(f, n) != NULL)
        die("a scenario past the count", n, NULL);
    size_t runs = n < MAX_RUNS ? n : MAX_RUNS;
    static run_result first[MAX_RUNS];
    uint32_t lines = line_count();
    for (size_t i = 0; i < runs; i++) {
        const iam_scenario *sc = iam_scenario_file_get(f, i);
        if (sc == NULL)
            die("no scenario below the count", i, NULL);
        if (iam_scenario_name(sc) == NULL)
            die("scenario name is NULL", i, NULL);
        iam_expect e = iam_scenario_expect(sc);
        if (e != IAM_EXPECT_NONE && e != IAM_EXPECT_ALLOWED && e != IAM_EXPECT_IMPLICIT_DENY &&
            e != IAM_EXPECT_EXPLICIT_DENY && e != IAM_EXPECT_ERROR)
            die("expect is none of the five values", i, NULL);
        if (iam_scenario_line(sc) == 0 || iam_scenario_line(sc) > lines || iam_scenario_column(sc) == 0)
            die("scenario position outside the input", i, NULL);
        run_one(sc, i, &first[i]);
    }
    /* Again, in reverse order, on the same (now used) scratch. */
    for (size_t k = runs; k-- > 0;) {
        run_result again;
        run_one(iam_scenario_file_get(f, k), k, &again);
        if (again.status != first[k].status)
            die("second run gives another status", k, &again.err);
        if (again.status == IAM_OK && again.decision != first[k].decision)
            die("second run gives another decision", k, NULL);
        if (again.status != IAM_OK &&
            (strcmp(again.err.message, first[k].err.message) != 0 || again.err.line != first[k].err.line ||
             again.err.column != first[k].err.column))
            die("second run gives another error", k, &again.err);
    }
    iam_scenario_file_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (scratch == NULL)
        LLVMFuzzerInitialize(NULL, NULL);
    cur_data = data;
    cur_size = size;
    one_mode(0);
    one_mode(1);
    return 0;
}
