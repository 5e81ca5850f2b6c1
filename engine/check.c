/* iam_policy_check: a policy validator for CI (`iameval check`).
 *
 * Errors are exactly what iam_policy_parse rejects, so that check and
 * simulate never disagree about a document: the loader stops at the first
 * error, which becomes one finding whose code comes from the spec rule the
 * message names ([G-S2] -> E-EFFECT) or, for the few messages without a
 * rule, from the element its JSON path names. Warnings are looked for only
 * on a valid document, walking the loader's document model (which has every
 * element's position) beside the compiled statements. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "internal.h"

static const iam_check_rule check_rules[] = {
    {"E-JSON", IAM_SEVERITY_ERROR,
     "not a JSON object: invalid JSON or UTF-8, a duplicate member, nesting too deep [G-J1, G-J2]"},
    {"E-ELEMENT", IAM_SEVERITY_ERROR,
     "an unknown or misspelled element (names are case-sensitive), or an element value of the wrong JSON type [G-J3]"},
    {"E-VERSION", IAM_SEVERITY_ERROR, "Version is neither \"2012-10-17\" nor \"2008-10-17\" [G-P1]"},
    {"E-STATEMENT", IAM_SEVERITY_ERROR,
     "Statement is missing, or is not an object or an array of objects [G-P4]"},
    {"E-EFFECT", IAM_SEVERITY_ERROR, "Effect is missing or is not exactly \"Allow\" or \"Deny\" [G-S2]"},
    {"E-ACTION", IAM_SEVERITY_ERROR,
     "Action/NotAction is missing, doubled or empty, or an action is not \"*\" or \"service:name\" [G-S3, M-A1]"},
    {"E-RESOURCE", IAM_SEVERITY_ERROR,
     "Resource/NotResource is missing, doubled or empty, or a resource is not \"*\" or an ARN [G-S4, M-R2]"},
    {"E-PRINCIPAL", IAM_SEVERITY_ERROR,
     "Principal/NotPrincipal has the wrong shape, or an entry names no valid principal [G-S5, G-PR1-G-PR5]"},
    {"E-CONDITION", IAM_SEVERITY_ERROR,
     "Condition has the wrong shape: not an object, an operator without keys, a key without values [C-S1]"},
    {"E-CONDITION-OPERATOR", IAM_SEVERITY_ERROR,
     "an unknown condition operator, or IfExists or a set qualifier on Null [C-S2, C-S3]"},
    {"E-LITERAL", IAM_SEVERITY_ERROR,
     "a condition value its operator cannot read: number, date, Boolean, IP range, base64 [C-T3]"},
    {"E-TYPE-RULE", IAM_SEVERITY_ERROR,
     "an element the policy type forbids or lacks one it requires: a Principal outside resource policies, "
     "NotPrincipal with Allow, the SCP and RCP rules, an incomplete ARN in a session policy [G-T1-G-T6, G-P2]"},
    {"E-LIMIT", IAM_SEVERITY_ERROR,
     "the document exceeds a bound of iam_limits: size, nesting, statements, values, pattern length or wildcards"},
    {"E-POLICY", IAM_SEVERITY_ERROR, "the document is rejected for a reason no other code names"},
    {"W-SIZE", IAM_SEVERITY_WARNING, "the document is larger than AWS's size quota for its policy type"},
    {"W-VERSION-VARIABLE", IAM_SEVERITY_WARNING,
     "a policy variable in a policy without \"Version\": \"2012-10-17\", where it is literal text [V-S4]"},
    {"W-ARN-VARIABLE", IAM_SEVERITY_WARNING,
     "a policy variable before the resource field of an ARN, where it is literal text [V-W2]"},
    {"W-ARN-SERVICE-WILDCARD", IAM_SEVERITY_WARNING,
     "a wildcard in the service field of a resource ARN, which IAM's policy validator reports [M-R2]"},
    {"W-ALLOW-ALL", IAM_SEVERITY_WARNING, "an Allow of every action (\"*\") on every resource (\"*\")"},
    {"W-ALLOW-NOT-ACTION", IAM_SEVERITY_WARNING,
     "an Allow with NotAction: it grants every action of every service except those listed [M-A3]"},
    {"W-ALLOW-NOT-RESOURCE", IAM_SEVERITY_WARNING,
     "an Allow with NotResource: it grants its actions on every resource except those listed [M-R9]"},
    {"W-ACTION-UNKNOWN", IAM_SEVERITY_WARNING,
     "an action, or an action pattern, that matches no action any AWS service defines"},
    {"W-CONDITION-KEY-UNKNOWN", IAM_SEVERITY_WARNING, "a condition key no AWS service defines"},
    {"W-CONDITION-KEY-CASE", IAM_SEVERITY_WARNING,
     "a condition key spelled in other letter case than AWS spells it (it still matches: keys ignore case [C-K2])"},
};

#define RULE_COUNT (sizeof check_rules / sizeof check_rules[0])

const iam_check_rule *iam_check_rules(size_t *count)
{
    if (count != NULL)
        *count = RULE_COUNT;
    return check_rules;
}

const char *iam_catalog_date(void)
{
    return catalog_date();
}

/* ---- the findings object --------------------------------------------------- */

