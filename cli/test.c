/* iameval test: runs suites of assertions as a CI step, with JUnit XML and
 * SARIF reports whose failures carry the explanation of what was decided. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static void usage(FILE *f)
{
    fputs("usage: iameval test [--junit FILE] [--sarif FILE] [--quiet] SUITE...\n"
          "Runs every scenario of each SUITE (a scenario or suite file, or a directory of them)\n"
          "as an assertion: each must have an \"expect\" and get exactly that decision.\n"
          "Prints each failure with the explanation of the decision, then \"N passed, N failed\".\n"
          "  --junit FILE   write JUnit XML: one testsuite per file, one testcase per scenario\n"
          "  --sarif FILE   write failures as SARIF 2.1.0 results located at their scenario\n"
          "  --quiet        print failures and the summary only\n"
          "Exit: 0 every assertion held, 1 some failed, 2 an input could not be read.\n",
          f);
}

/* One scenario's outcome, kept for the reports. */
typedef struct outcome {
    char *file;
    char *name;
    unsigned line, column;
    const char *expect;      /* static word */
    const char *got;         /* static word */
    bool passed;
    bool error;              /* the input could not be decided */
    char *detail;            /* explanation or error message; NULL when passed */
    double seconds;
} outcome;

typedef struct outcomes {
    outcome *items;
    size_t count, capacity;
} outcomes;

static char *dup_or_null(const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static outcome *add_outcome(outcomes *o)
{
    if (o->count == o->capacity) {
        size_t cap = o->capacity ? 2 * o->capacity : 64;
        outcome *items = realloc(o->items, cap * sizeof *items);
        if (items == NULL)
            return NULL;
        o->items = items;
        o->capacity = cap;
    }
    outcome *r = &o->items[o->count++];
    memset(r, 0, sizeof *r);
    return r;
}

static void xml_escape(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        switch (*p) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            /* XML 1.0 forbids most control characters, even escaped. */
            if (*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r')
                fputc('?', f);
            else if (*p == 0x1b)
                fputc('?', f);
            else
                fputc(*p, f);
        }
    }
}

static bool write_junit(const char *path, const outcomes *o)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return false;
    unsigned total_fail = 0, total_err = 0;
    for (size_t i = 0; i < o->count; i++) {
        total_fail += !o->items[i].passed && !o->items[i].error;
        total_err += !o->items[i].passed && o->items[i].error;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites name=\"iameval\" tests=\"%zu\" failures=\"%u\" errors=\"%u\">\n", o->count, total_fail,
            total_err);
    for (size_t i = 0; i < o->count;) {
        size_t j = i;
        unsigned fails = 0, errs = 0;
        double secs = 0;
        for (; j < o->count && strcmp(o->items[j].file, o->items[i].file) == 0; j++) {
            fails += !o->items[j].passed && !o->items[j].error;
            errs += !o->items[j].passed && o->items[j].error;
            secs += o->items[j].seconds;
        }
        fputs("  <testsuite name=\"", f);
        xml_escape(f, o->items[i].file);
        fprintf(f, "\" tests=\"%zu\" failures=\"%u\" errors=\"%u\" time=\"%.6f\">\n", j - i, fails, errs, secs);
        for (size_t k = i; k < j; k++) {
            const outcome *r = &o->items[k];
            fputs("    <testcase classname=\"", f);
            xml_escape(f, r->file);
            fputs("\" name=\"", f);
            xml_escape(f, r->name);
            fprintf(f, "\" file=\"");
            xml_escape(f, r->file);
            fprintf(f, "\" line=\"%u\" time=\"%.6f\"", r->line, r->seconds);
            if (r->passed) {
                fputs("/>\n", f);
                continue;
            }
            fputs(">\n", f);
            const char *tag = r->error ? "error" : "failure";
            fprintf(f, "      <%s message=\"expected %s, got %s\" type=\"%s\">", tag, r->expect, r->got,
                    r->error ? "InvalidInput" : "DecisionMismatch");
            xml_escape(f, r->detail ? r->detail : "");
            fprintf(f, "</%s>\n    </testcase>\n", tag);
        }
        fputs("  </testsuite>\n", f);
        i = j;
    }
    fputs("</testsuites>\n", f);
    return fclose(f) == 0;
}

