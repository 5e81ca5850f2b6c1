/* Evaluation allocates nothing: every heap function is interposed here and
 * counted while requests are evaluated (the explaining path, which may
 * allocate, is measured too, to show the counter works). Built without the
 * sanitizers, which bring their own allocator. */
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "workload.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

static volatile int counting;
static volatile unsigned long allocations;

void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);
void free(void *p);
int posix_memalign(void **out, size_t align, size_t n);
void *aligned_alloc(size_t align, size_t n);

void *malloc(size_t n)
{
    if (counting)
        allocations++;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    if (counting)
        allocations++;
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    if (counting)
        allocations++;
    return __libc_realloc(p, n);
}

void free(void *p)
{
    __libc_free(p);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    if (counting)
        allocations++;
    *out = __libc_memalign(align, n);
    return *out ? 0 : 12;
}

void *aligned_alloc(size_t align, size_t n)
{
    if (counting)
        allocations++;
    return __libc_memalign(align, n);
}

enum { REQUESTS = 20000 };

int main(void)
{
    workload wl;
    if (workload_build(&wl) != 0) {
        CHECK(!"workload builds");
        return check_report();
    }
    iam_scratch *scratch;
    CHECK_INT(iam_scratch_create(&scratch, NULL), IAM_OK);
    /* A first pass warms what is legitimately lazy inside PCRE2 (the
     * interpreter keeps its frames in the match data after first use). */
    for (size_t i = 0; i < 200; i++) {
        workload_request r;
        workload_request_make(i, &r);
        iam_decision d;
        iam_evaluate(wl.set, &r.req, scratch, &d, NULL);
    }
    unsigned long decided = 0;
    counting = 1;
    for (size_t i = 0; i < REQUESTS; i++) {
        workload_request r;
        workload_request_make(i, &r);
        iam_decision d;
        decided += iam_evaluate(wl.set, &r.req, scratch, &d, NULL) == IAM_OK;
    }
    counting = 0;
    CHECK_INT(decided, REQUESTS);
    CHECK_INT(allocations, 0);
    printf("%lu allocations in %d evaluations\n", allocations, REQUESTS);

    /* The counter sees allocations where there are some. */
    iam_explanation *ex;
    iam_explanation_create(&ex);
    allocations = 0;
    counting = 1;
    workload_request r;
    workload_request_make(1, &r);
    iam_decision d;
    iam_evaluate_explain(wl.set, &r.req, scratch, &d, ex, NULL);
    counting = 0;
    CHECK(allocations > 0);
    iam_explanation_free(ex);
    iam_scratch_free(scratch);
    workload_free(&wl);
    return check_report();
}
