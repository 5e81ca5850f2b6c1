/* iameval diff: what a policy change newly allows (or denies). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
    fputs("usage: iameval diff [--requests FILE] [--principal ARN] [--allow-new] [--format text|json]\n"
          "                    [--max-requests N] OLD NEW\n"
          "Decides the same requests against two setups (JSON objects with a scenario's policy\n"
          "fields; typically one role's policies before and after a change) and prints every\n"
          "request whose decision changed, newly allowed first.\n"
          "Without --requests the requests are generated from both setups' statements: every\n"
          "catalog action their Action patterns can match, resources from their Resource patterns,\n"
          "contexts from their conditions. That is a thorough sample, not a proof.\n"
          "  --requests FILE   JSONL of {\"request\": {...}} lines to decide instead\n"
          "  --principal ARN   the caller (default: OLD's request.principal, else a role session)\n"
          "  --allow-new       report newly allowed requests without failing\n"
          "Exit: 0 nothing became allowed (or --allow-new), 1 something did, 2 unreadable input.\n",
          f);
}

int cmd_diff(int argc, char **argv)
{
    iam_diff_options opt = {0};
    bool json = false, allow_new = false;
    const char *paths[2] = {NULL, NULL};
    int npaths = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--requests") == 0 && i + 1 < argc) {
            opt.requests_path = argv[++i];
        } else if (strcmp(a, "--principal") == 0 && i + 1 < argc) {
            opt.principal = argv[++i];
        } else if (strcmp(a, "--max-requests") == 0 && i + 1 < argc) {
            opt.max_requests = (size_t)strtoull(argv[++i], NULL, 10);
        } else if (strcmp(a, "--allow-new") == 0) {
            allow_new = true;
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            const char *f = argv[++i];
            if (strcmp(f, "json") == 0)
                json = true;
            else if (strcmp(f, "text") != 0) {
                fprintf(stderr, "iameval diff: unknown format \"%s\" (text or json)\n", f);
                return EXIT_INPUT;
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "iameval diff: unknown option \"%s\"\n", a);
            usage(stderr);
            return EXIT_INPUT;
        } else if (npaths < 2) {
            paths[npaths++] = a;
        } else {
            usage(stderr);
            return EXIT_INPUT;
        }
    }
    if (npaths != 2) {
        usage(stderr);
        return EXIT_INPUT;
    }
    iam_diff *d;
    iam_error err;
    char msg[1024];
    if (iam_diff_run(&d, paths[0], paths[1], &opt, NULL, &err) != IAM_OK) {
        fprintf(stderr, "%s\n", iam_error_format(&err, msg, sizeof msg));
        return EXIT_INPUT;
    }
    size_t n = iam_diff_change_count(d), newly_allowed = 0, newly_denied = 0, other = 0;
    for (size_t i = 0; i < n; i++) {
        iam_diff_change c;
        if (iam_diff_change_get(d, i, &c) != IAM_OK)
            break;
        const char *kind = c.after == IAM_ALLOWED ? "newly-allowed" : c.before == IAM_ALLOWED ? "newly-denied" : "changed";
        newly_allowed += c.after == IAM_ALLOWED;
        newly_denied += c.before == IAM_ALLOWED;
        other += c.after != IAM_ALLOWED && c.before != IAM_ALLOWED;
        if (json) {
            printf("{\"change\":\"%s\",\"before\":\"%s\",\"after\":\"%s\",\"principal\":", kind,
                   iam_decision_name(c.before), iam_decision_name(c.after));
            json_write_string(stdout, iam_diff_principal(d));
            fputs(",\"action\":", stdout);
            json_write_string(stdout, c.action);
            fputs(",\"resource\":", stdout);
            json_write_string(stdout, c.resource);
            printf(",\"context\":%s}\n", c.context_json);
        } else {
            printf("%-14s %s %s (%s -> %s)%s%s\n",
                   c.after == IAM_ALLOWED ? "NEWLY ALLOWED" : c.before == IAM_ALLOWED ? "NEWLY DENIED" : "CHANGED",
                   c.action, c.resource, iam_decision_name(c.before), iam_decision_name(c.after),
                   strcmp(c.context_json, "{}") ? " context " : "", strcmp(c.context_json, "{}") ? c.context_json : "");
        }
    }
    if (opt.requests_path)
        fprintf(json ? stderr : stdout, "%zu newly allowed, %zu newly denied, %zu other changes, of %zu requests from %s\n",
                newly_allowed, newly_denied, other, iam_diff_request_count(d), opt.requests_path);
    else
        fprintf(json ? stderr : stdout,
                "%zu newly allowed, %zu newly denied, %zu other changes, of %zu requests for %s%s\n", newly_allowed,
                newly_denied, other, iam_diff_request_count(d), iam_diff_principal(d),
                iam_diff_truncated(d) ? " (generated; truncated at --max-requests: a partial sample)"
                                      : " (generated from both setups: a thorough sample, not a proof)");
    iam_diff_free(d);
    return newly_allowed && !allow_new ? EXIT_MISMATCH : EXIT_OK;
}
