/* Every bound of iam_limits, tested at its edge: a document exactly at the
 * limit is accepted, one unit past it is rejected with IAM_ERR_LIMIT (or the
 * code iameval.h documents: nesting depth is a JSON error) and a message
 * that names the limit. Each bound is tested with the defaults of
 * iam_limits_init and with a small custom value, which shows that the field
 * is read rather than a constant. Last, pathological wildcard patterns must
 * be decided quickly and correctly. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "iameval.h"

/* ---- helpers --------------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (np == NULL) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        fprintf(stderr, "sb_printf: too long\n");
        exit(1);
    }
    sb_add(b, tmp, (size_t)n);
}

static void sb_repeat(sbuf *b, const char *s, size_t times)
{
    for (size_t i = 0; i < times; i++)
        sb_puts(b, s);
}

static void sb_free(sbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

static iam_error last_err;

/* Parses and frees; the status, with last_err filled on failure. */
static iam_status parse(const char *text, size_t len, iam_policy_type type, const iam_limits *lim)
{
    iam_policy *p = NULL;
    memset(&last_err, 0, sizeof last_err);
    iam_status s = iam_policy_parse(&p, text, len, type, "limits", lim, &last_err);
    if ((s == IAM_OK) != (p != NULL))
        CHECK(!"status and policy disagree");
    iam_policy_free(p);
    return s;
}

static iam_status parse_sb(const sbuf *b, iam_policy_type type, const iam_limits *lim)
{
    return parse(b->p, b->len, type, lim);
}

