/* iameval check: validate policy documents for CI, as text, JSON or SARIF. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static void usage(FILE *f)
{
    fputs("usage: iameval check [--type identity|resource|boundary|session|scp|rcp]\n"
          "                     [--format text|json|sarif] [--strict] FILE...\n"
          "Validates policy documents (default type: identity; a directory: its .json files).\n"
          "Errors: what AWS would reject. Warnings: size over AWS's quota, risky grants, actions\n"
          "and condition keys no AWS service defines (built-in catalog, dated in the summary).\n"
          "Exit: 0 no errors, 1 errors (or warnings with --strict), 2 a file could not be read.\n",
          f);
}

typedef enum out_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_SARIF } out_format;

typedef struct unreadable {
    char *file;
    char *message;
} unreadable;

typedef struct check_run {
    out_format format;
    iam_policy_type type;
    size_t files, errors, warnings, results;
    size_t unread;       /* files not read or not checked, listed in bad when memory allows */
    unreadable *bad;
    size_t bad_count, bad_cap;
} check_run;

static bool parse_type(const char *s, iam_policy_type *out)
{
    for (int t = IAM_POLICY_IDENTITY; t <= IAM_POLICY_RCP; t++)
        if (strcmp(s, iam_policy_type_name((iam_policy_type)t)) == 0) {
            *out = (iam_policy_type)t;
            return true;
        }
    return false;
}

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

/* Remembers a file that could not be read, for the summary and for the
 * JSON and SARIF documents, which are written after every file. */
static void note_unreadable(check_run *run, const char *file, const char *message)
{
    fprintf(stderr, "iameval check: %s: %s\n", file, message);
    run->unread++;
    if (run->bad_count == run->bad_cap) {
        size_t cap = run->bad_cap ? 2 * run->bad_cap : 4;
        unreadable *b = realloc(run->bad, cap * sizeof *b);
        if (b == NULL)
            return;
        run->bad = b;
        run->bad_cap = cap;
    }
    unreadable *u = &run->bad[run->bad_count];
    u->file = dup_string(file);
    u->message = dup_string(message);
    if (u->file == NULL || u->message == NULL) {
        free(u->file);
        free(u->message);
        return;
    }
    run->bad_count++;
}

/* Reads a whole file; false (errno set) when it cannot. */
static bool read_file(const char *path, char **out, size_t *out_len)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return false;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    size_t cap = 16 * 1024, len = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        if (len == cap) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                errno = ENOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f)) {
                int e = errno ? errno : EIO;
                free(buf);
                buf = NULL;
                errno = e;
            }
            break;
        }
    }
    fclose(f);
    if (buf == NULL)
        return false;
    *out = buf;
    *out_len = len;
    return true;
}

/* A file name as a SARIF artifact URI: a relative reference for a relative
 * path, a file: URI for an absolute one, every byte that is not unreserved
 * (RFC 3986) or '/' percent-encoded. */
static void write_uri(FILE *f, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    fputc('"', f);
    if (path[0] == '/')
        fputs("file://", f);
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        unsigned char c = *p;
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
        if (plain) {
            fputc(c, f);
        } else {
            fputc('%', f);
            fputc(hex[c >> 4], f);
            fputc(hex[c & 15], f);
        }
    }
    fputc('"', f);
}

