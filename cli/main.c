/* iameval: the policy simulator command. Each verb lives in its own file. */
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
    fputs("usage: iameval COMMAND [OPTIONS] ...\n"
          "\n"
          "Decides AWS IAM authorization requests offline, as AWS would.\n"
          "\n"
          "commands:\n"
          "  simulate [--format text|json] [--expect DECISION] PATH...\n"
          "            decide every scenario in PATH (files or directories)\n"
          "  batch [--threads N] [--format jsonl] SETUP REQUESTS\n"
          "            decide every request line of REQUESTS against one SETUP, compiled once\n"
          "  explain [--format text|json] PATH...\n"
          "            why each scenario was decided: layers, statements, missing keys\n"
          "  test [--junit FILE] [--sarif FILE] SUITE...\n"
          "            run suites of assertions as a CI step, with JUnit XML and SARIF reports\n"
          "  diff [--requests FILE] [--allow-new] OLD NEW\n"
          "            what a policy change newly allows: both setups decided on the same requests\n"
          "  check [--type TYPE] [--format text|json|sarif] [--strict] FILE...\n"
          "            validate policy documents: errors AWS would reject, warnings worth a look\n"
          "\n"
          "  iameval --version | --help\n"
          "Exit: 0 every expectation held, 1 a decision differed, 2 an input could not be read.\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_INPUT;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("iameval %s\n", IAM_VERSION_STRING);
        return EXIT_OK;
    }
    if (strcmp(cmd, "simulate") == 0)
        return cmd_simulate(argc - 2, argv + 2);
    if (strcmp(cmd, "batch") == 0)
        return cmd_batch(argc - 2, argv + 2);
    if (strcmp(cmd, "explain") == 0)
        return cmd_explain(argc - 2, argv + 2);
    if (strcmp(cmd, "test") == 0)
        return cmd_test(argc - 2, argv + 2);
    if (strcmp(cmd, "diff") == 0)
        return cmd_diff(argc - 2, argv + 2);
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 2, argv + 2);
    fprintf(stderr, "iameval: unknown command \"%s\"\n", cmd);
    usage(stderr);
    return EXIT_INPUT;
}