/* A rejection for a bound: the code, and a message that says so. */
#define CHECK_LIMIT(status)                                                         \
    do {                                                                            \
        iam_status check_l_ = (status);                                             \
        CHECK_NAMED(#status, check_l_ == IAM_ERR_LIMIT);                            \
        CHECK_NAMED(#status, last_err.code == IAM_ERR_LIMIT);                       \
        CHECK_NAMED(#status, strstr(last_err.message, "limit") != NULL);            \
        if (check_l_ != IAM_ERR_LIMIT || strstr(last_err.message, "limit") == NULL) \
            fprintf(stderr, "  got: %d %s\n", check_l_,                             \
                    check_l_ == IAM_OK ? "(accepted)" : last_err.message);          \
    } while (0)

#define CHECK_OK(status)                                                   \
    do {                                                                   \
        iam_status check_s_ = (status);                                    \
        CHECK_NAMED(#status, check_s_ == IAM_OK);                          \
        if (check_s_ != IAM_OK)                                            \
            fprintf(stderr, "  got: %d %s\n", check_s_, last_err.message); \
    } while (0)

static iam_limits defaults(void)
{
    iam_limits l;
    iam_limits_init(&l);
    return l;
}

static const char *const head = "{\"Version\":\"2012-10-17\",\"Statement\":[";
static const char *const allow_all = "{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}";

/* ---- the defaults ---------------------------------------------------------- */

static void test_defaults(void)
{
    iam_limits l = defaults();
    CHECK_INT(l.max_document_bytes, 1u << 20);
    CHECK_INT(l.max_file_bytes, (size_t)256u << 20);
    CHECK_INT(l.max_depth, 64);
    CHECK_INT(l.max_statements, 10000);
    CHECK_INT(l.max_values, 20000);
    CHECK_INT(l.max_pattern_bytes, 4096);
    CHECK_INT(l.max_wildcards, 128);
    CHECK_INT(l.max_policies_per_layer, 10000);
    CHECK_INT(l.max_levels, 16);
    CHECK_INT(l.max_context_keys, 1024);
}

/* ---- document size --------------------------------------------------------- */

/* A valid policy of exactly `size` bytes (padded with spaces). */
static void policy_of_size(sbuf *b, size_t size)
{
    b->len = 0;
    sb_puts(b, head);
    sb_puts(b, allow_all);
    sb_puts(b, "]}");
    while (b->len < size)
        sb_puts(b, " ");
}

static void test_document_bytes(void)
{
    sbuf b = {0};
    iam_limits l = defaults();
    policy_of_size(&b, l.max_document_bytes);
    CHECK_INT(b.len, l.max_document_bytes);
    CHECK_OK(parse_sb(&b, IAM_POLICY_IDENTITY, NULL));
    sb_puts(&b, " ");
    CHECK_LIMIT(parse_sb(&b, IAM_POLICY_IDENTITY, NULL));

    l.max_document_bytes = 200;
    policy_of_size(&b, 200);
    CHECK_OK(parse_sb(&b, IAM_POLICY_SCP, &l));
    sb_puts(&b, " ");
    CHECK_LIMIT(parse_sb(&b, IAM_POLICY_SCP, &l));

    /* The same bound when the document comes from a file. */
    char path[] = "/tmp/iameval-limits-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) {
        policy_of_size(&b, 200);
        CHECK(write(fd, b.p, b.len) == (ssize_t)b.len);
        iam_policy *p = NULL;
        CHECK_OK(iam_policy_load_file(&p, path, IAM_POLICY_IDENTITY, &l, &last_err));
        iam_policy_free(p);
        p = NULL;
        CHECK(write(fd, " ", 1) == 1);
        CHECK_LIMIT(iam_policy_load_file(&p, path, IAM_POLICY_IDENTITY, &l, &last_err));
        CHECK(p == NULL);
        close(fd);
        unlink(path);
    }
    sb_free(&b);
}

/* ---- scenario file size ---------------------------------------------------- */

static const char *const small_scenario =
    "{\"name\":\"n\",\"request\":{\"principal\":\"arn:aws:iam::111122223333:user/alice\","
    "\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::b/k\",\"resource_account\":\"111122223333\"},"
    "\"identity_policies\":[{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
    "\"Action\":\"s3:*\",\"Resource\":\"*\"}}],\"expect\":\"allowed\"}";

static void test_file_bytes(void)
{
    iam_limits l = defaults();
    sbuf b = {0};
    sb_puts(&b, small_scenario);
    while (b.len < 400)
        sb_puts(&b, " ");
    l.max_file_bytes = 400;

    char path[] = "/tmp/iameval-limits-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK(write(fd, b.p, b.len) == (ssize_t)b.len);
        iam_scenario_file *f = NULL;
        CHECK_OK(iam_scenario_file_load(&f, path, &l, &last_err));
        CHECK_INT(iam_scenario_file_count(f), 1);
        iam_scenario_file_free(f);
        f = NULL;
        CHECK(write(fd, " ", 1) == 1);
        CHECK_LIMIT(iam_scenario_file_load(&f, path, &l, &last_err));
        CHECK(f == NULL);
        close(fd);
        unlink(path);
    }

    /* From memory the bound is the same: the text is the file. */
    iam_scenario_file *f = NULL;
    CHECK_OK(iam_scenario_file_parse(&f, b.p, 400, 0, "mem", &l, &last_err));
    iam_scenario_file_free(f);
    f = NULL;
    sb_puts(&b, " ");
    memset(&last_err, 0, sizeof last_err);
    CHECK_LIMIT(iam_scenario_file_parse(&f, b.p, 401, 0, "mem", &l, &last_err));
    CHECK(f == NULL);
    iam_scenario_file_free(f); /* if the bound was not enforced */
    f = NULL;
    memset(&last_err, 0, sizeof last_err);
    CHECK_LIMIT(iam_scenario_file_parse(&f, b.p, 401, 1, "mem.jsonl", &l, &last_err));
    iam_scenario_file_free(f);
    sb_free(&b);
}

/* ---- JSON nesting depth ---------------------------------------------------- */

/* A policy whose deepest value sits at `depth` levels of arrays and objects:
 * the root object, Statement, the statement, Condition, the operator, then
 * depth - 5 levels of arrays as the key's value (M16 makes it a policy
 * error once arrays nest, so the JSON layer is what the test sees). */
static void nested_policy(sbuf *b, unsigned depth)
{
    b->len = 0;
    sb_puts(b, head);
    sb_puts(b, "{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"k\":");
    for (unsigned i = 5; i < depth; i++)
        sb_puts(b, "[");
    sb_puts(b, "\"v\"");
    for (unsigned i = 5; i < depth; i++)
        sb_puts(b, "]");
    sb_puts(b, "}}}]}");
}

static void test_depth(void)
{
    sbuf b = {0};
    iam_limits l = defaults();
    /* At the default depth the JSON is read (and the policy refused for its
     * nested array, M16); one more level is refused by the JSON reader. */
    nested_policy(&b, l.max_depth);
    iam_status s = parse_sb(&b, IAM_POLICY_IDENTITY, NULL);
    CHECK_INT(s, IAM_ERR_POLICY);
    nested_policy(&b, l.max_depth + 1);
    s = parse_sb(&b, IAM_POLICY_IDENTITY, NULL);
    CHECK_INT(s, IAM_ERR_JSON);
    CHECK(strstr(last_err.message, "nesting") != NULL || strstr(last_err.message, "deep") != NULL);

    /* A valid policy of depth 6 (a list of condition values) with max_depth 6
     * and 5. */
    nested_policy(&b, 6);
    l.max_depth = 6;
    CHECK_OK(parse_sb(&b, IAM_POLICY_IDENTITY, &l));
    l.max_depth = 5;
    s = parse_sb(&b, IAM_POLICY_IDENTITY, &l);
    CHECK_INT(s, IAM_ERR_JSON);
    CHECK(last_err.line == 1 && last_err.column > 0);

    /* Scenario files: array of scenarios (1), scenario (2), identity_policies
     * (3), the policy (4), Statement (5), the statement (6). */
    sbuf sc = {0};
    sb_puts(&sc, "[");
    sb_puts(&sc, small_scenario);
    sb_puts(&sc, "]");
    iam_scenario_file *f = NULL;
    l = defaults();
    l.max_depth = 5;
    CHECK_OK(iam_scenario_file_parse(&f, sc.p, sc.len, 0, "mem", &l, &last_err)); /* Statement is an object here */
    iam_scenario_file_free(f);
    f = NULL;
    l.max_depth = 4;
    s = iam_scenario_file_parse(&f, sc.p, sc.len, 0, "mem", &l, &last_err);
    CHECK_INT(s, IAM_ERR_JSON);
    CHECK(f == NULL);
    sb_free(&sc);
    sb_free(&b);
}

/* ---- statements per policy -------------------------------------------------- */

static void policy_with_statements(sbuf *b, size_t n)
{
    b->len = 0;
    sb_puts(b, head);
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_puts(b, ",");
        sb_puts(b, "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}");
    }
    sb_puts(b, "]}");
}

static void test_statements(void)
{
    sbuf b = {0};
    iam_limits l = defaults();
    policy_with_statements(&b, l.max_statements);
    CHECK_OK(parse_sb(&b, IAM_POLICY_IDENTITY, NULL));
    policy_with_statements(&b, l.max_statements + 1);
    CHECK_LIMIT(parse_sb(&b, IAM_POLICY_IDENTITY, NULL));

    l.max_statements = 3;
    policy_with_statements(&b, 3);
    CHECK_OK(parse_sb(&b, IAM_POLICY_BOUNDARY, &l));
    policy_with_statements(&b, 4);
    CHECK_LIMIT(parse_sb(&b, IAM_POLICY_BOUNDARY, &l));

    /* The object form is one statement. */
    l.max_statements = 1;
    const char *obj = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}";
    CHECK_OK(parse(obj, strlen(obj), IAM_POLICY_IDENTITY, &l));
    l.max_statements = 0;
    CHECK_LIMIT(parse(obj, strlen(obj), IAM_POLICY_IDENTITY, &l));
    policy_with_statements(&b, 0);
    CHECK_OK(parse_sb(&b, IAM_POLICY_IDENTITY, &l));
    sb_free(&b);
}

