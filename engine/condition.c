/* One (operator, key) pair against the request context: the algorithm of
 * spec 3.4, with the typed comparisons of 3.5 and the variables of 4.4. */
#include <string.h>

#include "internal.h"

/* Result of comparing one request value with one policy value. */
typedef enum { CMP_FALSE, CMP_TRUE, CMP_LIMIT } cmp_result;

/* Piecewise equality of the substituted pieces with r: no buffer needed. */
static bool pieces_equal(const glob_piece *p, size_t n, const char *r, size_t rlen, bool fold)
{
    if (!fold) {
        size_t off = 0;
        for (size_t i = 0; i < n; i++) {
            if (p[i].len > rlen - off || memcmp(p[i].ptr, r + off, p[i].len) != 0)
                return false;
            off += p[i].len;
        }
        return off == rlen;
    }
    /* Folding works per code point, and pieces end on code-point boundaries
     * (they are whole UTF-8 strings), so the pieces fold one at a time. */
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < p[i].len) {
            if (off >= rlen)
                return false;
            uint32_t a, b;
            j += lit_utf8_decode(p[i].ptr + j, p[i].len - j, &a);
            off += lit_utf8_decode(r + off, rlen - off, &b);
            if (lit_fold_codepoint(a) != lit_fold_codepoint(b))
                return false;
        }
    }
    return off == rlen;
}

static size_t pieces_len(const glob_piece *p, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += p[i].len;
    return len;
}

static unsigned pieces_colons(const glob_piece *p, size_t n)
{
    unsigned c = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < p[i].len; j++)
            c += p[i].ptr[j] == ':';
    return c;
}

/* A request value parsed once for the operator's type [C-T1]. */
typedef struct parsed_request {
    const char *text;
    size_t len;
    union {
        lit_number number;
        lit_instant instant;
        lit_ip ip;
        bool boolean;
    } v;
} parsed_request;

static bool parse_request_value(value_type type, const iam_str *r, parsed_request *out)
{
    out->text = r->ptr;
    out->len = r->len;
    switch (type) {
    case VT_NUMBER: return lit_number_parse(r->ptr, r->len, &out->v.number);
    case VT_DATE: return lit_instant_parse(r->ptr, r->len, &out->v.instant);
    case VT_BOOL: return lit_bool_parse(r->ptr, r->len, &out->v.boolean);
    case VT_BINARY: return lit_base64_valid(r->ptr, r->len);
    case VT_IP: return lit_ip_parse_address(r->ptr, r->len, &out->v.ip);
    case VT_ARN: return colon_count(r->ptr, r->len) >= 5;   /* [C-O19] */
    default: return true;
    }
}

static bool ordered(cond_base positive, int c)
{
    switch (positive) {
    case OP_NUMERIC_EQUALS:
    case OP_DATE_EQUALS: return c == 0;
    case OP_NUMERIC_LT:
    case OP_DATE_LT: return c < 0;
    case OP_NUMERIC_LE:
    case OP_DATE_LE: return c <= 0;
    case OP_NUMERIC_GT:
    case OP_DATE_GT: return c > 0;
    case OP_NUMERIC_GE:
    case OP_DATE_GE: return c >= 0;
    default: return false;
    }
}