static bool write_sarif(const char *path, const outcomes *o)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return false;
    fputs("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n"
          "  \"runs\": [{\n    \"tool\": {\"driver\": {\"name\": \"iameval\", \"version\": \"" IAM_VERSION_STRING "\",\n"
          "      \"rules\": [\n"
          "        {\"id\": \"decision-mismatch\", \"shortDescription\": {\"text\": \"A scenario's decision differs from its expect\"}},\n"
          "        {\"id\": \"invalid-input\", \"shortDescription\": {\"text\": \"A scenario's input could not be decided\"}}\n"
          "      ]}},\n    \"results\": [",
          f);
    bool first = true;
    for (size_t i = 0; i < o->count; i++) {
        const outcome *r = &o->items[i];
        if (r->passed)
            continue;
        fputs(first ? "\n      {" : ",\n      {", f);
        first = false;
        fprintf(f, "\"ruleId\": \"%s\", \"ruleIndex\": %d, \"level\": \"error\", \"message\": {\"text\": ",
                r->error ? "invalid-input" : "decision-mismatch", r->error ? 1 : 0);
        char head[1024];
        snprintf(head, sizeof head, "%s: expected %s, got %s", r->name, r->expect, r->got);
        size_t hn = strlen(head);
        char *text = malloc(hn + 2 + (r->detail ? strlen(r->detail) : 0) + 1);
        if (text != NULL) {
            strcpy(text, head);
            if (r->detail) {
                strcat(text, "\n\n");
                strcat(text, r->detail);
            }
            json_write_string(f, text);
            free(text);
        } else {
            json_write_string(f, head);
        }
        fputs("}, \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ", f);
        json_write_string(f, r->file);
        fprintf(f, "}, \"region\": {\"startLine\": %u, \"startColumn\": %u}}}]}", r->line ? r->line : 1,
                r->column ? r->column : 1);
    }
    fputs("\n    ]\n  }]\n}\n", f);
    return fclose(f) == 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmd_test(int argc, char **argv)
{
    const char *junit = NULL, *sarif = NULL;
    bool quiet = false;
    int i = 0;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--junit") == 0 && i + 1 < argc) {
            junit = argv[++i];
        } else if (strcmp(a, "--sarif") == 0 && i + 1 < argc) {
            sarif = argv[++i];
        } else if (strcmp(a, "--quiet") == 0) {
            quiet = true;
        } else {
            if (end_of_options("test", argv, &i, usage) != EXIT_OK)
                return EXIT_INPUT;
            break;
        }
    }
    path_list files = {0};
    int rc = collect_path_arguments(&files, argc, argv, i, usage);
    if (rc != EXIT_OK)
        return rc;
    iam_scratch *scratch = NULL;
    iam_explanation *ex = NULL;
    if (iam_scratch_create(&scratch, NULL) != IAM_OK || iam_explanation_create(&ex) != IAM_OK) {
        fputs("iameval: out of memory\n", stderr);
        iam_scratch_free(scratch);
        path_list_free(&files);
        return EXIT_INPUT;
    }
    outcomes results = {0};
    int status = EXIT_OK;
    unsigned passed = 0, failed = 0;
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
            outcome *r = add_outcome(&results);
            if (r == NULL)
                break;
            r->file = dup_or_null(path);
            r->name = dup_or_null(iam_scenario_name(sc)[0] ? iam_scenario_name(sc) : "(unnamed)");
            r->line = iam_scenario_line(sc);
            r->column = iam_scenario_column(sc);
            iam_expect want = iam_scenario_expect(sc);
            r->expect = expect_word(want) ? expect_word(want) : "(none)";
            double t0 = now_seconds();
            iam_decision d = IAM_IMPLICIT_DENY;
            iam_status st = iam_scenario_run(sc, scratch, &d, &err);
            r->seconds = now_seconds() - t0;
            r->got = st == IAM_OK ? iam_decision_name(d) : "error";
            if (want == IAM_EXPECT_NONE) {
                r->passed = false;
                r->error = true;
                r->detail = dup_or_null("the scenario has no \"expect\": a test asserts a decision");
                status = EXIT_INPUT;
            } else if (want == IAM_EXPECT_ERROR) {
                r->passed = st != IAM_OK;
                if (!r->passed && iam_scenario_explain(sc, scratch, &d, ex, NULL) == IAM_OK)
                    r->detail = dup_or_null(iam_explanation_text(ex, 0));
            } else if (st != IAM_OK) {
                r->passed = false;
                r->error = true;
                r->detail = dup_or_null(iam_error_format(&err, msg, sizeof msg));
                status = EXIT_INPUT;
            } else {
                r->passed = (int)d == (int)want;
                if (!r->passed && iam_scenario_explain(sc, scratch, &d, ex, NULL) == IAM_OK)
                    r->detail = dup_or_null(iam_explanation_text(ex, 0));
            }
            if (r->passed) {
                passed++;
                if (!quiet)
                    printf("ok    %s:%u: %s\n", path, r->line, r->name);
            } else {
                failed++;
                if (status == EXIT_OK)
                    status = EXIT_MISMATCH;
                printf("FAIL  %s:%u: %s: expected %s, got %s\n", path, r->line, r->name, r->expect, r->got);
                if (r->detail) {
                    for (const char *line = r->detail; *line;) {
                        const char *nl = strchr(line, '\n');
                        size_t n = nl ? (size_t)(nl - line) : strlen(line);
                        printf("      %.*s\n", (int)n, line);
                        line += n + (nl != NULL);
                    }
                }
            }
        }
        iam_scenario_file_free(sf);
    }
    printf("%u passed, %u failed\n", passed, failed);
    if (junit && !write_junit(junit, &results)) {
        fprintf(stderr, "iameval test: cannot write %s\n", junit);
        status = EXIT_INPUT;
    }
    if (sarif && !write_sarif(sarif, &results)) {
        fprintf(stderr, "iameval test: cannot write %s\n", sarif);
        status = EXIT_INPUT;
    }
    for (size_t k = 0; k < results.count; k++) {
        free(results.items[k].file);
        free(results.items[k].name);
        free(results.items[k].detail);
    }
    free(results.items);
    iam_explanation_free(ex);
    iam_scratch_free(scratch);
    path_list_free(&files);
    return status;
}