static void begin_output(const check_run *run)
{
    if (run->format == FORMAT_JSON) {
        printf("{\"tool\":\"iameval\",\"version\":\"%s\",\"catalog_date\":", IAM_VERSION_STRING);
        json_write_string(stdout, iam_catalog_date());
        printf(",\"type\":\"%s\",\"findings\":[", iam_policy_type_name(run->type));
    } else if (run->format == FORMAT_SARIF) {
        size_t n;
        const iam_check_rule *rules = iam_check_rules(&n);
        fputs("{\"$schema\":\"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
              "sarif-schema-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{"
              "\"name\":\"iameval\",\"version\":\"" IAM_VERSION_STRING "\",\"rules\":[",
              stdout);
        for (size_t i = 0; i < n; i++) {
            fputs(i ? ",{\"id\":" : "{\"id\":", stdout);
            json_write_string(stdout, rules[i].code);
            fputs(",\"shortDescription\":{\"text\":", stdout);
            json_write_string(stdout, rules[i].summary);
            printf("},\"defaultConfiguration\":{\"level\":\"%s\"}}",
                   rules[i].severity == IAM_SEVERITY_ERROR ? "error" : "warning");
        }
        /* Columns count characters, as the library's do. */
        fputs("]}},\"columnKind\":\"unicodeCodePoints\",\"properties\":{\"catalogDate\":", stdout);
        json_write_string(stdout, iam_catalog_date());
        printf(",\"policyType\":\"%s\"},\"results\":[", iam_policy_type_name(run->type));
    }
}

static size_t rule_index(const char *code)
{
    size_t n;
    const iam_check_rule *rules = iam_check_rules(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(rules[i].code, code) == 0)
            return i;
    return 0;
}