/* ---- values per element ----------------------------------------------------- */

enum element { E_ACTION, E_RESOURCE, E_PRINCIPAL, E_CONDITION };

static void policy_with_values(sbuf *b, enum element e, size_t n)
{
    b->len = 0;
    sb_puts(b, head);
    sb_puts(b, "{\"Effect\":\"Allow\"");
    if (e == E_PRINCIPAL) {
        sb_puts(b, ",\"Principal\":{\"AWS\":[");
        for (size_t i = 0; i < n; i++)
            sb_printf(b, "%s\"%012zu\"", i ? "," : "", 100000000000u + i);
        sb_puts(b, "]}");
    }
    sb_puts(b, ",\"Action\":");
    if (e == E_ACTION) {
        sb_puts(b, "[");
        for (size_t i = 0; i < n; i++)
            sb_printf(b, "%s\"s3:Get%zu\"", i ? "," : "", i);
        sb_puts(b, "]");
    } else {
        sb_puts(b, "\"s3:GetObject\"");
    }
    sb_puts(b, ",\"Resource\":");
    if (e == E_RESOURCE) {
        sb_puts(b, "[");
        for (size_t i = 0; i < n; i++)
            sb_printf(b, "%s\"arn:aws:s3:::b/%zu\"", i ? "," : "", i);
        sb_puts(b, "]");
    } else {
        sb_puts(b, "\"*\"");
    }
    if (e == E_CONDITION) {
        sb_puts(b, ",\"Condition\":{\"StringLike\":{\"s3:prefix\":[");
        for (size_t i = 0; i < n; i++)
            sb_printf(b, "%s\"home/%zu/*\"", i ? "," : "", i);
        sb_puts(b, "]}}");
    }
    sb_puts(b, "}]}");
}

static void test_values(void)
{
    static const char *const names[] = {"Action", "Resource", "Principal", "Condition"};
    sbuf b = {0};
    for (int e = E_ACTION; e <= E_CONDITION; e++) {
        iam_policy_type type = e == E_PRINCIPAL ? IAM_POLICY_RESOURCE : IAM_POLICY_IDENTITY;
        iam_limits l = defaults();
        policy_with_values(&b, (enum element)e, l.max_values);
        iam_status s = parse_sb(&b, type, NULL);
        CHECK_NAMED(names[e], s == IAM_OK);
        policy_with_values(&b, (enum element)e, l.max_values + 1);
        s = parse_sb(&b, type, NULL);
        CHECK_NAMED(names[e], s == IAM_ERR_LIMIT && strstr(last_err.message, "limit") != NULL);
        l.max_values = 2;
        policy_with_values(&b, (enum element)e, 2);
        s = parse_sb(&b, type, &l);
        CHECK_NAMED(names[e], s == IAM_OK);
        policy_with_values(&b, (enum element)e, 3);
        s = parse_sb(&b, type, &l);
        CHECK_NAMED(names[e], s == IAM_ERR_LIMIT && strstr(last_err.message, "limit") != NULL);
        if (s != IAM_ERR_LIMIT)
            fprintf(stderr, "  %s: got %d %s\n", names[e], s, last_err.message);
    }
    sb_free(&b);
}

