/* Checked document -> compiled policy: action and resource patterns become
 * globs, principal entries are classified, condition operators resolved and
 * their literals parsed (spec 1.6 M11-M14, 2, 3). Nothing here runs per
 * request. */
#include <errno.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const cond_operator_info cond_operators[OP_COUNT] = {
    [OP_STRING_EQUALS] = {"StringEquals", VT_STRING, false, OP_STRING_EQUALS, true},
    [OP_STRING_NOT_EQUALS] = {"StringNotEquals", VT_STRING, true, OP_STRING_EQUALS, true},
    [OP_STRING_EQUALS_IC] = {"StringEqualsIgnoreCase", VT_STRING, false, OP_STRING_EQUALS_IC, true},
    [OP_STRING_NOT_EQUALS_IC] = {"StringNotEqualsIgnoreCase", VT_STRING, true, OP_STRING_EQUALS_IC, true},
    [OP_STRING_LIKE] = {"StringLike", VT_STRING, false, OP_STRING_LIKE, true},
    [OP_STRING_NOT_LIKE] = {"StringNotLike", VT_STRING, true, OP_STRING_LIKE, true},
    [OP_NUMERIC_EQUALS] = {"NumericEquals", VT_NUMBER, false, OP_NUMERIC_EQUALS, false},
    [OP_NUMERIC_NOT_EQUALS] = {"NumericNotEquals", VT_NUMBER, true, OP_NUMERIC_EQUALS, false},
    [OP_NUMERIC_LT] = {"NumericLessThan", VT_NUMBER, false, OP_NUMERIC_LT, false},
    [OP_NUMERIC_LE] = {"NumericLessThanEquals", VT_NUMBER, false, OP_NUMERIC_LE, false},
    [OP_NUMERIC_GT] = {"NumericGreaterThan", VT_NUMBER, false, OP_NUMERIC_GT, false},
    [OP_NUMERIC_GE] = {"NumericGreaterThanEquals", VT_NUMBER, false, OP_NUMERIC_GE, false},
    [OP_DATE_EQUALS] = {"DateEquals", VT_DATE, false, OP_DATE_EQUALS, false},
    [OP_DATE_NOT_EQUALS] = {"DateNotEquals", VT_DATE, true, OP_DATE_EQUALS, false},
    [OP_DATE_LT] = {"DateLessThan", VT_DATE, false, OP_DATE_LT, false},
    [OP_DATE_LE] = {"DateLessThanEquals", VT_DATE, false, OP_DATE_LE, false},
    [OP_DATE_GT] = {"DateGreaterThan", VT_DATE, false, OP_DATE_GT, false},
    [OP_DATE_GE] = {"DateGreaterThanEquals", VT_DATE, false, OP_DATE_GE, false},
    [OP_BOOL] = {"Bool", VT_BOOL, false, OP_BOOL, true},
    [OP_BINARY_EQUALS] = {"BinaryEquals", VT_BINARY, false, OP_BINARY_EQUALS, false},
    [OP_IP_ADDRESS] = {"IpAddress", VT_IP, false, OP_IP_ADDRESS, false},
    [OP_NOT_IP_ADDRESS] = {"NotIpAddress", VT_IP, true, OP_IP_ADDRESS, false},
    [OP_ARN_EQUALS] = {"ArnEquals", VT_ARN, false, OP_ARN_EQUALS, true},
    [OP_ARN_LIKE] = {"ArnLike", VT_ARN, false, OP_ARN_LIKE, true},
    [OP_ARN_NOT_EQUALS] = {"ArnNotEquals", VT_ARN, true, OP_ARN_EQUALS, true},
    [OP_ARN_NOT_LIKE] = {"ArnNotLike", VT_ARN, true, OP_ARN_LIKE, true},
    [OP_NULL] = {"Null", VT_NULL, false, OP_NULL, false},
};

typedef struct compiler {
    iam_policy *policy;
    const doc_policy *doc;
    const char *file;
    const char *prefix;
    const iam_limits *limits;
    iam_error *err;
    /* Where the element being compiled stands; the JSON path is only
     * formatted when an error needs it (compiling must not printf per value). */
    size_t where_stmt;
    const char *where_parts[3];
    const doc_list *where_list;
    size_t where_index;
    char path[256];
} compiler;

static iam_status nomem(compiler *c)
{
    return error_set(c->err, IAM_ERR_NOMEM, c->file, NULL, "", "out of memory");
}

/* Notes which element is being compiled: Statement[stmt].a.b.c[index]. */
static void set_where(compiler *c, size_t stmt, const char *a, const char *b, const char *cc,
                      const doc_list *list, size_t index)
{
    c->where_stmt = stmt;
    c->where_parts[0] = a;
    c->where_parts[1] = b;
    c->where_parts[2] = cc;
    c->where_list = list;
    c->where_index = index;
}