/* compare(pos(base), r, p) of spec 3.4. */
static cmp_result compare(cond_base positive, const parsed_request *r, const cond_value *p,
                          iam_scratch *s)
{
    if (p->tmpl != NULL) {
        bool unresolved;
        size_t n = template_resolve(p->tmpl, s, &unresolved);
        if (n == (size_t)-1)
            return CMP_LIMIT;
        if (unresolved)
            return CMP_FALSE;   /* a null value equals nothing [V-U3] */
        switch (positive) {
        case OP_STRING_EQUALS:
            return pieces_equal(s->pieces, n, r->text, r->len, false) ? CMP_TRUE : CMP_FALSE;
        case OP_STRING_EQUALS_IC:
            return pieces_equal(s->pieces, n, r->text, r->len, true) ? CMP_TRUE : CMP_FALSE;
        case OP_BOOL: {
            /* [C-O12]: the substituted text must itself be a boolean. */
            char buf[8];
            size_t len = pieces_len(s->pieces, n), off = 0;
            if (len > 5)
                return CMP_FALSE;
            for (size_t i = 0; i < n; i++) {
                memcpy(buf + off, s->pieces[i].ptr, s->pieces[i].len);
                off += s->pieces[i].len;
            }
            bool pv;
            if (!lit_bool_parse(buf, len, &pv))
                return CMP_FALSE;
            return pv == r->v.boolean ? CMP_TRUE : CMP_FALSE;
        }
        case OP_STRING_LIKE:
        case OP_ARN_EQUALS:
        case OP_ARN_LIKE: {
            bool arn = positive != OP_STRING_LIKE;
            if (arn && pieces_colons(s->pieces, n) < 5)
                return CMP_FALSE;
            if (!arn && p->tmpl->literal_only)
                return template_match_literal(p->tmpl, s->pieces, n, r->text, r->len) ? CMP_TRUE : CMP_FALSE;
            int m = template_glob_match(s, n, arn ? GLOB_ARN : GLOB_PLAIN, r->text, r->len);
            return m < 0 ? CMP_LIMIT : m ? CMP_TRUE : CMP_FALSE;
        }
        default:
            return CMP_FALSE;
        }
    }
    switch (positive) {
    case OP_STRING_EQUALS:
        return r->len == p->len && memcmp(r->text, p->text, p->len) == 0 ? CMP_TRUE : CMP_FALSE;
    case OP_STRING_EQUALS_IC:
        return lit_equal_fold(r->text, r->len, p->text, p->len) ? CMP_TRUE : CMP_FALSE;
    case OP_STRING_LIKE:
        return glob_match(p->glob, r->text, r->len, s->glob) ? CMP_TRUE : CMP_FALSE;
    case OP_ARN_EQUALS:
    case OP_ARN_LIKE:
        if (!p->arn_ok)
            return CMP_FALSE;
        return glob_match(p->glob, r->text, r->len, s->glob) ? CMP_TRUE : CMP_FALSE;
    case OP_NUMERIC_EQUALS:
    case OP_NUMERIC_LT:
    case OP_NUMERIC_LE:
    case OP_NUMERIC_GT:
    case OP_NUMERIC_GE:
        /* The request value stands on the left [C-O6]. */
        return ordered(positive, lit_number_compare(&r->v.number, &p->typed.number)) ? CMP_TRUE : CMP_FALSE;
    case OP_DATE_EQUALS:
    case OP_DATE_LT:
    case OP_DATE_LE:
    case OP_DATE_GT:
    case OP_DATE_GE:
        return ordered(positive, lit_instant_compare(&r->v.instant, &p->typed.instant)) ? CMP_TRUE : CMP_FALSE;
    case OP_BOOL:
        return r->v.boolean == p->typed.boolean ? CMP_TRUE : CMP_FALSE;
    case OP_BINARY_EQUALS:
        return lit_base64_equals(r->text, r->len, p->typed.binary.bytes, p->typed.binary.len) ? CMP_TRUE
                                                                                              : CMP_FALSE;
    case OP_IP_ADDRESS:
        return lit_ip_in_range(&p->typed.ip, &r->v.ip) ? CMP_TRUE : CMP_FALSE;
    default:
        return CMP_FALSE;
    }
}

/* test(base, r, values) of spec 3.4. */
static bool test_value(const cond_pair *pair, const iam_str *r, iam_scratch *s, bool *limit_hit)
{
    const cond_operator_info *info = &cond_operators[pair->base];
    parsed_request pr;
    if (!parse_request_value((value_type)info->type, r, &pr))
        return false;   /* [C-T2]: false for positive and negated alike */
    cond_base positive = (cond_base)info->positive;
    for (uint32_t i = 0; i < pair->value_count; i++) {
        cmp_result c = compare(positive, &pr, &pair->values[i], s);
        if (c == CMP_LIMIT) {
            *limit_hit = true;
            return false;
        }
        if (c == CMP_TRUE)
            return !info->negated;   /* OR for positive; one equal value breaks a NOR */
    }
    return info->negated;
}

static bool null_valued(const ctx_lookup *v)
{
    if (!v->present)
        return true;
    if (v->multivalued)
        return v->count == 0;
    return v->values[0].len == 0;
}

bool condition_pair_holds(const cond_pair *pair, iam_scratch *s, bool *limit_hit)
{
    ctx_lookup v = context_get(s, pair->key, pair->key_len, &pair->key_info);
    if (pair->base == OP_NULL) {   /* [C-N1] */
        bool is_null = null_valued(&v);
        for (uint32_t i = 0; i < pair->value_count; i++)
            if (pair->values[i].typed.boolean == is_null)
                return true;
        return false;
    }
    if (pair->qualifier != QUAL_NONE) {   /* [C-Q1], [C-Q2]; IfExists ignored [C-Q4] */
        bool all = pair->qualifier == QUAL_FOR_ALL_VALUES;
        /* request_set: missing, "" and [] are the empty set. */
        size_t n = !v.present ? 0 : v.multivalued ? v.count : (v.values[0].len ? 1 : 0);
        if (n == 0)
            return all;
        for (size_t i = 0; i < n; i++) {
            bool ok = test_value(pair, &v.values[i], s, limit_hit);
            if (*limit_hit)
                return false;
            if (all && !ok)
                return false;
            if (!all && ok)
                return true;
        }
        return all;
    }
    if (!v.present)   /* [C-X1], [C-X2] */
        return pair->if_exists || cond_operators[pair->base].negated;
    if (v.multivalued)   /* [C-M1] */
        return false;
    return test_value(pair, &v.values[0], s, limit_hit);
}