/* ---- pattern bytes and wildcards -------------------------------------------- */

enum pattern_place { P_ACTION, P_RESOURCE, P_STRING_LIKE, P_ARN_LIKE, P_STRING_LIKE_VAR, P_RESOURCE_VAR, P_ARN_LIKE_VAR };

static const char *const place_names[] = {"action pattern", "resource pattern", "StringLike value",
                                          "ArnLike value", "StringLike value with a variable",
                                          "resource pattern with a variable", "ArnLike value with a variable"};

/* A policy holding one pattern of exactly `bytes` bytes with exactly
 * `wildcards` wildcards ('*' and '?' alternately) at `place`. */
static void policy_with_pattern(sbuf *b, enum pattern_place place, size_t bytes, size_t wildcards)
{
    static const char *const prefixes[] = {"s3:", "arn:aws:s3:::b/", "", "arn:aws:s3:::", "${aws:username}",
                                           "arn:aws:s3:::b/${aws:username}/", "arn:aws:s3:::${aws:username}/"};
    sbuf pat = {0};
    sb_puts(&pat, prefixes[place]);
    for (size_t i = 0; i < wildcards; i++)
        sb_puts(&pat, i % 2 ? "?" : "*");
    while (pat.len < bytes)
        sb_puts(&pat, "x");
    b->len = 0;
    sb_puts(b, head);
    sb_puts(b, "{\"Effect\":\"Allow\",\"Action\":");
    sb_puts(b, place == P_ACTION ? "\"" : "\"s3:GetObject\"");
    if (place == P_ACTION) {
        sb_puts(b, pat.p);
        sb_puts(b, "\"");
    }
    sb_puts(b, ",\"Resource\":\"");
    sb_puts(b, place == P_RESOURCE || place == P_RESOURCE_VAR ? pat.p : "*");
    sb_puts(b, "\"");
    if (place == P_STRING_LIKE || place == P_STRING_LIKE_VAR) {
        sb_puts(b, ",\"Condition\":{\"StringLike\":{\"s3:prefix\":\"");
        sb_puts(b, pat.p);
        sb_puts(b, "\"}}");
    } else if (place == P_ARN_LIKE || place == P_ARN_LIKE_VAR) {
        sb_puts(b, ",\"Condition\":{\"ArnLike\":{\"aws:SourceArn\":\"");
        sb_puts(b, pat.p);
        sb_puts(b, "\"}}");
    }
    sb_puts(b, "}]}");
    sb_free(&pat);
}

static void test_patterns(void)
{
    sbuf b = {0};
    for (int place = P_ACTION; place <= P_ARN_LIKE_VAR; place++) {
        const char *name = place_names[place];
        for (int custom = 0; custom < 2; custom++) {
            iam_limits l = defaults();
            if (custom) {
                l.max_pattern_bytes = 40;
                l.max_wildcards = 3;
            }
            size_t maxb = l.max_pattern_bytes, maxw = l.max_wildcards;
            /* bytes at the limit, then one past it */
            policy_with_pattern(&b, (enum pattern_place)place, maxb, 1);
            iam_status s = parse_sb(&b, IAM_POLICY_IDENTITY, &l);
            CHECK_NAMED(name, s == IAM_OK);
            if (s != IAM_OK)
                fprintf(stderr, "  %s (%zu bytes): got %d %s\n", name, maxb, s, last_err.message);
            policy_with_pattern(&b, (enum pattern_place)place, maxb + 1, 1);
            s = parse_sb(&b, IAM_POLICY_IDENTITY, &l);
            CHECK_NAMED(name, s == IAM_ERR_LIMIT && strstr(last_err.message, "limit") != NULL);
            if (s != IAM_ERR_LIMIT)
                fprintf(stderr, "  %s (%zu bytes): got %d %s\n", name, maxb + 1, s, last_err.message);
            /* wildcards at the limit, then one past it */
            policy_with_pattern(&b, (enum pattern_place)place, 0, maxw);
            s = parse_sb(&b, IAM_POLICY_IDENTITY, &l);
            CHECK_NAMED(name, s == IAM_OK);
            if (s != IAM_OK)
                fprintf(stderr, "  %s (%zu wildcards): got %d %s\n", name, maxw, s, last_err.message);
            policy_with_pattern(&b, (enum pattern_place)place, 0, maxw + 1);
            s = parse_sb(&b, IAM_POLICY_IDENTITY, &l);
            CHECK_NAMED(name, s == IAM_ERR_LIMIT);
            if (s != IAM_ERR_LIMIT)
                fprintf(stderr, "  %s (%zu wildcards, %s limits): got %d %s\n", name, maxw + 1,
                        custom ? "custom" : "default", s, s ? last_err.message : "accepted");
        }
    }
    /* A StringEquals value is no pattern: its '*' are plain characters. */
    iam_limits l = defaults();
    l.max_wildcards = 3;
    const char *eq = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\","
                     "\"Condition\":{\"StringEquals\":{\"s3:prefix\":\"*****\"}}}}";
    CHECK_OK(parse(eq, strlen(eq), IAM_POLICY_IDENTITY, &l));
    sb_free(&b);
}