/* JSON path of the element set_where noted, e.g. $.Statement[2].Action[0]. */
static const char *where(compiler *c)
{
    size_t n = 0, cap = sizeof c->path;
    int k = snprintf(c->path, cap, "%s.Statement", c->prefix);
    n = k < 0 ? 0 : (size_t)k;
    if (n < cap && c->doc->statement_is_array) {
        k = snprintf(c->path + n, cap - n, "[%zu]", c->where_stmt);
        n += k < 0 ? 0 : (size_t)k;
    }
    for (int i = 0; i < 3 && c->where_parts[i] != NULL && n < cap; i++) {
        k = snprintf(c->path + n, cap - n, ".%s", c->where_parts[i]);
        n += k < 0 ? 0 : (size_t)k;
    }
    if (n < cap && c->where_list != NULL && c->where_list->is_array)
        snprintf(c->path + n, cap - n, "[%zu]", c->where_index);
    return c->path;
}

/* Bytes of w equal to c, counted exactly (no borrow between lanes). */
static unsigned count_in_word(uint64_t w, unsigned char c)
{
    const uint64_t low7 = UINT64_C(0x7F7F7F7F7F7F7F7F);
    uint64_t x = w ^ (UINT64_C(0x0101010101010101) * c);
    uint64_t zero = ~(((x & low7) + low7) | x | low7);   /* 0x80 in each matching lane */
    return (unsigned)(((zero >> 7) * UINT64_C(0x0101010101010101)) >> 56);
}

/* Every pattern of every policy passes here, so eight bytes a step. */
static unsigned count_wildcards(const char *s, size_t len)
{
    unsigned n = 0;
    if (len < 8) {
        for (size_t i = 0; i < len; i++)
            n += s[i] == '*' || s[i] == '?';
        return n;
    }
    uint64_t w;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, s + i, 8);
        n += count_in_word(w, '*') + count_in_word(w, '?');
    }
    if (i < len) {
        /* The last eight bytes, less those counted (the low ones): the
         * zeros shifted in are neither '*' nor '?'. */
        memcpy(&w, s + len - 8, 8);
        w >>= 8 * (8 - (len - i));
        n += count_in_word(w, '*') + count_in_word(w, '?');
    }
    return n;
}

/* Bounds every pattern's length and wildcard count (matching cost); the
 * count goes to *wildcards when that is not NULL. */
static iam_status check_pattern_limits(compiler *c, const doc_value *v, const char *what, unsigned *wildcards)
{
    if (v->len > c->limits->max_pattern_bytes)
        return error_set(c->err, IAM_ERR_LIMIT, c->file, &v->pos, where(c),
                         "%s is %zu bytes, more than the limit of %u", what, v->len,
                         (unsigned)c->limits->max_pattern_bytes);
    unsigned n = count_wildcards(v->text, v->len);
    if (wildcards != NULL)
        *wildcards = n;
    if (n > c->limits->max_wildcards)
        return error_set(c->err, IAM_ERR_LIMIT, c->file, &v->pos, where(c),
                         "%s has more than %u wildcards, the limit", what, (unsigned)c->limits->max_wildcards);
    return IAM_OK;
}

/* Folded copy in the policy's arena. Folding may grow text up to four
 * times, so it folds into scratch space first: reserving the worst case in
 * the arena cost several megabytes over the managed policies. */
static char *fold_copy(arena *a, const char *s, size_t len, size_t *out_len)
{
    char local[1024];
    size_t cap = 4 * len + 1;
    char *buf = cap <= sizeof local ? local : malloc(cap);
    if (buf == NULL)
        return NULL;
    size_t n = lit_fold(s, len, buf, cap);
    char *copy = n == (size_t)-1 ? NULL : arena_strndup(a, buf, n);
    if (buf != local)
        free(buf);
    if (copy != NULL)
        *out_len = n;
    return copy;
}

static iam_glob *own_glob(compiler *c, const char *s, size_t len, glob_mode mode);

static iam_status compile_action(compiler *c, size_t si, const doc_list *list, size_t i,
                                 action_pattern *out)
{
    const doc_value *v = &list->items[i];
    set_where(c, si, c->doc->statements[si].present & EL_NOT_ACTION ? "NotAction" : "Action", NULL, NULL, list, i);
    unsigned wild;
    iam_status s = check_pattern_limits(c, v, "action pattern", &wild);
    if (s != IAM_OK)
        return s;
    out->text = v->text;
    out->len = (uint32_t)v->len;
    if (v->len == 1 && v->text[0] == '*') {
        out->any = true;
        out->kind = AP_ANY;
        return IAM_OK;
    }
    const char *colon = memchr(v->text, ':', v->len);
    size_t prefix_len = colon ? (size_t)(colon - v->text) : 0;
    if (colon == NULL || prefix_len == 0 || prefix_len + 1 == v->len)
        return error_set(c->err, IAM_ERR_POLICY, c->file, &v->pos, where(c),
                         "action \"%s\" must be \"*\" or \"service:Action\" [M-A1]", v->text);
    if (memchr(v->text, '*', prefix_len) != NULL || memchr(v->text, '?', prefix_len) != NULL)
        return error_set(c->err, IAM_ERR_POLICY, c->file, &v->pos, where(c),
                         "action \"%s\" has a wildcard in its service prefix [M-A1]", v->text);
    size_t folded_len;
    char *folded = fold_copy(&c->policy->arena, v->text, v->len, &folded_len);
    if (folded == NULL)
        return nomem(c);
    out->folded = folded;
    out->folded_len = (uint32_t)folded_len;
    out->service_len = (uint32_t)(memchr(folded, ':', folded_len) ? (size_t)((char *)memchr(folded, ':', folded_len) - folded) : 0);
    /* Exact names and trailing-star prefixes compare bytes; the rest is a
     * glob. Folding keeps every '*' and '?' (it changes letters only, and
     * writes no ASCII byte for a non-ASCII character), so `wild` counts the
     * folded text's wildcards too. */
    size_t trailing = 0;
    while (trailing < folded_len && folded[folded_len - 1 - trailing] == '*')
        trailing++;
    if (wild == 0) {
        out->kind = AP_EXACT;
        return IAM_OK;
    }
    if (wild == trailing) {
        out->kind = AP_PREFIX;
        out->prefix_len = (uint32_t)(folded_len - trailing);
        return IAM_OK;
    }
    out->kind = AP_GLOB;
    out->glob = own_glob(c, folded, folded_len, GLOB_PLAIN);
    return out->glob ? IAM_OK : nomem(c);
}