typedef struct finding_rec {
    iam_finding f;
    size_t seq;          /* insertion order, to keep sorting stable */
} finding_rec;

struct iam_findings {
    arena arena;         /* the findings' strings */
    finding_rec *items;
    size_t count, capacity;
    size_t errors;
    const char *file;
    bool nomem;
};

void iam_findings_free(iam_findings *findings)
{
    if (findings == NULL)
        return;
    free(findings->items);
    arena_release(&findings->arena);
    free(findings);
}

size_t iam_findings_count(const iam_findings *findings)
{
    return findings ? findings->count : 0;
}

size_t iam_findings_error_count(const iam_findings *findings)
{
    return findings ? findings->errors : 0;
}

iam_status iam_findings_get(const iam_findings *findings, size_t i, iam_finding *out)
{
    if (findings == NULL || out == NULL || i >= findings->count)
        return IAM_ERR_ARGUMENT;
    *out = findings->items[i].f;
    return IAM_OK;
}

/* Drops an incomplete UTF-8 sequence that truncation left at the end, so
 * that every string handed out is valid UTF-8 (JSON and SARIF need it). */
static void trim_utf8(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (i - 1) < want)
        s[i - 1] = '\0';
}

/* Copies src to dst with control characters written as escapes ("\n"),
 * because a finding is one line of text output whatever names the policy
 * holds (JSON member names and strings may contain any of them). */
static void one_line(char *dst, size_t cap, const char *src)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)src; *p && n + 1 < cap; p++) {
        char esc[8] = "";
        if (*p == '\n')
            strcpy(esc, "\\n");
        else if (*p == '\r')
            strcpy(esc, "\\r");
        else if (*p == '\t')
            strcpy(esc, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            snprintf(esc, sizeof esc, "\\x%02X", *p);
        if (esc[0] == '\0') {
            dst[n++] = (char)*p;
            continue;
        }
        size_t el = strlen(esc);
        if (n + el + 1 > cap)
            break;
        memcpy(dst + n, esc, el);
        n += el;
    }
    dst[n] = '\0';
    trim_utf8(dst);
}