/* ---- policies per layer, levels -------------------------------------------- */

static void test_layers(void)
{
    iam_limits l = defaults();
    size_t n = l.max_policies_per_layer + 1;
    iam_policy **pols = calloc(n, sizeof *pols);
    iam_policy *scp = NULL, *rcp = NULL;
    const char *text = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}";
    const char *rcp_text = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"Principal\":\"*\","
                           "\"Action\":\"s3:DeleteObject\",\"Resource\":\"*\"}}";
    CHECK_OK(iam_policy_parse(&scp, text, strlen(text), IAM_POLICY_SCP, "scp", NULL, &last_err));
    CHECK_OK(iam_policy_parse(&rcp, rcp_text, strlen(rcp_text), IAM_POLICY_RCP, "rcp", NULL, &last_err));
    for (size_t i = 0; i < n && pols; i++)
        CHECK_OK(iam_policy_parse(&pols[i], text, strlen(text), IAM_POLICY_IDENTITY, "id", NULL, &last_err));
    if (pols == NULL || scp == NULL || rcp == NULL) {
        CHECK(!"setup for test_layers");
        return;
    }

    /* identity policies: defaults, then a custom bound of 2 */
    for (int custom = 0; custom < 2; custom++) {
        iam_limits lim = defaults();
        if (custom)
            lim.max_policies_per_layer = 2;
        size_t max = lim.max_policies_per_layer;
        iam_setup *setup;
        CHECK_OK(iam_setup_create(&setup));
        for (size_t i = 0; i < max; i++)
            iam_setup_add(setup, pols[i], 0, NULL);
        iam_policy_set *set = NULL;
        CHECK_OK(iam_policy_set_compile(&set, setup, &lim, &last_err));
        iam_policy_set_free(set);
        set = NULL;
        iam_setup_add(setup, pols[max], 0, NULL);
        CHECK_LIMIT(iam_policy_set_compile(&set, setup, &lim, &last_err));
        CHECK(set == NULL);
        iam_setup_free(setup);
    }

    /* policies at one SCP level and one RCP level */
    for (int t = 0; t < 2; t++) {
        iam_policy_type type = t ? IAM_POLICY_RCP : IAM_POLICY_SCP;
        iam_policy *p = t ? rcp : scp;
        iam_limits lim = defaults();
        lim.max_policies_per_layer = 3;
        iam_setup *setup;
        CHECK_OK(iam_setup_create(&setup));
        CHECK_OK(iam_setup_set_levels(setup, type, 2, &last_err));
        for (int i = 0; i < 3; i++)
            CHECK_OK(iam_setup_add(setup, p, 1, &last_err));
        iam_policy_set *set = NULL;
        CHECK_OK(iam_policy_set_compile(&set, setup, &lim, &last_err));
        iam_policy_set_free(set);
        set = NULL;
        CHECK_OK(iam_setup_add(setup, p, 1, &last_err));
        CHECK_LIMIT(iam_policy_set_compile(&set, setup, &lim, &last_err));
        iam_setup_free(setup);
    }

    /* SCP and RCP levels: defaults (16), then a custom bound of 2 */
    for (int t = 0; t < 2; t++) {
        iam_policy_type type = t ? IAM_POLICY_RCP : IAM_POLICY_SCP;
        for (int custom = 0; custom < 2; custom++) {
            iam_limits lim = defaults();
            if (custom)
                lim.max_levels = 2;
            unsigned max = lim.max_levels;
            iam_setup *setup;
            CHECK_OK(iam_setup_create(&setup));
            CHECK_OK(iam_setup_set_levels(setup, type, max, &last_err));
            for (unsigned lv = 0; lv < max; lv++)
                iam_setup_add(setup, t ? rcp : scp, lv, NULL);
            iam_policy_set *set = NULL;
            CHECK_OK(iam_policy_set_compile(&set, setup, &lim, &last_err));
            iam_policy_set_free(set);
            set = NULL;
            iam_status s = iam_setup_set_levels(setup, type, max + 1, &last_err);
            if (s == IAM_OK)
                s = iam_policy_set_compile(&set, setup, &lim, &last_err);
            CHECK_LIMIT(s);
            CHECK(set == NULL);
            iam_setup_free(setup);
        }
    }

    /* The same bound from a scenario file: 17 SCP levels is an input error. */
    sbuf sc = {0};
    for (unsigned levels = 16; levels <= 17; levels++) {
        sc.len = 0;
        sb_puts(&sc, "{\"request\":{\"principal\":\"arn:aws:iam::111122223333:user/alice\",\"action\":\"s3:GetObject\","
                     "\"resource\":\"*\"},\"scps\":[");
        for (unsigned lv = 0; lv < levels; lv++)
            sb_printf(&sc, "%s[{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
                           "\"Resource\":\"*\"}}]", lv ? "," : "");
        sb_puts(&sc, "]}");
        iam_scenario_file *f = NULL;
        CHECK_OK(iam_scenario_file_parse(&f, sc.p, sc.len, 0, "mem", NULL, &last_err));
        iam_scratch *scratch = NULL;
        CHECK_OK(iam_scratch_create(&scratch, NULL));
        iam_decision d;
        iam_status s = iam_scenario_run(iam_scenario_file_get(f, 0), scratch, &d, &last_err);
        if (levels == 16)
            CHECK_OK(s);
        else
            CHECK_LIMIT(s);
        iam_scratch_free(scratch);
        iam_scenario_file_free(f);
    }
    sb_free(&sc);

    for (size_t i = 0; i < n; i++)
        iam_policy_free(pols[i]);
    free(pols);
    iam_policy_free(scp);
    iam_policy_free(rcp);
}

