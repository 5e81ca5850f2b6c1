/* The byte-comparison path for substituted patterns (template_match_literal)
 * agrees with the general one (glob_parse_pieces + glob_match_elems) on every
 * template it accepts, over a grid of patterns, values and subjects. */
#include "check.h"
#include "internal.h"

static const char *const patterns[] = {
    "arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/${aws:username}", "home/${aws:username}/*",
    "${aws:username}", "${aws:username}*", "a${aws:username}b${aws:userid}*", "x${*}${aws:username}*",
    "pre-${aws:username, 'dflt'}-post", "${aws:username}${aws:userid}", "team-${aws:username}/${?}*",
    "arn:aws:s3:::b/${aws:username}/x*y", "arn:aws:s3:*:::${aws:username}/*",
};
static const char *const values[] = {"alice", "", "a*b", "a?", "with space", "\xc3\xa9t\xc3\xa9", "dflt"};
static const char *const subjects[] = {
    "arn:aws:s3:::home/alice/notes", "arn:aws:s3:::home/alice", "arn:aws:s3:::home/alice/", "home/alice/x",
    "alice", "aliceX", "", "aaliceb", "aaliceb9", "x*alice", "x*aliceZZ", "pre-alice-post", "pre-dflt-post",
    "alicealice", "team-alice/?", "team-alice/?more", "home/a*b/x", "home/a?/", "a*b", "a*bc",
    "\xc3\xa9t\xc3\xa9", "arn:aws:s3:::b/alice/xzy", "team-/?",
};

int main(void)
{
    iam_scratch *s;
    if (iam_scratch_create(&s, NULL) != IAM_OK)
        return 2;
    arena a;
    arena_init(&a);
    unsigned literal = 0;
    for (size_t pi = 0; pi < sizeof patterns / sizeof *patterns; pi++) {
        iam_template *t;
        const char *pat = patterns[pi];
        size_t from = strncmp(pat, "arn:", 4) == 0 ? 13 : 0;
        CHECK(template_parse(&t, pat, strlen(pat), from, &a) == IAM_OK && t != NULL);
        if (t == NULL || !t->literal_only)
            continue;
        literal++;
        for (size_t vi = 0; vi < sizeof values / sizeof *values; vi++) {
            iam_str v = {values[vi], strlen(values[vi])}, uid = {"9", 1};
            iam_context_entry ctx[2] = {{{"aws:username", 12}, &v, 1, 0}, {{"aws:userid", 10}, &uid, 1, 0}};
            iam_request req = {.principal = {"arn:aws:iam::111122223333:user/u", 32}, .action = {"s3:GetObject", 12},
                               .resource = {"*", 1}, .context = ctx, .context_count = 2};
            CHECK(request_prepare(&req, s, NULL) == IAM_OK);
            bool unresolved;
            size_t n = template_resolve(t, s, &unresolved);
            CHECK(n != (size_t)-1 && !unresolved);
            size_t ne = glob_parse_pieces(s->pieces, n, from ? GLOB_RESOURCE : GLOB_PLAIN, s->elems, s->elem_cap);
            for (size_t si = 0; si < sizeof subjects / sizeof *subjects; si++) {
                const char *sub = subjects[si];
                bool fast = template_match_literal(t, s->pieces, n, sub, strlen(sub));
                bool slow = glob_match_elems(s->elems, ne, sub, strlen(sub));
                if (fast != slow)
                    fprintf(stderr, "pattern %s value \"%s\" subject \"%s\": fast %d, general %d\n", pat, values[vi],
                            sub, fast, slow);
                CHECK(fast == slow);
            }
        }
    }
    /* The grid must exercise the fast path, and refuse it where a wildcard sits mid-pattern. */
    CHECK(literal >= 8);
    iam_template *t;
    CHECK(template_parse(&t, "a*${aws:username}", 17, 0, &a) == IAM_OK && t && !t->literal_only);
    CHECK(template_parse(&t, "a?${aws:username}", 17, 0, &a) == IAM_OK && t && !t->literal_only);
    CHECK(template_parse(&t, "${aws:username}*x", 17, 0, &a) == IAM_OK && t && !t->literal_only);
    arena_release(&a);
    iam_scratch_free(s);
    return check_report();
}