static void add_finding_v(iam_findings *fs, const char *code, const json_pos *pos, const char *path,
                          const char *fmt, va_list ap)
{
    if (fs->nomem)
        return;
    char raw[1024], msg[1024], line_path[600];
    vsnprintf(raw, sizeof raw, fmt, ap);
    trim_utf8(raw);
    one_line(msg, sizeof msg, raw);
    one_line(line_path, sizeof line_path, path ? path : "");
    path = line_path;
    if (fs->count == fs->capacity) {
        size_t cap = fs->capacity ? 2 * fs->capacity : 8;
        finding_rec *items = realloc(fs->items, cap * sizeof *items);
        if (items == NULL) {
            fs->nomem = true;
            return;
        }
        fs->items = items;
        fs->capacity = cap;
    }
    const iam_check_rule *rule = NULL;
    for (size_t i = 0; i < RULE_COUNT; i++)
        if (strcmp(check_rules[i].code, code) == 0)
            rule = &check_rules[i];
    char *m = arena_strndup(&fs->arena, msg, strlen(msg));
    char *p = arena_strndup(&fs->arena, path ? path : "", path ? strlen(path) : 0);
    if (rule == NULL || m == NULL || p == NULL) {
        fs->nomem = true;
        return;
    }
    finding_rec *r = &fs->items[fs->count];
    r->seq = fs->count++;
    r->f.severity = rule->severity;
    r->f.code = rule->code;
    r->f.file = fs->file;
    r->f.line = pos ? pos->line : 0;
    r->f.column = pos ? pos->column : 0;
    r->f.path = p;
    r->f.message = m;
    if (rule->severity == IAM_SEVERITY_ERROR)
        fs->errors++;
}