/* ---- context keys ------------------------------------------------------------ */

static iam_policy_set *allow_all_set(iam_policy **pol)
{
    const char *text = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}";
    iam_setup *setup = NULL;
    iam_policy_set *set = NULL;
    if (iam_policy_parse(pol, text, strlen(text), IAM_POLICY_IDENTITY, "id", NULL, NULL) != IAM_OK ||
        iam_setup_create(&setup) != IAM_OK || iam_setup_add(setup, *pol, 0, NULL) != IAM_OK ||
        iam_policy_set_compile(&set, setup, NULL, NULL) != IAM_OK)
        CHECK(!"allow_all_set");
    iam_setup_free(setup);
    return set;
}

#define S(lit) ((iam_str){lit, sizeof lit - 1})

static void test_context_keys(void)
{
    iam_policy *pol = NULL;
    iam_policy_set *set = allow_all_set(&pol);
    size_t n = 1025;
    char (*names)[32] = calloc(n, sizeof *names);
    iam_context_entry *ctx = calloc(n, sizeof *ctx);
    static const iam_str value = {"v", 1};
    for (size_t i = 0; i < n && names && ctx; i++) {
        int len = snprintf(names[i], sizeof names[i], "custom:Key%zu", i);
        ctx[i] = (iam_context_entry){{names[i], (size_t)len}, &value, 1, 0};
    }
    iam_request req = {S("arn:aws:iam::111122223333:user/alice"), S("s3:GetObject"), S("arn:aws:s3:::b/k"),
                       S("111122223333"), ctx, 0, {NULL, 0}, {NULL, 0}};
    for (int custom = 0; custom < 2 && set && names && ctx; custom++) {
        iam_limits lim = defaults();
        if (custom)
            lim.max_context_keys = 4;
        iam_scratch *scratch = NULL;
        CHECK_OK(iam_scratch_create(&scratch, &lim));
        iam_decision d = IAM_IMPLICIT_DENY;
        req.context_count = lim.max_context_keys;
        CHECK_OK(iam_evaluate(set, &req, scratch, &d, &last_err));
        CHECK_INT(d, IAM_ALLOWED);
        req.context_count = lim.max_context_keys + 1;
        CHECK_LIMIT(iam_evaluate(set, &req, scratch, &d, &last_err));
        iam_scratch_free(scratch);
    }
    /* In a scenario file: one key too many is the scenario's error. */
    iam_limits lim = defaults();
    lim.max_context_keys = 2;
    for (int keys = 2; keys <= 3; keys++) {
        sbuf sc = {0};
        sb_puts(&sc, "{\"request\":{\"principal\":\"arn:aws:iam::111122223333:user/alice\",\"action\":\"s3:GetObject\","
                     "\"resource\":\"*\",\"context\":{");
        for (int k = 0; k < keys; k++)
            sb_printf(&sc, "%s\"custom:K%d\":\"v\"", k ? "," : "", k);
        sb_puts(&sc, "}}}");
        iam_scenario_file *f = NULL;
        CHECK_OK(iam_scenario_file_parse(&f, sc.p, sc.len, 0, "mem", &lim, &last_err));
        iam_scratch *scratch = NULL;
        CHECK_OK(iam_scratch_create(&scratch, &lim));
        iam_decision d;
        iam_status s = iam_scenario_run(iam_scenario_file_get(f, 0), scratch, &d, &last_err);
        if (keys == 2)
            CHECK_OK(s);
        else
            CHECK_LIMIT(s);
        iam_scratch_free(scratch);
        iam_scenario_file_free(f);
        sb_free(&sc);
    }
    free(names);
    free(ctx);
    iam_policy_set_free(set);
    iam_policy_free(pol);
}

/* ---- pathological wildcards ---------------------------------------------- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Decides `action` on `resource` with one Allow statement built from
 * action_pat, resource_pat and an optional condition on s3:prefix = ctx_value. */
