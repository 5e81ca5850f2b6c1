/* A minimal CI gatekeeper on the iameval library: it loads one principal's
 * identity policies and checks a list of must-allow / must-deny requests.
 *
 *   gatekeeper PRINCIPAL CHECKS POLICY.json...
 *
 * CHECKS has one check per line: "EXPECT ACTION RESOURCE", where EXPECT is
 * allowed, deny, explicitDeny or implicitDeny ('#' starts a comment).
 * Exit 0 when every check holds, 1 when one fails, 2 on unreadable input.
 * Build: cc gatekeeper.c $(pkg-config --cflags --libs iameval) */
#include <stdio.h>
#include <string.h>

#include <iameval.h>

static iam_str view(const char *s)
{
    return (iam_str){s, strlen(s)};
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s PRINCIPAL CHECKS POLICY.json...\n", argv[0]);
        return 2;
    }
    iam_error err;
    char msg[1024];
    iam_setup *setup;
    iam_policy *policies[64];
    int npolicies = argc - 3 < 64 ? argc - 3 : 64;
    if (iam_setup_create(&setup) != IAM_OK)
        return 2;
    for (int i = 0; i < npolicies; i++) {
        if (iam_policy_load_file(&policies[i], argv[3 + i], IAM_POLICY_IDENTITY, NULL, &err) != IAM_OK ||
            iam_setup_add(setup, policies[i], 0, &err) != IAM_OK) {
            fprintf(stderr, "%s\n", iam_error_format(&err, msg, sizeof msg));
            return 2;
        }
    }
    iam_policy_set *set;
    iam_scratch *scratch;
    if (iam_policy_set_compile(&set, setup, NULL, &err) != IAM_OK || iam_scratch_create(&scratch, NULL) != IAM_OK)
        return 2;
    iam_setup_free(setup);

    FILE *checks = fopen(argv[2], "r");
    if (checks == NULL) {
        perror(argv[2]);
        return 2;
    }
    char line[4096], expect[32], action[512], resource[2048];
    int failures = 0;
    while (fgets(line, sizeof line, checks)) {
        if (line[0] == '#' || sscanf(line, "%31s %511s %2047s", expect, action, resource) != 3)
            continue;
        iam_request req = {.principal = view(argv[1]), .action = view(action), .resource = view(resource)};
        iam_decision d;
        if (iam_evaluate(set, &req, scratch, &d, &err) != IAM_OK) {
            fprintf(stderr, "%s %s: %s\n", action, resource, iam_error_format(&err, msg, sizeof msg));
            return 2;
        }
        const char *got = iam_decision_name(d);
        int ok = strcmp(expect, got) == 0 || (strcmp(expect, "deny") == 0 && d != IAM_ALLOWED);
        printf("%s %-12s %s %s\n", ok ? "ok  " : "FAIL", got, action, resource);
        failures += !ok;
    }
    fclose(checks);
    iam_scratch_free(scratch);
    iam_policy_set_free(set);
    for (int i = 0; i < npolicies; i++)
        iam_policy_free(policies[i]);
    return failures ? 1 : 0;
}
