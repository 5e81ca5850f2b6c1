/* Policy variables (spec section 4): `${key}`, `${key, 'default'}` and the
 * fixed `${*}`, `${?}`, `${$}`. Text is split into parts once, when the
 * policy is compiled; evaluation only looks the keys up (condition.c). */
#include <string.h>

#include "internal.h"

typedef struct parsed_variable {
    size_t end;            /* index just past the closing brace */
    tmpl_part part;
} parsed_variable;

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Recognises a variable at text[i] == '$', text[i+1] == '{'. Anything that
 * is not one of the forms of [V-S1]-[V-S3] is literal text [V-S6]. */
static bool parse_variable(const char *text, size_t len, size_t i, parsed_variable *out)
{
    size_t j = i + 2;
    const char *close = memchr(text + j, '}', len - j);
    if (close == NULL)
        return false;
    size_t end = (size_t)(close - text);
    size_t a = j, b = end;
    while (a < b && is_space(text[a]))
        a++;
    while (b > a && is_space(text[b - 1]))
        b--;
    if (a == b)
        return false;
    memset(&out->part, 0, sizeof out->part);
    out->end = end + 1;
    if (b - a == 1 && (text[a] == '*' || text[a] == '?' || text[a] == '$')) {
        out->part.kind = TP_LITERAL;
        out->part.text = text + a;
        out->part.len = 1;
        return true;
    }
    /* Key name, then optionally ", 'default'". */
    size_t k = a;
    while (k < b && text[k] != ',' && text[k] != '\'' && text[k] != '$' && text[k] != '{')
        k++;
    size_t key_end = k;
    while (key_end > a && is_space(text[key_end - 1]))
        key_end--;
    if (key_end == a)
        return false;
    for (size_t c = a; c < key_end; c++)
        if (is_space(text[c]))
            return false;   /* an unsupported space inside the name [V-S6] */
    out->part.kind = TP_VARIABLE;
    out->part.text = text + a;
    out->part.len = (uint32_t)(key_end - a);
    ctx_key_init(&out->part.key, text + a, key_end - a);
    if (k == b)
        return true;
    if (text[k] != ',')
        return false;
    k++;
    while (k < b && is_space(text[k]))
        k++;
    if (k >= b || text[k] != '\'')
        return false;
    size_t q = k + 1;
    while (q < b && text[q] != '\'')
        q++;
    if (q >= b || q + 1 != b)
        return false;   /* no closing quote, or text after it */
    out->part.has_default = true;
    out->part.default_text = text + k + 1;
    out->part.default_len = (uint32_t)(q - k - 1);
    return true;
}

iam_status template_parse(iam_template **out, const char *text, size_t len, size_t from, arena *a)
{
    *out = NULL;
    /* Count first, so the parts array is allocated once. */
    size_t vars = 0;
    parsed_variable pv;
    for (size_t i = from; i + 1 < len; i++)
        if (text[i] == '$' && text[i + 1] == '{' && parse_variable(text, len, i, &pv)) {
            vars++;
            i = pv.end - 1;
        }
    if (vars == 0)
        return IAM_OK;
    iam_template *t = arena_calloc(a, 1, sizeof *t);
    tmpl_part *parts = arena_calloc(a, 2 * vars + 1, sizeof *parts);
    if (t == NULL || parts == NULL)
        return IAM_ERR_NOMEM;
    size_t n = 0, run = 0;
    for (size_t i = from; i + 1 < len; i++) {
        if (text[i] == '$' && text[i + 1] == '{' && parse_variable(text, len, i, &pv)) {
            if (i > run)
                parts[n++] = (tmpl_part){.kind = TP_PATTERN, .text = text + run, .len = (uint32_t)(i - run)};
            parts[n++] = pv.part;
            if (pv.part.kind == TP_VARIABLE)
                t->variable_count++;
            i = pv.end - 1;
            run = pv.end;
        }
    }
    if (run < len)
        parts[n++] = (tmpl_part){.kind = TP_PATTERN, .text = text + run, .len = (uint32_t)(len - run)};
    t->parts = parts;
    t->count = (uint32_t)n;
    /* The parts cover the whole text, the first ARN fields included. */
    size_t stars = 0, qmarks = 0;
    for (size_t i = 0; i < n; i++)
        for (uint32_t k = 0; parts[i].kind == TP_PATTERN && k < parts[i].len; k++) {
            stars += parts[i].text[k] == '*';
            qmarks += parts[i].text[k] == '?';
        }
    const tmpl_part *last = &parts[n - 1];
    bool ends_star = last->kind == TP_PATTERN && last->len > 0 && last->text[last->len - 1] == '*';
    t->literal_only = qmarks == 0 && (stars == 0 || (stars == 1 && ends_star));
    t->trailing_star = stars == 1;
    *out = t;
    return IAM_OK;
}

bool template_match_literal(const iam_template *t, const glob_piece *p, size_t n, const char *subject,
                            size_t len)
{
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        size_t plen = p[i].len;
        if (t->trailing_star && i == n - 1)
            plen--;   /* the final '*' matches whatever is left */
        if (plen > len - off || (plen && memcmp(p[i].ptr, subject + off, plen) != 0))
            return false;
        off += plen;
    }
    return t->trailing_star || off == len;
}

int template_glob_match(iam_scratch *s, size_t n, glob_mode mode, const char *subject, size_t len)
{
    /* Most resolved templates are star-only patterns the field matcher
     * takes; the rest are parsed and simulated. */
    int fast = glob_match_pieces_fast(s->pieces, n, mode, subject, len, s->join, s->join_cap);
    if (fast >= 0)
        return fast;
    size_t ne = glob_parse_pieces(s->pieces, n, mode, s->elems, s->elem_cap);
    if (ne == (size_t)-1)
        return -1;
    return glob_match_elems(s->elems, ne, subject, len) ? 1 : 0;
}

size_t template_resolve(const iam_template *t, iam_scratch *scratch, bool *unresolved)
{
    *unresolved = false;
    if (t->count > scratch->piece_cap)
        return (size_t)-1;
    for (uint32_t i = 0; i < t->count; i++) {
        const tmpl_part *p = &t->parts[i];
        glob_piece *out = &scratch->pieces[i];
        switch (p->kind) {
        case TP_PATTERN:
            *out = (glob_piece){p->text, p->len, false};
            break;
        case TP_LITERAL:
            *out = (glob_piece){p->text, p->len, true};
            break;
        default: {
            ctx_lookup v = context_get(scratch, p->text, p->len, &p->key);
            /* Only a single-valued key has a value to substitute [V-K1];
             * "" is a value [V-K2]. */
            if (v.present && !v.multivalued) {
                *out = (glob_piece){v.values[0].ptr, v.values[0].len, true};
            } else if (p->has_default) {
                *out = (glob_piece){p->default_text, p->default_len, true};
            } else {
                *unresolved = true;
                return 0;
            }
            break;
        }
        }
    }
    return t->count;
}
