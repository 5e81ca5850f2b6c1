/* A test framework in a few macros: each test program counts its checks and
 * ends with the line "N passed, N failed", which tests/run_all.sh adds up. */
#ifndef IAMEVAL_CHECK_H
#define IAMEVAL_CHECK_H

#include <stdio.h>
#include <string.h>

static unsigned check_passed_count;
static unsigned check_failed_count;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (cond) {                                                          \
            check_passed_count++;                                            \
        } else {                                                             \
            check_failed_count++;                                            \
            fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                    \
    } while (0)

/* CHECK with a name printed on failure, e.g. the spec rule it covers. */
#define CHECK_NAMED(name, cond)                                              \
    do {                                                                     \
        if (cond) {                                                          \
            check_passed_count++;                                            \
        } else {                                                             \
            check_failed_count++;                                            \
            fprintf(stderr, "%s:%d: FAIL [%s]: %s\n", __FILE__, __LINE__,    \
                    (name), #cond);                                          \
        }                                                                    \
    } while (0)

#define CHECK_STR(got, want)                                                 \
    do {                                                                     \
        const char *check_g_ = (got), *check_w_ = (want);                    \
        if (check_g_ && check_w_ && strcmp(check_g_, check_w_) == 0) {      \
            check_passed_count++;                                            \
        } else {                                                             \
            check_failed_count++;                                            \
            fprintf(stderr, "%s:%d: FAIL: %s is \"%s\", want \"%s\"\n",      \
                    __FILE__, __LINE__, #got,                                \
                    check_g_ ? check_g_ : "(null)",                          \
                    check_w_ ? check_w_ : "(null)");                         \
        }                                                                    \
    } while (0)

#define CHECK_INT(got, want)                                                 \
    do {                                                                     \
        long long check_g_ = (long long)(got), check_w_ = (long long)(want); \
        if (check_g_ == check_w_) {                                          \
            check_passed_count++;                                            \
        } else {                                                             \
            check_failed_count++;                                            \
            fprintf(stderr, "%s:%d: FAIL: %s is %lld, want %lld\n",          \
                    __FILE__, __LINE__, #got, check_g_, check_w_);           \
        }                                                                    \
    } while (0)

/* Ends main(): prints the summary line and returns the exit status. */
static inline int check_report(void)
{
    printf("%u passed, %u failed\n", check_passed_count, check_failed_count);
    return check_failed_count ? 1 : 0;
}

#endif