bool action_pattern_matches(const action_pattern *ap, const char *action, size_t len, glob_scratch *gs)
{
    switch ((action_kind)ap->kind) {
    case AP_ANY: return true;
    case AP_EXACT: return len == ap->folded_len && memcmp(action, ap->folded, len) == 0;
    case AP_PREFIX: return len >= ap->prefix_len && memcmp(action, ap->folded, ap->prefix_len) == 0;
    case AP_GLOB: return glob_match(ap->glob, action, len, gs);
    }
    return false;
}

/* Index of the n-th ':' (1-based) in s, or len if there are fewer. */
static size_t nth_colon(const char *s, size_t len, unsigned n)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == ':' && --n == 0)
            return i;
    return len;
}

unsigned colon_count(const char *s, size_t len)
{
    unsigned n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] == ':';
    return n;
}

static iam_status compile_resource(compiler *c, size_t si, const doc_list *list, size_t i,
                                   resource_pattern *out)
{
    const doc_value *v = &list->items[i];
    set_where(c, si, c->doc->statements[si].present & EL_NOT_RESOURCE ? "NotResource" : "Resource", NULL, NULL,
              list, i);
    iam_status s = check_pattern_limits(c, v, "resource pattern", NULL);
    if (s != IAM_OK)
        return s;
    out->pos = v->pos;
    out->text = v->text;
    out->len = (uint32_t)v->len;
    if (v->len == 1 && v->text[0] == '*') {
        out->any = true;
        return IAM_OK;
    }
    if (v->len < 4 || memcmp(v->text, "arn:", 4) != 0)
        return error_set(c->err, IAM_ERR_POLICY, c->file, &v->pos, where(c),
                         "resource \"%s\" must be \"*\" or an ARN starting with \"arn:\" [M-R2]", v->text);
    unsigned colons = colon_count(v->text, v->len);
    const char *text = v->text;
    size_t len = v->len;
    if (colons < 5) {
        if (c->policy->type == IAM_POLICY_SESSION)
            return error_set(c->err, IAM_ERR_POLICY, c->file, &v->pos, where(c),
                             "resource \"%s\" is an incomplete ARN, which session policies reject [G-T4]",
                             v->text);
        /* [M-R3]: "arn:aws:sqs" behaves as "arn:aws:sqs:*:*:*". */
        size_t add = 2 * (5 - colons);
        char *padded = arena_alloc_bytes(&c->policy->arena, len + add + 1);
        if (padded == NULL)
            return nomem(c);
        memcpy(padded, text, len);
        for (unsigned k = colons; k < 5; k++) {
            padded[len++] = ':';
            padded[len++] = '*';
        }
        padded[len] = '\0';
        text = padded;
        out->text = padded;
        out->len = (uint32_t)len;
    }
    size_t fifth = nth_colon(text, len, 5);
    if (c->policy->version == VERSION_2012) {
        iam_template *t;
        if (template_parse(&t, text, len, fifth + 1, &c->policy->arena) != IAM_OK)
            return nomem(c);
        out->tmpl = t;
    }
    if (out->tmpl == NULL) {
        out->glob = own_glob(c, text, len, GLOB_RESOURCE);
        if (out->glob == NULL)
            return nomem(c);
    }
    /* [M-R7]: a whole-service pattern also covers the request resource "*". */
    if (len - fifth - 1 == 1 && text[fifth + 1] == '*') {
        size_t s2 = nth_colon(text, len, 2), s3 = nth_colon(text, len, 3);
        size_t fl;
        char *svc = fold_copy(&c->policy->arena, text + s2 + 1, s3 - s2 - 1, &fl);
        if (svc == NULL)
            return nomem(c);
        out->service_glob = own_glob(c, svc, fl, GLOB_PLAIN);
        if (out->service_glob == NULL)
            return nomem(c);
    }
    return IAM_OK;
}