static void write_finding(check_run *run, const char *file, const iam_finding *f)
{
    const char *level = f->severity == IAM_SEVERITY_ERROR ? "error" : "warning";
    if (run->format == FORMAT_TEXT) {
        if (f->line)
            printf("%s:%u:%u: %s %s: %s", file, (unsigned)f->line, (unsigned)f->column, level, f->code,
                   f->message);
        else
            printf("%s: %s %s: %s", file, level, f->code, f->message);
        if (f->path[0])
            printf(" (at %s)", f->path);
        putchar('\n');
        return;
    }
    fputs(run->results++ ? "," : "", stdout);
    if (run->format == FORMAT_JSON) {
        fputs("{\"file\":", stdout);
        json_write_string(stdout, file);
        printf(",\"line\":%u,\"column\":%u,\"severity\":\"%s\",\"code\":", (unsigned)f->line,
               (unsigned)f->column, level);
        json_write_string(stdout, f->code);
        fputs(",\"path\":", stdout);
        json_write_string(stdout, f->path);
        fputs(",\"message\":", stdout);
        json_write_string(stdout, f->message);
        fputc('}', stdout);
        return;
    }
    fputs("{\"ruleId\":", stdout);
    json_write_string(stdout, f->code);
    printf(",\"ruleIndex\":%zu,\"level\":\"%s\",\"message\":{\"text\":", rule_index(f->code), level);
    json_write_string(stdout, f->message);
    fputs("},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":", stdout);
    write_uri(stdout, file);
    fputc('}', stdout);
    if (f->line)
        printf(",\"region\":{\"startLine\":%u,\"startColumn\":%u}", (unsigned)f->line,
               (unsigned)(f->column ? f->column : 1));
    fputc('}', stdout);
    if (f->path[0]) {
        fputs(",\"logicalLocations\":[{\"fullyQualifiedName\":", stdout);
        json_write_string(stdout, f->path);
        fputs("}]", stdout);
    }
    fputs("}]}", stdout);
}

static void end_output(const check_run *run, int status)
{
    char summary[256];
    snprintf(summary, sizeof summary, "%zu file%s checked: %zu error%s, %zu warning%s%s; AWS catalog of %s",
             run->files, run->files == 1 ? "" : "s", run->errors, run->errors == 1 ? "" : "s", run->warnings,
             run->warnings == 1 ? "" : "s", run->unread ? ", some files unreadable" : "", iam_catalog_date());
    if (run->format == FORMAT_TEXT) {
        puts(summary);
        return;
    }
    if (run->format == FORMAT_JSON) {
        printf("],\"files\":%zu,\"errors\":%zu,\"warnings\":%zu,\"unreadable\":[", run->files, run->errors,
               run->warnings);
        for (size_t i = 0; i < run->bad_count; i++) {
            fputs(i ? ",{\"file\":" : "{\"file\":", stdout);
            json_write_string(stdout, run->bad[i].file);
            fputs(",\"message\":", stdout);
            json_write_string(stdout, run->bad[i].message);
            fputc('}', stdout);
        }
        puts("]}");
        return;
    }
    printf("],\"invocations\":[{\"executionSuccessful\":%s,\"exitCode\":%d,\"toolExecutionNotifications\":[",
           run->unread ? "false" : "true", status);
    for (size_t i = 0; i < run->bad_count; i++) {
        fputs(i ? ",{\"level\":\"error\",\"message\":{\"text\":" : "{\"level\":\"error\",\"message\":{\"text\":",
              stdout);
        json_write_string(stdout, run->bad[i].message);
        fputs("},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":", stdout);
        write_uri(stdout, run->bad[i].file);
        fputs("}}}]}", stdout);
    }
    puts("]}]}]}");
}

/* Checks one file; false when it could not be read or checked. */
static bool check_file(check_run *run, const char *path)
{
    char *text;
    size_t len;
    if (!read_file(path, &text, &len)) {
        note_unreadable(run, path, strerror(errno));
        return false;
    }
    iam_findings *fs;
    iam_error err;
    iam_status st = iam_policy_check(&fs, text, len, run->type, path, NULL, &err);
    free(text);
    if (st != IAM_OK) {
        note_unreadable(run, path, err.message);
        return false;
    }
    run->files++;
    for (size_t i = 0; i < iam_findings_count(fs); i++) {
        iam_finding f;
        if (iam_findings_get(fs, i, &f) != IAM_OK)
            continue;
        if (f.severity == IAM_SEVERITY_ERROR)
            run->errors++;
        else
            run->warnings++;
        write_finding(run, path, &f);
    }
    iam_findings_free(fs);
    return true;
}

int cmd_check(int argc, char **argv)
{
    check_run run;
    memset(&run, 0, sizeof run);
    run.type = IAM_POLICY_IDENTITY;
    bool strict = false;
    int i = 0;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--type") == 0 && i + 1 < argc) {
            if (!parse_type(argv[++i], &run.type)) {
                fprintf(stderr, "iameval check: unknown policy type \"%s\"\n", argv[i]);
                return EXIT_INPUT;
            }
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            const char *f = argv[++i];
            if (strcmp(f, "text") == 0)
                run.format = FORMAT_TEXT;
            else if (strcmp(f, "json") == 0)
                run.format = FORMAT_JSON;
            else if (strcmp(f, "sarif") == 0)
                run.format = FORMAT_SARIF;
            else {
                fprintf(stderr, "iameval check: unknown format \"%s\" (text, json or sarif)\n", f);
                return EXIT_INPUT;
            }
        } else if (strcmp(a, "--strict") == 0) {
            strict = true;
        } else {
            if (end_of_options("check", argv, &i, usage) != EXIT_OK)
                return EXIT_INPUT;
            break;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return EXIT_INPUT;
    }
    begin_output(&run);
    for (; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
            check_file(&run, argv[i]);
            continue;
        }
        path_list files = {0};
        if (!collect_scenario_files(&files, argv + i, 1))
            note_unreadable(&run, argv[i], "cannot list the directory");
        for (size_t k = 0; k < files.count; k++) {
            size_t n = strlen(files.items[k]);
            if (n > 5 && strcmp(files.items[k] + n - 5, ".json") == 0)
                check_file(&run, files.items[k]);
        }
        path_list_free(&files);
    }
    int status = run.unread ? EXIT_INPUT
                 : run.errors || (strict && run.warnings) ? EXIT_MISMATCH
                                                           : EXIT_OK;
    end_output(&run, status);
    for (size_t k = 0; k < run.bad_count; k++) {
        free(run.bad[k].file);
        free(run.bad[k].message);
    }
    free(run.bad);
    return status;
}
