#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static bool push(path_list *l, const char *path)
{
    if (l->count == l->capacity) {
        size_t cap = l->capacity ? 2 * l->capacity : 16;
        char **items = realloc(l->items, cap * sizeof *items);
        if (items == NULL)
            return false;
        l->items = items;
        l->capacity = cap;
    }
    size_t n = strlen(path);
    char *copy = malloc(n + 1);
    if (copy == NULL)
        return false;
    memcpy(copy, path, n + 1);
    l->items[l->count++] = copy;
    return true;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_scenario_name(const char *name)
{
    size_t n = strlen(name);
    if (name[0] == '.')
        return false;
    return (n > 5 && strcmp(name + n - 5, ".json") == 0) || (n > 6 && strcmp(name + n - 6, ".jsonl") == 0);
}

bool collect_scenario_files(path_list *out, char **paths, int count)
{
    for (int i = 0; i < count; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            fprintf(stderr, "iameval: %s: %s\n", paths[i], strerror(errno));
            return false;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (!push(out, paths[i]))
                return false;
            continue;
        }
        DIR *d = opendir(paths[i]);
        if (d == NULL) {
            fprintf(stderr, "iameval: %s: %s\n", paths[i], strerror(errno));
            return false;
        }
        path_list found = {0};
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (!is_scenario_name(e->d_name))
                continue;
            size_t n = strlen(paths[i]) + strlen(e->d_name) + 2;
            char *full = malloc(n);
            if (full == NULL)
                break;
            const char *sep = paths[i][strlen(paths[i]) - 1] == '/' ? "" : "/";
            snprintf(full, n, "%s%s%s", paths[i], sep, e->d_name);
            struct stat fst;
            if (stat(full, &fst) == 0 && S_ISREG(fst.st_mode))
                push(&found, full);
            free(full);
        }
        closedir(d);
        if (found.count == 0) {
            /* A mistyped directory must not pass a CI run silently. */
            fprintf(stderr, "iameval: %s: no .json or .jsonl files\n", paths[i]);
            path_list_free(&found);
            return false;
        }
        qsort(found.items, found.count, sizeof *found.items, compare_names);
        for (size_t k = 0; k < found.count; k++) {
            push(out, found.items[k]);
        }
        path_list_free(&found);
    }
    return true;
}

int end_of_options(const char *verb, char **argv, int *i, void (*usage)(FILE *))
{
    const char *a = argv[*i];
    if (strcmp(a, "--") == 0) {
        (*i)++;
        return EXIT_OK;
    }
    if (a[0] == '-' && a[1] != '\0') {
        fprintf(stderr, "iameval %s: unknown option \"%s\"\n", verb, a);
        usage(stderr);
        return EXIT_INPUT;
    }
    return EXIT_OK;
}

int collect_path_arguments(path_list *out, int argc, char **argv, int first, void (*usage)(FILE *))
{
    if (first >= argc) {
        usage(stderr);
        return EXIT_INPUT;
    }
    if (!collect_scenario_files(out, argv + first, argc - first)) {
        path_list_free(out);
        return EXIT_INPUT;
    }
    return EXIT_OK;
}

const char *expect_word(iam_expect e)
{
    switch (e) {
    case IAM_EXPECT_ALLOWED: return "allowed";
    case IAM_EXPECT_EXPLICIT_DENY: return "explicitDeny";
    case IAM_EXPECT_IMPLICIT_DENY: return "implicitDeny";
    case IAM_EXPECT_ERROR: return "error";
    case IAM_EXPECT_NONE: break;
    }
    return NULL;
}

void path_list_free(path_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = l->capacity = 0;
}

void json_write_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}
