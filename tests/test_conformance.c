/* The conformance runner: every scenario of the public corpus
 * (../shared/conformance/cases/) and of our own (tests/cases/), through the
 * public API. Each failing scenario is named with its file and position. */
#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "iameval.h"

static const char *expect_word(iam_expect e)
{
    switch (e) {
    case IAM_EXPECT_ALLOWED: return "allowed";
    case IAM_EXPECT_EXPLICIT_DENY: return "explicitDeny";
    case IAM_EXPECT_IMPLICIT_DENY: return "implicitDeny";
    case IAM_EXPECT_ERROR: return "error";
    case IAM_EXPECT_NONE: break;
    }
    return "(none)";
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned scenarios_run;

static void run_file(const char *path, iam_scratch *scratch)
{
    iam_scenario_file *f;
    iam_error err;
    char msg[1024];
    if (iam_scenario_file_load(&f, path, NULL, &err) != IAM_OK) {
        check_failed_count++;
        fprintf(stderr, "FAIL %s: cannot load: %s\n", path, iam_error_format(&err, msg, sizeof msg));
        return;
    }
    for (size_t i = 0; i < iam_scenario_file_count(f); i++) {
        const iam_scenario *sc = iam_scenario_file_get(f, i);
        iam_decision d;
        iam_status st = iam_scenario_run(sc, scratch, &d, &err);
        iam_expect want = iam_scenario_expect(sc);
        scenarios_run++;
        if (want == IAM_EXPECT_NONE) {
            check_failed_count++;
            fprintf(stderr, "FAIL %s:%u: \"%s\" has no expect\n", path, iam_scenario_line(sc),
                    iam_scenario_name(sc));
            continue;
        }
        bool ok = want == IAM_EXPECT_ERROR ? st != IAM_OK : st == IAM_OK && (int)d == (int)want;
        if (ok) {
            check_passed_count++;
            continue;
        }
        check_failed_count++;
        fprintf(stderr, "FAIL %s:%u: \"%s\": got %s, want %s%s%s\n", path, iam_scenario_line(sc),
                iam_scenario_name(sc), st == IAM_OK ? iam_decision_name(d) : "error", expect_word(want),
                st == IAM_OK ? "" : ": ", st == IAM_OK ? "" : iam_error_format(&err, msg, sizeof msg));
    }
    iam_scenario_file_free(f);
}

static void run_dir(const char *dir, iam_scratch *scratch, bool required)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        if (required) {
            check_failed_count++;
            fprintf(stderr, "FAIL cannot open %s\n", dir);
        }
        return;
    }
    char *names[4096];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 4096) {
        size_t len = strlen(e->d_name);
        bool json = len > 5 && strcmp(e->d_name + len - 5, ".json") == 0;
        bool jsonl = len > 6 && strcmp(e->d_name + len - 6, ".jsonl") == 0;
        if ((json || jsonl) && e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, compare_names);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        run_file(path, scratch);
        free(names[i]);
    }
}

int main(int argc, char **argv)
{
    iam_scratch *scratch;
    if (iam_scratch_create(&scratch, NULL) != IAM_OK)
        return 2;
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            run_dir(argv[i], scratch, true);
    } else {
        run_dir("../shared/conformance/cases", scratch, true);
        run_dir("tests/cases", scratch, false);
        run_dir("tests/repo/suites", scratch, false);
    }
    iam_scratch_free(scratch);
    printf("%u scenarios run\n", scenarios_run);
    return check_report();
}