static bool all_digits(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* Splits an ARN at its first five colons; false with fewer than five. */
bool arn_split(const char *s, size_t len, iam_str fields[6])
{
    size_t start = 0;
    unsigned f = 0;
    for (size_t i = 0; i < len && f < 5; i++) {
        if (s[i] == ':') {
            fields[f++] = (iam_str){s + start, i - start};
            start = i + 1;
        }
    }
    if (f < 5)
        return false;
    fields[5] = (iam_str){s + start, len - start};
    return true;
}

static bool str_eq(iam_str a, const char *b)
{
    size_t n = strlen(b);
    return a.len == n && memcmp(a.ptr, b, n) == 0;
}

static bool looks_like_unique_id(const char *s, size_t len)
{
    if (len < 16 || len > 128 || s[0] != 'A')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

/* [G-PR3]: classifies one AWS principal entry. */
static iam_status classify_aws_entry(compiler *c, const doc_value *v, principal_entry *out)
{
    out->text = v->text;
    out->len = (uint32_t)v->len;
    if (v->len == 1 && v->text[0] == '*') {
        out->kind = PE_ANY;
        return IAM_OK;
    }
    if (v->len == 12 && all_digits(v->text, 12)) {
        out->kind = PE_ACCOUNT;
        out->account = v->text;
        return IAM_OK;
    }
    iam_str f[6];
    if (v->len > 4 && memcmp(v->text, "arn:", 4) == 0 && arn_split(v->text, v->len, f) &&
        f[1].len > 0 && f[3].len == 0 && f[4].len == 12 && all_digits(f[4].ptr, 12)) {
        out->partition = f[1].ptr;
        out->partition_len = (uint32_t)f[1].len;
        out->account = f[4].ptr;
        iam_str r = f[5];
        if (str_eq(f[2], "iam")) {
            if (str_eq(r, "root")) {
                out->kind = PE_ACCOUNT;
                return IAM_OK;
            }
            if (r.len > 5 && memcmp(r.ptr, "user/", 5) == 0 && r.ptr[r.len - 1] != '/') {
                out->kind = PE_USER;
                return IAM_OK;
            }
            if (r.len > 5 && memcmp(r.ptr, "role/", 5) == 0 && r.ptr[r.len - 1] != '/') {
                const char *slash = r.ptr + r.len;
                while (slash > r.ptr && slash[-1] != '/')
                    slash--;
                out->kind = PE_ROLE;
                out->role_name = slash;
                out->role_name_len = (uint32_t)(r.ptr + r.len - slash);
                return IAM_OK;
            }
        } else if (str_eq(f[2], "sts")) {
            if (r.len > 13 && memcmp(r.ptr, "assumed-role/", 13) == 0) {
                const char *slash = memchr(r.ptr + 13, '/', r.len - 13);
                if (slash && slash > r.ptr + 13 && slash + 1 < r.ptr + r.len) {
                    out->kind = PE_SESSION;
                    return IAM_OK;
                }
            }
            if (r.len > 15 && memcmp(r.ptr, "federated-user/", 15) == 0) {
                out->kind = PE_FEDERATED_USER;
                return IAM_OK;
            }
        }
    }
    if (looks_like_unique_id(v->text, v->len)) {
        /* A deleted user's or role's unique ID: valid, matches nothing. */
        out->kind = PE_NEVER;
        return IAM_OK;
    }
    return error_set(c->err, IAM_ERR_POLICY, c->file, &v->pos, where(c),
                     "\"%s\" is not a valid AWS principal: expected \"*\", an account ID, or the ARN of "
                     "an account root, user, role, role session or federated user [G-PR3]",
                     v->text);
}

static iam_status compile_principals(compiler *c, size_t si, const doc_statement *ds, statement *st)
{
    const doc_principal *p = &ds->principal;
    st->has_principal = true;
    st->not_principal = (ds->present & EL_NOT_PRINCIPAL) != 0;
    const char *el = st->not_principal ? "NotPrincipal" : "Principal";
    size_t n = p->star ? 1 : 0;
    for (int k = 0; k < 4; k++)
        n += p->lists[k].count;
    st->principals = arena_calloc(&c->policy->arena, n, sizeof *st->principals);
    if (st->principals == NULL)
        return nomem(c);
    size_t j = 0;
    if (p->star) {
        st->principals[j].kind = PE_ANY;
        st->principals[j].text = "*";
        st->principals[j++].len = 1;
    }
    static const char *const keys[4] = {"AWS", "Service", "Federated", "CanonicalUser"};
    for (int k = 0; k < 4; k++) {
        const doc_list *l = &p->lists[k];
        for (size_t i = 0; i < l->count; i++) {
            set_where(c, si, el, keys[k], NULL, l, i);
            principal_entry *e = &st->principals[j++];
            const doc_value *v = &l->items[i];
            if (k == PKEY_AWS) {
                iam_status s = classify_aws_entry(c, v, e);
                if (s != IAM_OK)
                    return s;
            } else {
                e->text = v->text;
                e->len = (uint32_t)v->len;
                /* [G-PR6]: federated providers and canonical users name no
                 * principal the request format can express. */
                e->kind = k == PKEY_SERVICE ? PE_SERVICE : PE_NEVER;
            }
        }
    }
    st->principal_count = (uint32_t)n;
    return IAM_OK;
}

/* Operator name -> (qualifier, base, IfExists) [C-S2], case-insensitively [C-S4]. */
static bool parse_operator(const char *name, size_t len, cond_pair *out)
{
    out->qualifier = QUAL_NONE;
    out->if_exists = false;
    static const struct {
        const char *text;
        cond_qualifier q;
    } quals[] = {{"forallvalues:", QUAL_FOR_ALL_VALUES}, {"foranyvalue:", QUAL_FOR_ANY_VALUE}};
    for (size_t i = 0; i < 2; i++) {
        size_t ql = strlen(quals[i].text);
        if (len > ql && lit_equal_fold(name, ql, quals[i].text, ql)) {
            out->qualifier = (uint8_t)quals[i].q;
            name += ql;
            len -= ql;
            break;
        }
    }
    if (len > 8 && lit_equal_fold(name + len - 8, 8, "ifexists", 8)) {
        /* "IfExists" alone is no operator, and a base may not end with it. */
        out->if_exists = true;
        len -= 8;
    }
    for (int b = 0; b < OP_COUNT; b++) {
        size_t bl = strlen(cond_operators[b].name);
        if (bl == len && lit_equal_fold(name, len, cond_operators[b].name, bl)) {
            out->base = (uint8_t)b;
            return true;
        }
    }
    return false;
}

static const char *type_word(value_type t)
{
    switch (t) {
    case VT_NUMBER: return "a number";
    case VT_DATE: return "a date (ISO 8601 or epoch seconds)";
    case VT_BOOL: return "true or false";
    case VT_BINARY: return "base64";
    case VT_IP: return "an IP address or CIDR range";
    case VT_NULL: return "true or false";
    default: return "a string";
    }
}

static iam_status compile_condition_value(compiler *c, cond_pair *pair, const doc_value *v,
                                          cond_value *out)
{
    const cond_operator_info *info = &cond_operators[pair->base];
    out->text = v->text;
    out->len = (uint32_t)v->len;
    out->pos = v->pos;
    if (v->len > c->limits->max_pattern_bytes)
        return error_set(c->err, IAM_ERR_LIMIT, c->file, &v->pos, where(c),
                         "condition value is %zu bytes, more than the limit of %u", v->len,
                         (unsigned)c->limits->max_pattern_bytes);
    /* A Like or Arn value is a pattern whether or not it holds variables. */
    if (info->type == VT_ARN || pair->base == OP_STRING_LIKE || pair->base == OP_STRING_NOT_LIKE) {
        iam_status s = check_pattern_limits(c, v, "condition pattern", NULL);
        if (s != IAM_OK)
            return s;
    }
    if (info->variables && c->policy->version == VERSION_2012 && v->jv_type == JV_STRING) {
        iam_template *t;
        if (template_parse(&t, v->text, v->len, 0, &c->policy->arena) != IAM_OK)
            return nomem(c);
        out->tmpl = t;
        if (t != NULL)
            return IAM_OK;   /* parsed after substitution [C-T3] */
    }
    bool bad = false;
    switch ((value_type)info->type) {
    case VT_STRING:
        if (pair->base == OP_STRING_LIKE || pair->base == OP_STRING_NOT_LIKE) {
            out->glob = own_glob(c, v->text, v->len, GLOB_PLAIN);
            if (out->glob == NULL)
                return nomem(c);
        }
        break;
    case VT_ARN: {
        /* A value that is not a six-field ARN is valid but never equal [C-O19]. */
        out->arn_ok = colon_count(v->text, v->len) >= 5;
        if (out->arn_ok) {
            out->glob = own_glob(c, v->text, v->len, GLOB_ARN);
            if (out->glob == NULL)
                return nomem(c);
        }
        break;
    }
    case VT_NUMBER:
        bad = !lit_number_parse(v->text, v->len, &out->typed.number);
        break;
    case VT_DATE:
        bad = !lit_instant_parse(v->text, v->len, &out->typed.instant);
        break;
    case VT_BOOL:
    case VT_NULL:
        bad = !lit_bool_parse(v->text, v->len, &out->typed.boolean);
        break;
    case VT_BINARY:
        if (!lit_base64_valid(v->text, v->len)) {
            bad = true;
        } else {
            size_t n = lit_base64_decoded_len(v->text, v->len);
            out->typed.binary.bytes = (unsigned char *)arena_alloc_bytes(&c->policy->arena, n ? n : 1);
            if (out->typed.binary.bytes == NULL)
                return nomem(c);
            out->typed.binary.len = lit_base64_decode(v->text, v->len, out->typed.binary.bytes, n);
        }
        break;
    case VT_IP:
        bad = !lit_ip_parse_range(v->text, v->len, &out->typed.ip);
        break;
    }
    if (bad)
        return error_set(c->err, IAM_ERR_POLICY, c->file, &v->pos, where(c),
                         "%s value \"%s\" is not %s [C-T3]", pair->op_text, v->text,
                         type_word((value_type)info->type));
    return IAM_OK;
}

static iam_status compile_conditions(compiler *c, size_t si, const doc_statement *ds, statement *st)
{
    size_t n = 0;
    for (size_t i = 0; i < ds->condition_count; i++)
        n += ds->conditions[i].key_count;
    st->conditions = n ? arena_calloc(&c->policy->arena, n, sizeof *st->conditions) : NULL;
    if (n && st->conditions == NULL)
        return nomem(c);
    size_t j = 0;
    for (size_t i = 0; i < ds->condition_count; i++) {
        const doc_condition_op *op = &ds->conditions[i];
        set_where(c, si, "Condition", op->op.text, NULL, NULL, 0);
        cond_pair proto;
        memset(&proto, 0, sizeof proto);
        if (!parse_operator(op->op.text, op->op.len, &proto))
            return error_set(c->err, IAM_ERR_POLICY, c->file, &op->op.pos, where(c),
                             "unknown condition operator \"%s\" [C-S2]", op->op.text);
        if (proto.base == OP_NULL && (proto.if_exists || proto.qualifier != QUAL_NONE))
            return error_set(c->err, IAM_ERR_POLICY, c->file, &op->op.pos, where(c),
                             "\"%s\": Null takes neither IfExists nor a set qualifier [C-S3]",
                             op->op.text);
        for (size_t k = 0; k < op->key_count; k++) {
            const doc_condition_key *ck = &op->keys[k];
            cond_pair *pair = &st->conditions[j++];
            *pair = proto;
            pair->op_text = op->op.text;
            pair->key = ck->key.text;
            pair->key_len = (uint32_t)ck->key.len;
            ctx_key_init(&pair->key_info, ck->key.text, ck->key.len);
            pair->pos = ck->key.pos;
            pair->values = arena_calloc(&c->policy->arena, ck->values.count, sizeof *pair->values);
            if (pair->values == NULL)
                return nomem(c);
            pair->value_count = (uint32_t)ck->values.count;
            for (size_t vi = 0; vi < ck->values.count; vi++) {
                set_where(c, si, "Condition", op->op.text, ck->key.text, &ck->values, vi);
                iam_status s = compile_condition_value(c, pair, &ck->values.items[vi], &pair->values[vi]);
                if (s != IAM_OK)
                    return s;
            }
        }
    }
    st->condition_count = (uint32_t)n;
    return IAM_OK;
}

/* Globs are freed with the policy; they are chained through a list kept in
 * the arena so release needs no second pass over statements. */
typedef struct glob_link {
    struct glob_link *next;
    iam_glob *glob;
} glob_link;

static iam_glob *own_glob(compiler *c, const char *s, size_t len, glob_mode mode)
{
    glob_link *link = arena_alloc(&c->policy->arena, sizeof *link);
    if (link == NULL)
        return NULL;
    iam_glob *g = glob_compile(s, len, mode);
    if (g == NULL)
        return NULL;
    link->glob = g;
    link->next = (glob_link *)c->policy->globs;
    c->policy->globs = link;
    return g;
}

iam_status policy_compile(iam_policy *policy, const doc_policy *doc, const char *file,
                          const char *path_prefix, const iam_limits *limits, iam_error *err)
{
    compiler c = {.policy = policy, .doc = doc, .file = file,
                  .prefix = path_prefix ? path_prefix : "$", .limits = limits, .err = err};
    policy->version = doc->version;
    policy->statement_count = (uint32_t)doc->statement_count;
    policy->statements = doc->statement_count
                             ? arena_calloc(&policy->arena, doc->statement_count, sizeof *policy->statements)
                             : NULL;
    if (doc->statement_count && policy->statements == NULL)
        return nomem(&c);
    for (size_t si = 0; si < doc->statement_count; si++) {
        const doc_statement *ds = &doc->statements[si];
        statement *st = &policy->statements[si];
        st->index = (uint32_t)si;
        st->allow = ds->allow;
        st->pos = ds->pos;
        st->sid = (ds->present & EL_SID) ? ds->sid.text : NULL;
        st->not_action = (ds->present & EL_NOT_ACTION) != 0;
        st->not_resource = (ds->present & EL_NOT_RESOURCE) != 0;
        st->any_resource = !(ds->present & (EL_RESOURCE | EL_NOT_RESOURCE));
        st->actions = arena_calloc(&policy->arena, ds->actions.count, sizeof *st->actions);
        if (st->actions == NULL)
            return nomem(&c);
        st->action_count = (uint32_t)ds->actions.count;
        for (size_t i = 0; i < ds->actions.count; i++) {
            iam_status s = compile_action(&c, si, &ds->actions, i, &st->actions[i]);
            if (s != IAM_OK)
                return s;
        }
        if (!st->any_resource) {
            st->resources = arena_calloc(&policy->arena, ds->resources.count, sizeof *st->resources);
            if (st->resources == NULL)
                return nomem(&c);
            st->resource_count = (uint32_t)ds->resources.count;
            for (size_t i = 0; i < ds->resources.count; i++) {
                iam_status s = compile_resource(&c, si, &ds->resources, i, &st->resources[i]);
                if (s != IAM_OK)
                    return s;
            }
        }
        if (ds->present & (EL_PRINCIPAL | EL_NOT_PRINCIPAL)) {
            iam_status s = compile_principals(&c, si, ds, st);
            if (s != IAM_OK)
                return s;
        }
        iam_status s = compile_conditions(&c, si, ds, st);
        if (s != IAM_OK)
            return s;
    }
    return IAM_OK;
}

/* ------------------------------------------------------------------------ */

static iam_policy *policy_new(iam_policy_type type, const char *name, size_t expected_bytes)
{
    iam_policy *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    arena_init(&p->arena);
    arena_expect(&p->arena, expected_bytes);
    p->type = type;
    p->name = arena_strndup(&p->arena, name ? name : "", name ? strlen(name) : 0);
    if (p->name == NULL) {
        free(p);
        return NULL;
    }
    return p;
}

void iam_policy_free(iam_policy *policy)
{
    if (policy == NULL)
        return;
    for (glob_link *l = policy->globs; l != NULL; l = l->next)
        glob_free(l->glob);
    arena_release(&policy->arena);
    free(policy);
}

/* Copies every string the document points at into the policy's arena, so
 * the compiled policy no longer needs the JSON document it was read from. */
static bool intern_value(arena *a, doc_value *v)
{
    if (v->text == NULL)
        return true;
    char *copy = arena_strndup(a, v->text, v->len);
    v->text = copy;
    return copy != NULL;
}

static bool intern_list(arena *a, doc_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        if (!intern_value(a, &l->items[i]))
            return false;
    return true;
}

static bool intern_document(arena *a, doc_policy *doc)
{
    for (size_t i = 0; i < doc->statement_count; i++) {
        doc_statement *st = &doc->statements[i];
        if (!intern_value(a, &st->sid) || !intern_list(a, &st->actions) || !intern_list(a, &st->resources))
            return false;
        for (int k = 0; k < 4; k++)
            if (!intern_list(a, &st->principal.lists[k]))
                return false;
        for (size_t c = 0; c < st->condition_count; c++) {
            doc_condition_op *op = &st->conditions[c];
            if (!intern_value(a, &op->op))
                return false;
            for (size_t k = 0; k < op->key_count; k++)
                if (!intern_value(a, &op->keys[k].key) || !intern_list(a, &op->keys[k].values))
                    return false;
        }
    }
    return true;
}

static bool valid_type(iam_policy_type type)
{
    return (unsigned)type <= IAM_POLICY_RCP;
}

/* The byte offset just past the last value inside v (strings counted by their
 * decoded length): the extent of a policy embedded in a larger document. */
static uint32_t value_end(const json_value *v)
{
    uint32_t end = v->pos.offset + 1;
    if (v->type == JV_STRING || v->type == JV_NUMBER)
        end = v->pos.offset + (uint32_t)v->u.text.len + 2;
    else if (v->type == JV_ARRAY) {
        for (size_t i = 0; i < v->u.array.count; i++) {
            uint32_t e = value_end(v->u.array.items[i]);
            end = e > end ? e : end;
        }
    } else if (v->type == JV_OBJECT) {
        for (size_t i = 0; i < v->u.object.count; i++) {
            uint32_t e = value_end(v->u.object.members[i].value);
            end = e > end ? e : end;
        }
    }
    return end;
}

static iam_status policy_from_value(iam_policy **out, const json_value *root, size_t extent,
                                    iam_policy_type type, const char *file, const char *path_prefix,
                                    const iam_limits *limits, iam_error *err);

iam_status policy_from_json(iam_policy **out, const json_value *root, iam_policy_type type,
                            const char *file, const char *path_prefix,
                            const iam_limits *limits, iam_error *err)
{
    /* A policy inside a scenario file obeys the same size bound as one
     * parsed on its own: its extent is that of its value. */
    size_t extent = (size_t)(value_end(root) - root->pos.offset);
    return policy_from_value(out, root, extent, type, file, path_prefix, limits, err);
}

/* extent: the bytes of JSON the policy spans. */
static iam_status policy_from_value(iam_policy **out, const json_value *root, size_t extent,
                                    iam_policy_type type, const char *file, const char *path_prefix,
                                    const iam_limits *limits, iam_error *err)
{
    *out = NULL;
    if (extent > limits->max_document_bytes)
        return error_set(err, IAM_ERR_LIMIT, file, &root->pos, path_prefix ? path_prefix : "$",
                         "policy document is about %zu bytes, more than the limit of %zu", extent,
                         limits->max_document_bytes);
    /* Over AWS's managed policies a compiled policy holds about 2.5 times
     * the bytes its JSON spans (whitespace included); a first chunk a little
     * larger takes most of them whole. */
    iam_policy *p = policy_new(type, file, extent / 4 * 11);
    const char *prefix = path_prefix ? path_prefix : "$";
    if (p != NULL && (p->path = arena_strndup(&p->arena, prefix, strlen(prefix))) == NULL) {
        iam_policy_free(p);
        p = NULL;
    }
    if (p == NULL)
        return error_set(err, IAM_ERR_NOMEM, file, NULL, "", "out of memory");
    /* The document model is only needed while compiling. */
    arena scratch;
    arena_init(&scratch);
    doc_policy doc;
    iam_status s = doc_load(&doc, root, type, file, path_prefix, limits, &scratch, err);
    if (s == IAM_OK && !intern_document(&p->arena, &doc))
        s = error_set(err, IAM_ERR_NOMEM, file, NULL, "", "out of memory");
    if (s == IAM_OK)
        s = policy_compile(p, &doc, file, path_prefix, limits, err);
    arena_release(&scratch);
    if (s != IAM_OK) {
        iam_policy_free(p);
        return s;
    }
    *out = p;
    return IAM_OK;
}

iam_status iam_policy_parse(iam_policy **out, const char *text, size_t len,
                            iam_policy_type type, const char *source_name,
                            const iam_limits *limits, iam_error *err)
{
    if (out == NULL)
        return error_set(err, IAM_ERR_ARGUMENT, source_name, NULL, "", "out is NULL");
    *out = NULL;
    if (text == NULL || !valid_type(type))
        return error_set(err, IAM_ERR_ARGUMENT, source_name, NULL, "",
                         text == NULL ? "text is NULL" : "unknown policy type");
    iam_limits defaults;
    limits = limits_or_default(limits, &defaults);
    if (len > limits->max_document_bytes)
        return error_set(err, IAM_ERR_LIMIT, source_name, NULL, "",
                         "policy document is %zu bytes, more than the limit of %zu", len,
                         limits->max_document_bytes);
    json_error je;
    json_doc *doc = jv_parse(text, len, 1, limits->max_depth, &je);
    if (doc == NULL)
        return error_set(err, IAM_ERR_JSON, source_name, &je.pos, "", "%s", je.message);
    /* The document is the whole text, already bounded above. */
    iam_status s = policy_from_value(out, jv_root(doc), len, type, source_name, "$", limits, err);
    /* The compiled policy holds copies of what it needs. */
    jv_doc_free(doc);
    return s;
}

iam_status file_read_all(const char *path, size_t max, char **out, size_t *out_len, iam_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return error_set(err, IAM_ERR_IO, path, NULL, "", "cannot open: %s", strerror(errno));
    /* Refuse an oversized regular file before reading any of it. */
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (uintmax_t)st.st_size > (uintmax_t)max) {
        fclose(f);
        return error_set(err, IAM_ERR_LIMIT, path, NULL, "", "file is %jd bytes, more than the limit of %zu",
                         (intmax_t)st.st_size, max);
    }
    size_t cap = 64 * 1024, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        fclose(f);
        return error_set(err, IAM_ERR_NOMEM, path, NULL, "", "out of memory");
    }
    for (;;) {
        if (len == cap) {
            if (cap > max) {
                free(buf);
                fclose(f);
                return error_set(err, IAM_ERR_LIMIT, path, NULL, "",
                                 "file is larger than the limit of %zu bytes", max);
            }
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return error_set(err, IAM_ERR_NOMEM, path, NULL, "", "out of memory");
            }
            buf = nb;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f)) {
                free(buf);
                fclose(f);
                return error_set(err, IAM_ERR_IO, path, NULL, "", "read error: %s", strerror(errno));
            }
            break;
        }
    }
    fclose(f);
    if (len > max) {
        free(buf);
        return error_set(err, IAM_ERR_LIMIT, path, NULL, "", "file is %zu bytes, more than the limit of %zu",
                         len, max);
    }
    *out = buf;
    *out_len = len;
    return IAM_OK;
}

iam_status iam_policy_load_file(iam_policy **out, const char *path, iam_policy_type type,
                                const iam_limits *limits, iam_error *err)
{
    if (out == NULL || path == NULL)
        return error_set(err, IAM_ERR_ARGUMENT, path, NULL, "", "out or path is NULL");
    *out = NULL;
    iam_limits defaults;
    limits = limits_or_default(limits, &defaults);
    char *text;
    size_t len;
    iam_status s = file_read_all(path, limits->max_document_bytes, &text, &len, err);
    if (s != IAM_OK)
        return s;
    s = iam_policy_parse(out, text, len, type, path, limits, err);
    free(text);
    return s;
}

iam_policy_type iam_policy_get_type(const iam_policy *policy)
{
    return policy ? policy->type : IAM_POLICY_IDENTITY;
}

const char *iam_policy_get_name(const iam_policy *policy)
{
    return policy && policy->name ? policy->name : "";
}

size_t iam_policy_statement_count(const iam_policy *policy)
{
    return policy ? policy->statement_count : 0;
}