static void add_finding(iam_findings *fs, const char *code, const json_pos *pos, const char *path,
                        const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static void add_finding(iam_findings *fs, const char *code, const json_pos *pos, const char *path,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_finding_v(fs, code, pos, path, fmt, ap);
    va_end(ap);
}

/* Findings in document order; warnings at one position keep the order they
 * were found in. */
static int compare_findings(const void *a, const void *b)
{
    const finding_rec *x = a, *y = b;
    if (x->f.line != y->f.line)
        return x->f.line < y->f.line ? -1 : 1;
    if (x->f.column != y->f.column)
        return x->f.column < y->f.column ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- errors: the loader's first error ------------------------------------ */

/* The rule id a message ends with, "[G-S2]" -> "G-S2"; ranges and lists
 * ("[G-PR1-G-PR5]") are not produced by the engine. */
static bool message_rule(const char *msg, char *out, size_t cap)
{
    size_t n = strlen(msg);
    if (n < 4 || msg[n - 1] != ']')
        return false;
    const char *open = strrchr(msg, '[');
    if (open == NULL)
        return false;
    size_t len = (size_t)(msg + n - 1 - (open + 1));
    if (len == 0 || len >= cap)
        return false;
    memcpy(out, open + 1, len);
    out[len] = '\0';
    return true;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *code_of_rule(const char *rule)
{
    static const struct {
        const char *rule;      /* exact id, or a prefix ending in '-' plus letters */
        bool prefix;
        const char *code;
    } map[] = {
        {"G-J1", false, "E-JSON"},
        {"G-J2", false, "E-JSON"},
        {"G-J3", false, "E-ELEMENT"},
        {"G-P1", false, "E-VERSION"},
        {"G-P2", false, "E-TYPE-RULE"},
        {"G-P4", false, "E-STATEMENT"},
        {"G-S2", false, "E-EFFECT"},
        {"G-S3", false, "E-ACTION"},
        {"G-S4", false, "E-RESOURCE"},
        {"G-S5", false, "E-PRINCIPAL"},
        {"G-PR", true, "E-PRINCIPAL"},
        {"G-T", true, "E-TYPE-RULE"},
        {"M-A", true, "E-ACTION"},
        {"M-R", true, "E-RESOURCE"},
        {"C-S1", false, "E-CONDITION"},
        {"C-S2", false, "E-CONDITION-OPERATOR"},
        {"C-S3", false, "E-CONDITION-OPERATOR"},
        {"C-S4", false, "E-CONDITION-OPERATOR"},
        {"C-T", true, "E-LITERAL"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (map[i].prefix) {
            /* "G-PR" must not claim "G-P1": the id continues with digits. */
            size_t n = strlen(map[i].rule);
            if (strncmp(rule, map[i].rule, n) == 0 && rule[n] >= '0' && rule[n] <= '9')
                return map[i].code;
        } else if (strcmp(rule, map[i].rule) == 0) {
            return map[i].code;
        }
    }
    return NULL;
}

/* For the messages that name no rule (a value of the wrong JSON type, an
 * empty list or string): the element the path points into. */
static const char *code_of_path(const char *path)
{
    static const struct {
        const char *element;
        const char *code;
    } elements[] = {
        {"Sid", "E-ELEMENT"},           {"Effect", "E-EFFECT"},
        {"Principal", "E-PRINCIPAL"},   {"NotPrincipal", "E-PRINCIPAL"},
        {"Action", "E-ACTION"},         {"NotAction", "E-ACTION"},
        {"Resource", "E-RESOURCE"},     {"NotResource", "E-RESOURCE"},
        {"Condition", "E-CONDITION"},
    };
    if (strcmp(path, "$.Id") == 0)
        return "E-ELEMENT";
    if (strcmp(path, "$.Version") == 0)
        return "E-VERSION";
    if (!starts_with(path, "$.Statement"))
        return NULL;
    const char *p = path + strlen("$.Statement");
    if (*p == '[') {
        p = strchr(p, ']');
        if (p == NULL)
            return NULL;
        p++;
    }
    if (*p != '.')
        return *p == '\0' ? "E-STATEMENT" : NULL;
    p++;
    size_t n = strcspn(p, ".[");
    for (size_t i = 0; i < sizeof elements / sizeof elements[0]; i++)
        if (strlen(elements[i].element) == n && strncmp(p, elements[i].element, n) == 0)
            return elements[i].code;
    return NULL;
}

static const char *error_code(const iam_error *e)
{
    switch (e->code) {
    case IAM_ERR_JSON: return "E-JSON";
    case IAM_ERR_LIMIT: return "E-LIMIT";
    default: break;
    }
    char rule[32];
    const char *code = NULL;
    if (message_rule(e->message, rule, sizeof rule))
        code = code_of_rule(rule);
    if (code == NULL)
        code = code_of_path(e->path);
    return code ? code : "E-POLICY";
}

/* ---- warnings ------------------------------------------------------------------ */

typedef struct checker {
    iam_findings *fs;
    const doc_policy *doc;
    const iam_policy *policy;
    iam_policy_type type;
    arena scratch;         /* templates parsed for the variable checks */
    char path[512];
} checker;

/* At most this many bytes of a policy's own text are quoted in a message,
 * cut at a character boundary. */
#define QUOTE_MAX 160

typedef struct quoted {
    char text[QUOTE_MAX + 4];
} quoted;

static quoted quote(const char *s, size_t len)
{
    quoted q;
    size_t n = len;
    if (n > QUOTE_MAX) {
        n = QUOTE_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(q.text, s, n);
    if (n < len)
        memcpy(q.text + n, "...", 4);
    else
        q.text[n] = '\0';
    return q;
}

/* "$.Statement[2].Action[0]": the paths the engine's errors use. */
static const char *element_path(checker *c, size_t si, const char *element, const doc_list *list, size_t i)
{
    int n = snprintf(c->path, sizeof c->path, "$.Statement");
    if (c->doc->statement_is_array)
        n += snprintf(c->path + n, sizeof c->path - (size_t)n, "[%zu]", si);
    if (element != NULL && (size_t)n < sizeof c->path)
        n += snprintf(c->path + n, sizeof c->path - (size_t)n, ".%s", element);
    if (list != NULL && list->is_array && (size_t)n < sizeof c->path)
        snprintf(c->path + n, sizeof c->path - (size_t)n, "[%zu]", i);
    trim_utf8(c->path);
    return c->path;
}

/* Writes n with thousands separators ("20,480"). */
static const char *thousands(size_t n, char *buf, size_t cap)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%zu", n);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < cap; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

static bool is_json_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Sizes of the document as AWS measures them: IAM counts characters other
 * than whitespace; the other services count the document as submitted,
 * here at its smallest, with the whitespace between JSON tokens removed
 * (so a warning is never caused by indentation alone). */
typedef struct doc_size {
    size_t chars_no_space;   /* characters, no whitespace anywhere */
    size_t chars_minified;   /* characters, no whitespace outside strings */
    size_t bytes_minified;
} doc_size;

static doc_size measure(const char *text, size_t len)
{
    doc_size s = {0, 0, 0};
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        bool space = is_json_space(ch);
        bool continuation = ((unsigned char)ch & 0xC0) == 0x80;
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (ch == '\\')
                escaped = true;
            else if (ch == '"')
                in_string = false;
        } else if (ch == '"') {
            in_string = true;
        }
        if (!space || in_string) {
            s.bytes_minified++;
            s.chars_minified += !continuation;
        }
        s.chars_no_space += !space && !continuation;
    }
    return s;
}

static void check_size(checker *c, const char *text, size_t len)
{
    doc_size s = measure(text, len);
    char a[32], b[32];
    const json_pos *pos = &c->doc->pos;
    switch (c->type) {
    case IAM_POLICY_IDENTITY:
    case IAM_POLICY_BOUNDARY:
        if (s.chars_no_space > 6144)
            add_finding(c->fs, "W-SIZE", pos, "$",
                        "the policy has %s characters besides whitespace, more than IAM's quota of 6,144 for a "
                        "managed policy%s (AWS's own managed policies may be larger)",
                        thousands(s.chars_no_space, a, sizeof a),
                        c->type == IAM_POLICY_BOUNDARY ? ", which a permissions boundary is"
                                                       : "; inline policies may total 2,048 per user, 5,120 per "
                                                         "group, 10,240 per role");
        break;
    case IAM_POLICY_SESSION:
        if (s.chars_minified > 2048)
            add_finding(c->fs, "W-SIZE", pos, "$",
                        "the policy has %s characters even without whitespace between elements, more than the "
                        "2,048 STS accepts for a session policy (which also limits its packed size)",
                        thousands(s.chars_minified, a, sizeof a));
        break;
    case IAM_POLICY_RESOURCE:
        if (s.bytes_minified > 20480)
            add_finding(c->fs, "W-SIZE", pos, "$",
                        "the policy is %s bytes even without whitespace between elements, more than the 20 KB "
                        "(20,480 bytes) of an S3 bucket policy; other services differ (role trust policy 2,048 "
                        "characters, SQS 8,192 bytes, KMS key policy 32 KB)",
                        thousands(s.bytes_minified, a, sizeof a));
        break;
    case IAM_POLICY_SCP:
    case IAM_POLICY_RCP:
        if (s.chars_minified > 5120)
            add_finding(c->fs, "W-SIZE", pos, "$",
                        "the policy has %s characters even without whitespace between elements (%s as written), "
                        "more than AWS Organizations' quota of 5,120 for an %s",
                        thousands(s.chars_minified, a, sizeof a), thousands(len, b, sizeof b),
                        c->type == IAM_POLICY_SCP ? "SCP" : "RCP");
        break;
    }
}

/* The template of text[0..len), or NULL when it holds no policy variable
 * (under 2012-10-17 rules, whatever the document's version). */
static const iam_template *variables_in(checker *c, const char *text, size_t len)
{
    iam_template *t = NULL;
    if (memchr(text, '$', len) == NULL)
        return NULL;
    if (template_parse(&t, text, len, 0, &c->scratch) != IAM_OK)
        c->fs->nomem = true;
    return t;
}

/* Index of the n-th ':' (1-based), or len. */
static size_t nth_colon(const char *s, size_t len, unsigned n)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == ':' && --n == 0)
            return i;
    return len;
}

static void check_resource(checker *c, size_t si, const doc_list *list, size_t i, const char *element)
{
    const doc_value *v = &list->items[i];
    if (v->len == 1 && v->text[0] == '*')
        return;
    const char *path = element_path(c, si, element, list, i);
    quoted q = quote(v->text, v->len);
    /* Fields as the engine splits them; a missing field is padded with "*"
     * [M-R3] and holds no wildcard the author wrote. */
    size_t c2 = nth_colon(v->text, v->len, 2), c3 = nth_colon(v->text, v->len, 3);
    if (c2 < v->len) {
        const char *svc = v->text + c2 + 1;
        size_t svc_len = (c3 < v->len ? c3 : v->len) - c2 - 1;
        if (memchr(svc, '*', svc_len) || memchr(svc, '?', svc_len)) {
            quoted qs = quote(svc, svc_len);
            add_finding(c->fs, "W-ARN-SERVICE-WILDCARD", &v->pos, path,
                        "resource \"%s\" has a wildcard in its service field \"%s\", which IAM's policy "
                        "validator reports; name the service [M-R2]",
                        q.text, qs.text);
        }
    }
    const iam_template *t = variables_in(c, v->text, v->len);
    if (t == NULL)
        return;
    if (c->policy->version != VERSION_2012) {
        add_finding(c->fs, "W-VERSION-VARIABLE", &v->pos, path,
                    "resource \"%s\" holds a policy variable, which is literal text without "
                    "\"Version\": \"2012-10-17\" [V-S4]",
                    q.text);
        return;
    }
    size_t fifth = nth_colon(v->text, v->len, 5);
    for (uint32_t k = 0; k < t->count; k++) {
        const tmpl_part *part = &t->parts[k];
        if (part->kind != TP_PATTERN && (size_t)(part->text - v->text) < fifth) {
            add_finding(c->fs, "W-ARN-VARIABLE", &v->pos, path,
                        "resource \"%s\" has a policy variable before its resource field; there it is "
                        "literal text, so the pattern matches no real ARN [V-W2]",
                        q.text);
            return;
        }
    }
}

static void check_action(checker *c, size_t si, const doc_list *list, size_t i, const char *element)
{
    const doc_value *v = &list->items[i];
    if (v->len == 1 && v->text[0] == '*')
        return;
    const char *colon = memchr(v->text, ':', v->len);
    if (colon == NULL)
        return;   /* the loader would have rejected it */
    size_t svc_len = (size_t)(colon - v->text);
    bool wild = memchr(v->text, '*', v->len) || memchr(v->text, '?', v->len);
    if (wild ? catalog_actions_matching(v->text, v->len, NULL, NULL) > 0 : catalog_has_action(v->text, v->len))
        return;
    const char *path = element_path(c, si, element, list, i);
    quoted q = quote(v->text, v->len), qs = quote(v->text, svc_len);
    char suggestion[300];
    if (!catalog_has_service(v->text, svc_len)) {
        bool close = wild ? catalog_suggest_service(v->text, svc_len, suggestion, sizeof suggestion)
                          : catalog_suggest_action(v->text, v->len, suggestion, sizeof suggestion);
        add_finding(c->fs, "W-ACTION-UNKNOWN", &v->pos, path,
                    "no AWS service has the prefix \"%s\" of action \"%s\"%s%s%s", qs.text, q.text,
                    close ? "; did you mean \"" : "", close ? suggestion : "", close ? "\"?" : "");
    } else if (wild) {
        add_finding(c->fs, "W-ACTION-UNKNOWN", &v->pos, path,
                    "action pattern \"%s\" matches no action of service %s", q.text, qs.text);
    } else {
        bool close = catalog_suggest_action(v->text, v->len, suggestion, sizeof suggestion);
        add_finding(c->fs, "W-ACTION-UNKNOWN", &v->pos, path, "\"%s\" is not an action of service %s%s%s%s",
                    q.text, qs.text, close ? "; did you mean \"" : "", close ? suggestion : "",
                    close ? "\"?" : "");
    }
}

/* Keys of web identity and SAML federation are named after the provider
 * (accounts.google.com:aud, oidc.eks.REGION.amazonaws.com/id/ID:sub): a
 * prefix with a dot or slash is a provider, which may be the account's own
 * and define claims no catalog lists. */
static bool provider_key(const char *key, size_t len)
{
    const char *colon = memchr(key, ':', len);
    size_t n = colon ? (size_t)(colon - key) : 0;
    return n > 0 && (memchr(key, '.', n) != NULL || memchr(key, '/', n) != NULL);
}

static void check_condition_key(checker *c, size_t si, const doc_condition_op *op, const doc_condition_key *ck)
{
    char canonical[300];
    catalog_key_status st = catalog_condition_key(ck->key.text, ck->key.len, canonical, sizeof canonical);
    if (st == CATALOG_KEY_FOUND)
        return;
    char sub[700];
    snprintf(sub, sizeof sub, "Condition.%s.%s", op->op.text, ck->key.text);
    const char *path = element_path(c, si, sub, NULL, 0);
    quoted q = quote(ck->key.text, ck->key.len);
    if (st == CATALOG_KEY_CASE) {
        add_finding(c->fs, "W-CONDITION-KEY-CASE", &ck->key.pos, path,
                    "condition key \"%s\" is spelled \"%s\" by AWS (it still matches: keys ignore case)",
                    q.text, canonical);
        return;
    }
    if (provider_key(ck->key.text, ck->key.len))
        return;
    bool close = catalog_suggest_condition_key(ck->key.text, ck->key.len, canonical, sizeof canonical);
    add_finding(c->fs, "W-CONDITION-KEY-UNKNOWN", &ck->key.pos, path,
                "condition key \"%s\" is not defined by any AWS service%s%s%s", q.text,
                close ? "; did you mean \"" : "", close ? canonical : "", close ? "\"?" : "");
}

static void check_conditions(checker *c, size_t si, const doc_statement *ds, const statement *st)
{
    /* compile.c flattens (operator, key) pairs in document order. */
    size_t j = 0;
    for (size_t i = 0; i < ds->condition_count; i++) {
        const doc_condition_op *op = &ds->conditions[i];
        for (size_t k = 0; k < op->key_count; k++, j++) {
            const doc_condition_key *ck = &op->keys[k];
            check_condition_key(c, si, op, ck);
            if (c->policy->version == VERSION_2012 || j >= st->condition_count ||
                !cond_operators[st->conditions[j].base].variables)
                continue;
            for (size_t vi = 0; vi < ck->values.count; vi++) {
                const doc_value *v = &ck->values.items[vi];
                if (v->jv_type != JV_STRING || variables_in(c, v->text, v->len) == NULL)
                    continue;
                char sub[700];
                snprintf(sub, sizeof sub, "Condition.%s.%s", op->op.text, ck->key.text);
                quoted q = quote(v->text, v->len);
                add_finding(c->fs, "W-VERSION-VARIABLE", &v->pos, element_path(c, si, sub, &ck->values, vi),
                            "condition value \"%s\" holds a policy variable, which is literal text without "
                            "\"Version\": \"2012-10-17\" [V-S4]",
                            q.text);
            }
        }
    }
}

static bool list_has_star(const doc_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i].len == 1 && l->items[i].text[0] == '*')
            return true;
    return false;
}

