/* iameval explain: why each scenario was decided, layer by layer. */
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void usage(FILE *f)
{
    fputs("usage: iameval explain [--format text|json] [--color|--no-color] PATH...\n"
          "Explains every scenario in PATH: each layer's verdict, every statement evaluated\n"
          "(action, resource, principal, conditions), the failed condition with its values,\n"
          "the decision with its decisive statements, and the context keys the request lacked.\n"
          "--format json writes one JSON document per scenario, one per line (schema: README).\n"
          "Exit: 0 every expect held, 1 some decision differed, 2 an input could not be read.\n",
          f);
}

int cmd_explain(int argc, char **argv)
{
    bool json = false;
    int color = isatty(STDOUT_FILENO);
    int i = 0;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            const char *f = argv[++i];
            if (strcmp(f, "json") == 0)
                json = true;
            else if (strcmp(f, "text") != 0) {
                fprintf(stderr, "iameval explain: unknown format \"%s\" (text or json)\n", f);
                return EXIT_INPUT;
            }
        } else if (strcmp(a, "--color") == 0) {
            color = 1;
        } else if (strcmp(a, "--no-color") == 0) {
            color = 0;
        } else {
            if (end_of_options("explain", argv, &i, usage) != EXIT_OK)
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
            iam_decision d;
            iam_status st = iam_scenario_explain(sc, scratch, &d, ex, &err);
            iam_expect want = iam_scenario_expect(sc);
            bool ok = want == IAM_EXPECT_NONE || (want == IAM_EXPECT_ERROR ? st != IAM_OK
                                                                            : st == IAM_OK && (int)d == (int)want);
            if (!ok && status == EXIT_OK)
                status = EXIT_MISMATCH;
            if (st != IAM_OK && want != IAM_EXPECT_ERROR)
                status = EXIT_INPUT;
            if (st != IAM_OK)
                iam_error_format(&err, msg, sizeof msg);
            if (json) {
                fputs("{\"file\":", stdout);
                json_write_string(stdout, path);
                fputs(",\"name\":", stdout);
                json_write_string(stdout, iam_scenario_name(sc));
                fprintf(stdout, ",\"line\":%u", iam_scenario_line(sc));
                if (st != IAM_OK) {
                    fputs(",\"error\":", stdout);
                    json_write_string(stdout, msg);
                } else {
                    const char *doc = iam_explanation_json(ex);
                    fputs(",\"explanation\":", stdout);
                    fputs(doc ? doc : "null", stdout);
                }
                fputs("}\n", stdout);
            } else {
                printf("%s== %s:%u: %s%s\n", color ? "\033[1m" : "", path, iam_scenario_line(sc),
                       iam_scenario_name(sc), color ? "\033[0m" : "");
                if (st != IAM_OK) {
                    printf("error: %s\n", msg);
                } else {
                    const char *text = iam_explanation_text(ex, color);
                    fputs(text ? text : "(out of memory)\n", stdout);
                }
                if (want != IAM_EXPECT_NONE && !ok)
                    printf("EXPECTED %s\n", want == IAM_EXPECT_ERROR ? "error"
                                            : iam_decision_name((iam_decision)want));
                putchar('\n');
            }
        }
        iam_scenario_file_free(sf);
    }
    iam_explanation_free(ex);
    iam_scratch_free(scratch);
    path_list_free(&files);
    return status;
}