static int decide(const char *action_pat, const char *resource_pat, const char *cond, const char *action,
                  const char *resource, const char *ctx_value, iam_decision *d, double *seconds)
{
    sbuf b = {0};
    sb_puts(&b, head);
    sb_puts(&b, "{\"Effect\":\"Allow\",\"Action\":\"");
    sb_puts(&b, action_pat);
    sb_puts(&b, "\",\"Resource\":\"");
    sb_puts(&b, resource_pat);
    sb_puts(&b, "\"");
    if (cond) {
        sb_puts(&b, ",\"Condition\":{\"StringLike\":{\"s3:prefix\":\"");
        sb_puts(&b, cond);
        sb_puts(&b, "\"}}");
    }
    sb_puts(&b, "}]}");
    iam_policy *pol = NULL;
    iam_setup *setup = NULL;
    iam_policy_set *set = NULL;
    iam_scratch *scratch = NULL;
    int ok = iam_policy_parse(&pol, b.p, b.len, IAM_POLICY_IDENTITY, "p", NULL, &last_err) == IAM_OK &&
             iam_setup_create(&setup) == IAM_OK && iam_setup_add(setup, pol, 0, NULL) == IAM_OK &&
             iam_policy_set_compile(&set, setup, NULL, NULL) == IAM_OK &&
             iam_scratch_create(&scratch, NULL) == IAM_OK;
    if (!ok)
        fprintf(stderr, "  decide: setup failed: %s\n", last_err.message);
    iam_str v = {ctx_value ? ctx_value : "", ctx_value ? strlen(ctx_value) : 0};
    iam_context_entry ctx = {S("s3:prefix"), &v, 1, 0};
    iam_request req = {{"arn:aws:iam::111122223333:user/alice", 36}, {action, strlen(action)},
                       {resource, strlen(resource)}, S("111122223333"), &ctx, ctx_value ? 1 : 0, {NULL, 0}, {NULL, 0}};
    double t0 = now();
    if (ok) {
        iam_status st = iam_evaluate(set, &req, scratch, d, &last_err);
        ok = st == IAM_OK;
        if (!ok)
            fprintf(stderr, "  decide: iam_evaluate: %d %s\n", st, last_err.message);
    }
    *seconds = now() - t0;
    iam_scratch_free(scratch);
    iam_policy_set_free(set);
    iam_setup_free(setup);
    iam_policy_free(pol);
    sb_free(&b);
    return ok;
}

static void test_pathological(void)
{
    /* the resource: arn:aws:s3:::aaaa...a (4000 characters), then with a 'b' */
    sbuf res = {0}, resb = {0}, longv = {0}, act = {0};
    sb_puts(&res, "arn:aws:s3:::");
    while (res.len < 4000)
        sb_puts(&res, "a");
    sb_puts(&resb, res.p);
    resb.p[resb.len - 1] = 'b';
    sb_repeat(&longv, "a", 4000);
    sb_puts(&act, "s3:");
    sb_repeat(&act, "a", 1000); /* request actions are bounded: see test_request_action */

    static const char *const pats[] = {"*a*a*a*a*a*a*a*a*a*a*b", "*a?a*a?a*a?a*a?a*a?a*b",
                                       "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"};
    /* and a pattern with the most wildcards a policy may hold */
    sbuf many = {0};
    for (int i = 0; i < 127; i++)
        sb_puts(&many, "*a");
    sb_puts(&many, "*b");
    for (size_t k = 0; k < 4; k++) {
        const char *p = k < 3 ? pats[k] : many.p;
        sbuf rp = {0}, ap = {0};
        sb_puts(&rp, "arn:aws:s3:::");
        sb_puts(&rp, p);
        sb_puts(&ap, "s3:");
        sb_puts(&ap, p);
        iam_decision d = IAM_ALLOWED;
        double t;
        /* Resource element */
        CHECK(decide("s3:GetObject", rp.p, NULL, "s3:GetObject", res.p, NULL, &d, &t));
        CHECK_INT(d, IAM_IMPLICIT_DENY);
        CHECK(t < 1.0);
        CHECK(decide("s3:GetObject", rp.p, NULL, "s3:GetObject", resb.p, NULL, &d, &t));
        CHECK_INT(d, IAM_ALLOWED);
        CHECK(t < 1.0);
        /* Action element */
        CHECK(decide(ap.p, "*", NULL, act.p, "*", NULL, &d, &t));
        CHECK_INT(d, IAM_IMPLICIT_DENY);
        CHECK(t < 1.0);
        /* StringLike value, and the same with a variable in front */
        CHECK(decide("*", "*", p, "s3:GetObject", "*", longv.p, &d, &t));
        CHECK_INT(d, IAM_IMPLICIT_DENY);
        CHECK(t < 1.0);
        longv.p[longv.len - 1] = 'b';
        CHECK(decide("*", "*", p, "s3:GetObject", "*", longv.p, &d, &t));
        CHECK_INT(d, IAM_ALLOWED);
        CHECK(t < 1.0);
        longv.p[longv.len - 1] = 'a';
        if (t >= 1.0)
            fprintf(stderr, "  pattern %zu took %.3f s\n", k, t);
        sb_free(&rp);
        sb_free(&ap);
    }
    /* A variable substituted into a long pattern: the resolved pattern is
     * longer than max_pattern_bytes; it must still decide, not overflow. */
    sbuf big = {0};
    sb_puts(&big, "arn:aws:s3:::");
    sb_repeat(&big, "a", 3000);
    sb_puts(&big, "*${s3:prefix}");
    CHECK_INT(big.len < 4096, 1);
    iam_decision d = IAM_ALLOWED;
    double t;
    CHECK(decide("s3:GetObject", big.p, NULL, "s3:GetObject", res.p, longv.p, &d, &t));
    CHECK_INT(d, IAM_IMPLICIT_DENY); /* 7000 characters cannot match 3987 */
    CHECK(t < 1.0);
    CHECK(decide("s3:GetObject", "arn:aws:s3:::*${s3:prefix}", NULL, "s3:GetObject", res.p, "aaaa", &d, &t));
    CHECK_INT(d, IAM_ALLOWED);
    CHECK(decide("s3:GetObject", "arn:aws:s3:::*${s3:prefix}", NULL, "s3:GetObject", res.p, longv.p, &d, &t));
    CHECK_INT(d, IAM_IMPLICIT_DENY);
    sb_free(&big);
    sb_free(&many);
    sb_free(&res);
    sb_free(&resb);
    sb_free(&longv);
    sb_free(&act);
}