static void check_statement(checker *c, size_t si)
{
    const doc_statement *ds = &c->doc->statements[si];
    const statement *st = &c->policy->statements[si];
    /* SCPs and RCPs grant nothing (their Allows only leave room for other
     * policies), so broad Allows are what they are for: FullAWSAccess and
     * RCPFullAWSAccess are Allow "*" on "*". */
    bool grants = c->type != IAM_POLICY_SCP && c->type != IAM_POLICY_RCP;
    bool not_action = ds->present & EL_NOT_ACTION, not_resource = ds->present & EL_NOT_RESOURCE;
    if (grants && ds->allow) {
        bool any_resource = !(ds->present & (EL_RESOURCE | EL_NOT_RESOURCE)) ||
                            (!not_resource && list_has_star(&ds->resources));
        if (!not_action && list_has_star(&ds->actions) && any_resource)
            add_finding(c->fs, "W-ALLOW-ALL", &ds->pos, element_path(c, si, NULL, NULL, 0),
                        "this statement allows every action (\"*\") on every resource%s",
                        ds->condition_count ? " when its conditions hold" : "");
        if (not_action)
            add_finding(c->fs, "W-ALLOW-NOT-ACTION", &ds->actions.pos, element_path(c, si, "NotAction", NULL, 0),
                        "Allow with NotAction grants every action of every AWS service except those listed, "
                        "including services added later [M-A3]");
        if (not_resource)
            add_finding(c->fs, "W-ALLOW-NOT-RESOURCE", &ds->resources.pos,
                        element_path(c, si, "NotResource", NULL, 0),
                        "Allow with NotResource grants its actions on every resource except those listed [M-R9]");
    }
    const char *action_el = not_action ? "NotAction" : "Action";
    for (size_t i = 0; i < ds->actions.count; i++)
        check_action(c, si, &ds->actions, i, action_el);
    const char *resource_el = not_resource ? "NotResource" : "Resource";
    for (size_t i = 0; i < ds->resources.count; i++)
        check_resource(c, si, &ds->resources, i, resource_el);
    check_conditions(c, si, ds, st);
}

