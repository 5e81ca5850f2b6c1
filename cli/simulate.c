/* iameval simulate: decide every scenario of the given files, one line each. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
    fputs("usage: iameval simulate [--format text|json] [--explain]\n"
          "                        [--expect allowed|explicitDeny|implicitDeny|deny|error] PATH...\n"
          "Decides every scenario in PATH (a scenario file: object, array or .jsonl; a directory:\n"
          "its .json and .jsonl files). One line per scenario, then \"N passed, N failed\".\n"
          "--expect checks every scenario against one expected decision (\"deny\": either deny).\n"
          "--explain prints, after each failing scenario, why it was decided (as iameval explain).\n"
          "Exit: 0 every expect held, 1 some decision differed, 2 an input could not be read.\n",
          f);
}

typedef struct simulate_options {
    bool json;
    bool explain;                  /* report why, for each failing scenario */
    const char *expect_override;   /* NULL: each scenario's own */
} simulate_options;

/* Whether decision (or error, when is_error) satisfies the expectation word. */
static bool satisfies(const char *expect, bool is_error, iam_decision d)
{
    if (strcmp(expect, "error") == 0)
        return is_error;
    if (is_error)
        return false;
    if (strcmp(expect, "deny") == 0)
        return d != IAM_ALLOWED;
    return strcmp(expect, iam_decision_name(d)) == 0;
}

int cmd_simulate(int argc, char **argv)
{
    simulate_options opt = {0};
    int i = 0;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            const char *f = argv[++i];
            if (strcmp(f, "json") == 0)
                opt.json = true;
            else if (strcmp(f, "text") != 0) {
                fprintf(stderr, "iameval simulate: unknown format \"%s\" (text or json)\n", f);
                return EXIT_INPUT;
            }
        } else if (strcmp(a, "--explain") == 0) {
            opt.explain = true;
        } else if (strcmp(a, "--expect") == 0 && i + 1 < argc) {
            const char *e = argv[++i];
            static const char *const ok[] = {"allowed", "explicitDeny", "implicitDeny", "deny", "error"};
            bool known = false;
            for (size_t k = 0; k < 5; k++)
                known |= strcmp(e, ok[k]) == 0;
            if (!known) {
                fprintf(stderr, "iameval simulate: unknown --expect \"%s\"\n", e);
                return EXIT_INPUT;
            }
            opt.expect_override = e;
        } else {
            if (end_of_options("simulate", argv, &i, usage) != EXIT_OK)
                return EXIT_INPUT;
            break;
        }
    }
    path_list files = {0};
    int rc = collect_path_arguments(&files, argc, argv, i, usage);
    if (rc != EXIT_OK)
        return rc;
    iam_scratch *scratch;
    if (iam_scratch_create(&scratch, NULL) != IAM_OK) {
        fputs("iameval: out of memory\n", stderr);
        path_list_free(&files);
        return EXIT_INPUT;
    }
    iam_explanation *ex = NULL;
    if (opt.explain && iam_explanation_create(&ex) != IAM_OK) {
        fputs("iameval: out of memory\n", stderr);
        iam_scratch_free(scratch);
        path_list_free(&files);
        return EXIT_INPUT;
    }
    unsigned passed = 0, failed = 0;
    int status = EXIT_OK;
    char msg[1024];
    for (size_t fi = 0; fi < files.count; fi++) {
        const char *path = files.items[fi];
        iam_scenario_file *sf;
        iam_error err;
        if (iam_scenario_file_load(&sf, path, NULL, &err) != IAM_OK) {
            fprintf(stderr, "%s\n", iam_error_format(&err, msg, sizeof msg));
            status = EXIT_INPUT;
            continue;
        }
        for (size_t k = 0; k < iam_scenario_file_count(sf); k++) {
            const iam_scenario *sc = iam_scenario_file_get(sf, k);
            iam_decision d = IAM_IMPLICIT_DENY;
            iam_status st = iam_scenario_run(sc, scratch, &d, &err);
            bool is_error = st != IAM_OK;
            const char *expect = opt.expect_override ? opt.expect_override : expect_word(iam_scenario_expect(sc));
            const char *decision = is_error ? "error" : iam_decision_name(d);
            int ok = expect == NULL ? -1 : satisfies(expect, is_error, d);
            if (is_error)
                iam_error_format(&err, msg, sizeof msg);
            if (is_error && (expect == NULL || strcmp(expect, "error") != 0)) {
                /* Malformed input nobody expected: the run cannot vouch for it. */
                fprintf(stderr, "%s\n", msg);
                status = EXIT_INPUT;
            }
            if (ok == 1)
                passed++;
            else if (ok == 0) {
                failed++;
                if (status == EXIT_OK)
                    status = EXIT_MISMATCH;
            }
            if (opt.json) {
                fputs("{\"file\":", stdout);
                json_write_string(stdout, path);
                fputs(",\"name\":", stdout);
                json_write_string(stdout, iam_scenario_name(sc));
                fputs(",\"decision\":", stdout);
                json_write_string(stdout, decision);
                fputs(",\"expect\":", stdout);
                if (expect)
                    json_write_string(stdout, expect);
                else
                    fputs("null", stdout);
                fprintf(stdout, ",\"ok\":%s", ok < 0 ? "null" : ok ? "true" : "false");
                if (is_error) {
                    fputs(",\"error\":", stdout);
                    json_write_string(stdout, msg);
                }
                fputs("}\n", stdout);
            } else {
                printf("%-4s  %-12s  %s: %s\n", ok < 0 ? "-" : ok ? "PASS" : "FAIL", decision, path,
                       iam_scenario_name(sc));
                if (is_error && expect != NULL && strcmp(expect, "error") == 0)
                    printf("      (%s)\n", msg);
            }
            if (ex != NULL && ok == 0 && !is_error && iam_scenario_explain(sc, scratch, &d, ex, NULL) == IAM_OK) {
                const char *text = iam_explanation_text(ex, 0);
                if (text != NULL)
                    fputs(text, opt.json ? stderr : stdout);
            }
        }
        iam_scenario_file_free(sf);
    }
    printf("%u passed, %u failed\n", passed, failed);
    iam_explanation_free(ex);
    iam_scratch_free(scratch);
    path_list_free(&files);
    return status;
}