/* Condition values with a policy variable are matched after substitution;
 * they must be bound like any pattern. 60 StringLike values of 4 KB, each
 * "${aws:username}" then 2,000 wildcards: either the policy is refused
 * (max_wildcards) or one request is decided within a second. (Unbounded, a
 * 1 MiB policy of such values takes seconds per request.) */
static void test_templated_wildcards(void)
{
    sbuf b = {0};
    sb_puts(&b, head);
    sb_puts(&b, "{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringLike\":{\"s3:prefix\":[");
    for (int v = 0; v < 60; v++) {
        sb_puts(&b, v ? ",\"${aws:username}" : "\"${aws:username}");
        sb_repeat(&b, "*a", 2000);
        sb_printf(&b, "b%d\"", v);
    }
    sb_puts(&b, "]}}}]}");
    iam_policy *pol = NULL;
    iam_status s = iam_policy_parse(&pol, b.p, b.len, IAM_POLICY_IDENTITY, "p", NULL, &last_err);
    if (s == IAM_ERR_LIMIT) {
        CHECK(strstr(last_err.message, "limit") != NULL);
    } else {
        CHECK_OK(s);
        iam_setup *setup = NULL;
        iam_policy_set *set = NULL;
        iam_scratch *scratch = NULL;
        CHECK_OK(iam_setup_create(&setup));
        CHECK_OK(iam_setup_add(setup, pol, 0, &last_err));
        CHECK_OK(iam_policy_set_compile(&set, setup, NULL, &last_err));
        CHECK_OK(iam_scratch_create(&scratch, NULL));
        sbuf v = {0};
        sb_repeat(&v, "a", 4000);
        static const iam_str empty = {"", 0};
        iam_str value = {v.p, v.len};
        /* an empty aws:username: every pattern starts with its wildcards */
        iam_context_entry ctx[2] = {{S("s3:prefix"), &value, 1, 0}, {S("aws:username"), &empty, 1, 0}};
        iam_request req = {S("arn:aws:iam::111122223333:user/alice"), S("s3:GetObject"), S("*"), {NULL, 0},
                           ctx, 2, {NULL, 0}, {NULL, 0}};
        iam_decision d = IAM_ALLOWED;
        double t0 = now();
        CHECK_OK(iam_evaluate(set, &req, scratch, &d, &last_err));
        double t = now() - t0;
        CHECK_INT(d, IAM_IMPLICIT_DENY);
        CHECK_NAMED("60 templated StringLike values with 2,000 wildcards each decide within 1 s", t < 1.0);
        if (t >= 1.0)
            fprintf(stderr, "  one request took %.2f s\n", t);
        sb_free(&v);
        iam_scratch_free(scratch);
        iam_policy_set_free(set);
        iam_setup_free(setup);
    }
    iam_policy_free(pol);
    sb_free(&b);
}

/* Request actions have a bound of their own (engine/evaluate.c ACTION_MAX,
 * 1024 bytes), not in iam_limits: exactly 1024 decides, 1025 is refused. */
static void test_request_action(void)
{
    sbuf act = {0};
    sb_puts(&act, "s3:");
    sb_repeat(&act, "a", 1021);
    iam_decision d = IAM_IMPLICIT_DENY;
    double t;
    CHECK_INT(act.len, 1024);
    CHECK(decide("s3:*", "*", NULL, act.p, "*", NULL, &d, &t));
    CHECK_INT(d, IAM_ALLOWED);
    sb_puts(&act, "a");
    CHECK(!decide("s3:*", "*", NULL, act.p, "*", NULL, &d, &t));
    CHECK_INT(last_err.code, IAM_ERR_LIMIT);
    sb_free(&act);
}

int main(void)
{
    test_defaults();
    test_document_bytes();
    test_file_bytes();
    test_depth();
    test_statements();
    test_values();
    test_patterns();
    test_layers();
    test_context_keys();
    test_pathological();
    test_request_action();
    test_templated_wildcards();
    return check_report();
}
