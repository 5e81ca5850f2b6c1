/* Shared pieces of the iameval command: a thin client of include/iameval.h. */
#ifndef IAMEVAL_CLI_H
#define IAMEVAL_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "iameval.h"

/* Exit statuses, the same for every verb. */
enum {
    EXIT_OK = 0,         /* every expectation held */
    EXIT_MISMATCH = 1,   /* some decision differed from its expect */
    EXIT_INPUT = 2       /* an input could not be read, or usage error */
};

typedef struct path_list {
    char **items;
    size_t count;
    size_t capacity;
} path_list;

/* Expands PATH arguments: a file as is, a directory as its .json and .jsonl
 * files in name order. Returns false (after printing why) on a path that
 * does not exist. */
bool collect_scenario_files(path_list *out, char **paths, int count);

/* The scenario files named by argv[first..argc): EXIT_OK with *out filled,
 * or the exit status after printing usage (no path) or why (bad path). */
int collect_path_arguments(path_list *out, int argc, char **argv, int first, void (*usage)(FILE *));

/* Ends a verb's option loop at argv[*i], which none of its options matched:
 * "--" ends the options (and is skipped), a word that is no option starts
 * the operands. Returns EXIT_OK, or EXIT_INPUT after saying the option is
 * unknown and printing usage. */
int end_of_options(const char *verb, char **argv, int *i, void (*usage)(FILE *));

/* "allowed", "explicitDeny", "implicitDeny", "error", or NULL for none. */
const char *expect_word(iam_expect e);
void path_list_free(path_list *l);

/* Writes s as a JSON string literal, quotes included. */
void json_write_string(FILE *f, const char *s);

int cmd_simulate(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_check(int argc, char **argv);

#endif
