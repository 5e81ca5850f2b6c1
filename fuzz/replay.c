/* Replays files through a libFuzzer harness without libFuzzer, so that gcc
 * builds under AddressSanitizer and UndefinedBehaviorSanitizer run every
 * stored input in `make test`.
 *
 * Usage: replay_<target> PATH...
 * A file is fed as one input; a directory is walked recursively in sorted
 * order (runs are reproducible) feeding every regular file except notes
 * (*.note, *.md). In a directory named "regressions", shared by all
 * harnesses, only files named <target>-* are fed, <target> being this
 * program's name after "replay_". A path that does not exist feeds nothing.
 *
 * Each input sits in a malloc'd buffer of exactly its size, so a read past
 * its end is caught. A harness that finds a problem aborts; otherwise the
 * last line is "N passed, 0 failed" (a file that cannot be read fails). */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static const char *target = "";
static unsigned passed, failed;

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Whether path names a directory called regressions, trailing '/' or not. */
static int is_regressions(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    return n >= 11 && strncmp(path + n - 11, "regressions", 11) == 0 &&
           (n == 11 || path[n - 12] == '/');
}

static void replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0 || st.st_size < 0) {
        fprintf(stderr, "ERROR: cannot read %s: %s\n", path, strerror(errno));
        if (f)
            fclose(f);
        failed++;
        return;
    }
    size_t size = (size_t)st.st_size;
    uint8_t *data = malloc(size);
    if ((!data && size) || fread(data, 1, size, f) != size) {
        fprintf(stderr, "ERROR: cannot read %s\n", path);
        free(data);
        fclose(f);
        failed++;
        return;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    passed++;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay_path(const char *path, int walked, int in_regressions);

static void replay_dir(const char *path)
{
    DIR *dir = opendir(path);
    if (!dir) {
        fprintf(stderr, "ERROR: cannot open %s: %s\n", path, strerror(errno));
        failed++;
        return;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown) {
                fprintf(stderr, "ERROR: out of memory\n");
                exit(1);
            }
            names = grown;
        }
        size_t len = strlen(path) + strlen(de->d_name) + 2;
        names[count] = malloc(len);
        if (!names[count]) {
            fprintf(stderr, "ERROR: out of memory\n");
            exit(1);
        }
        snprintf(names[count], len, "%s/%s", path, de->d_name);
        count++;
    }
    closedir(dir);
    if (count)
        qsort(names, count, sizeof *names, by_name);
    int in_regressions = is_regressions(path);
    for (size_t k = 0; k < count; k++) {
        replay_path(names[k], 1, in_regressions);
        free(names[k]);
    }
    free(names);
}

/* walked: path was found in a directory, not named on the command line. */
static void replay_path(const char *path, int walked, int in_regressions)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return; /* a corpus not created yet holds nothing to replay */
    if (S_ISLNK(st.st_mode) && stat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        /* symbolic links to directories are not followed: no cycles */
        struct stat lst;
        if (lstat(path, &lst) == 0 && !S_ISLNK(lst.st_mode))
            replay_dir(path);
        return;
    }
    if (!S_ISREG(st.st_mode))
        return;
    const char *name = base_name(path);
    if (!walked) {
        replay_file(path);
        return;
    }
    if (ends_with(name, ".note") || ends_with(name, ".md"))
        return;
    if (in_regressions &&
        (strncmp(name, target, strlen(target)) != 0 || name[strlen(target)] != '-'))
        return;
    replay_file(path);
}

int main(int argc, char **argv)
{
    const char *self = base_name(argc > 0 ? argv[0] : "");
    target = strncmp(self, "replay_", 7) == 0 ? self + 7 : self;
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    for (int k = 1; k < argc; k++)
        replay_path(argv[k], 0, 0);
    printf("%u passed, %u failed\n", passed, failed);
    return failed ? 1 : 0;
}
