/* One compiled set shared by many threads, each with its own scratch, gives
 * exactly the decisions of a single thread (the set is immutable; nothing is
 * locked). */
#include <pthread.h>

#include "check.h"
#include "workload.h"

enum { REQUESTS = 4000, THREADS = 4 };

static workload wl;
static int expected[REQUESTS];

typedef struct job {
    int start;
    int mismatches;
    int errors;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    iam_scratch *scratch;
    if (iam_scratch_create(&scratch, NULL) != IAM_OK) {
        j->errors++;
        return NULL;
    }
    /* Each thread walks the requests from a different start, so threads
     * evaluate different requests at the same moment. */
    size_t start = (size_t)j->start;
    for (size_t round = 0; round < 3; round++)
        for (size_t k = 0; k < REQUESTS; k++) {
            size_t i = (start + k * 7) % REQUESTS;
            workload_request r;
            workload_request_make(i, &r);
            iam_decision d;
            if (iam_evaluate(wl.set, &r.req, scratch, &d, NULL) != IAM_OK)
                j->errors++;
            else if ((int)d != expected[i])
                j->mismatches++;
        }
    iam_scratch_free(scratch);
    return NULL;
}

int main(void)
{
    if (workload_build(&wl) != 0) {
        CHECK(!"workload builds");
        return check_report();
    }
    iam_scratch *scratch;
    iam_scratch_create(&scratch, NULL);
    int counts[3] = {0};
    for (size_t i = 0; i < REQUESTS; i++) {
        workload_request r;
        workload_request_make(i, &r);
        iam_decision d;
        iam_error err;
        iam_status st = iam_evaluate(wl.set, &r.req, scratch, &d, &err);
        CHECK_INT(st, IAM_OK);
        expected[i] = st == IAM_OK ? (int)d : -1;
        if (st == IAM_OK)
            counts[d]++;
    }
    iam_scratch_free(scratch);
    /* The workload must exercise all three decisions, or this test proves little. */
    CHECK(counts[IAM_ALLOWED] > 100);
    CHECK(counts[IAM_EXPLICIT_DENY] > 100);
    CHECK(counts[IAM_IMPLICIT_DENY] > 100);

    pthread_t threads[THREADS];
    job jobs[THREADS];
    memset(jobs, 0, sizeof jobs);
    for (int t = 0; t < THREADS; t++) {
        jobs[t].start = t * (REQUESTS / THREADS);
        CHECK_INT(pthread_create(&threads[t], NULL, worker, &jobs[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        CHECK_INT(jobs[t].errors, 0);
        CHECK_INT(jobs[t].mismatches, 0);
    }
    workload_free(&wl);
    return check_report();
}