/* ---- entry point ----------------------------------------------------------- */

iam_status iam_policy_check(iam_findings **out, const char *text, size_t len, iam_policy_type type,
                            const char *source_name, const iam_limits *limits, iam_error *err)
{
    if (out == NULL)
        return error_set(err, IAM_ERR_ARGUMENT, source_name, NULL, "", "out is NULL");
    *out = NULL;
    if (text == NULL || (unsigned)type > IAM_POLICY_RCP)
        return error_set(err, IAM_ERR_ARGUMENT, source_name, NULL, "",
                         text == NULL ? "text is NULL" : "unknown policy type");
    iam_limits defaults;
    limits = limits_or_default(limits, &defaults);
    iam_findings *fs = calloc(1, sizeof *fs);
    if (fs == NULL)
        return error_set(err, IAM_ERR_NOMEM, source_name, NULL, "", "out of memory");
    arena_init(&fs->arena);
    fs->file = arena_strndup(&fs->arena, source_name ? source_name : "", source_name ? strlen(source_name) : 0);
    if (fs->file == NULL) {
        iam_findings_free(fs);
        return error_set(err, IAM_ERR_NOMEM, source_name, NULL, "", "out of memory");
    }

    iam_policy *policy = NULL;
    iam_error perr;
    memset(&perr, 0, sizeof perr);
    iam_status st = iam_policy_parse(&policy, text, len, type, source_name, limits, &perr);
    if (st == IAM_ERR_NOMEM || st == IAM_ERR_ARGUMENT) {
        iam_findings_free(fs);
        if (err != NULL)
            *err = perr;
        return st;
    }
    if (st != IAM_OK) {
        json_pos pos = {perr.line, perr.column, 0};
        trim_utf8(perr.message);
        trim_utf8(perr.path);
        add_finding(fs, error_code(&perr), perr.line ? &pos : NULL, perr.path, "%s", perr.message);
    } else {
        checker c;
        memset(&c, 0, sizeof c);
        c.fs = fs;
        c.policy = policy;
        c.type = type;
        arena_init(&c.scratch);
        doc_policy doc;
        /* The document parsed and loaded once already (the compiled policy
         * keeps no JSON), so this cannot fail but for memory. */
        json_doc *json = jv_parse(text, len, 1, limits->max_depth, NULL);
        if (json == NULL ||
            doc_load(&doc, jv_root(json), type, source_name, "$", limits, &c.scratch, NULL) != IAM_OK) {
            fs->nomem = true;
        } else {
            c.doc = &doc;
            check_size(&c, text, len);
            for (size_t si = 0; si < doc.statement_count && si < policy->statement_count; si++)
                check_statement(&c, si);
        }
        arena_release(&c.scratch);
        jv_doc_free(json);
        iam_policy_free(policy);
    }
    if (fs->nomem) {
        iam_findings_free(fs);
        return error_set(err, IAM_ERR_NOMEM, source_name, NULL, "", "out of memory");
    }
    if (fs->count > 1)
        qsort(fs->items, fs->count, sizeof *fs->items, compare_findings);
    *out = fs;
    return IAM_OK;
}
