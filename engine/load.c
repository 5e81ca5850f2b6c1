/* JSON value -> checked policy document (spec 1.1-1.6).
 *
 * Everything structural is checked here, so that compile.c sees only
 * well-shaped documents: member names, types, required and forbidden
 * elements per policy type (1.5), principal shapes (1.4). Literal contents
 * (action and resource forms, operators, typed values) are compile.c's. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* One step of the JSON path to the element being checked: ".key" or
 * "[index]". The path is kept as steps and written out only for an error:
 * every element of every policy is visited, few are wrong. */
typedef struct path_step {
    const char *key;     /* NULL: an index */
    size_t index;
} path_step;

#define PATH_MAX_STEPS 16

typedef struct loader {
    const char *file;
    iam_policy_type type;
    const iam_limits *limits;
    arena *arena;
    iam_error *err;
    const char *prefix;  /* "$" or the caller's path of the document */
    path_step steps[PATH_MAX_STEPS];
    size_t depth;        /* may exceed PATH_MAX_STEPS: deeper steps are not kept */
    char path[256];      /* path_text's buffer */
} loader;

/* Appends a step for the duration of one check; returns the old depth so
 * the caller can restore it. */
static size_t path_push_key(loader *ld, const char *key)
{
    if (ld->depth < PATH_MAX_STEPS)
        ld->steps[ld->depth] = (path_step){key, 0};
    return ld->depth++;
}

static size_t path_push_index(loader *ld, size_t index)
{
    if (ld->depth < PATH_MAX_STEPS)
        ld->steps[ld->depth] = (path_step){NULL, index};
    return ld->depth++;
}

static void path_pop(loader *ld, size_t old)
{
    ld->depth = old;
}

/* The path as text, e.g. $.Statement[2].Action[0] (cut at the buffer). */
static const char *path_text(loader *ld)
{
    size_t cap = sizeof ld->path, n = 0;
    int k = snprintf(ld->path, cap, "%s", ld->prefix);
    n = k < 0 ? 0 : (size_t)k;
    for (size_t i = 0; i < ld->depth && i < PATH_MAX_STEPS && n < cap; i++) {
        const path_step *st = &ld->steps[i];
        k = st->key ? snprintf(ld->path + n, cap - n, ".%s", st->key)
                    : snprintf(ld->path + n, cap - n, "[%zu]", st->index);
        n += k < 0 ? 0 : (size_t)k;
    }
    return ld->path;
}

static iam_status fail(loader *ld, const json_pos *pos, const char *fmt, const char *arg)
{
    return error_set(ld->err, IAM_ERR_POLICY, ld->file, pos, path_text(ld), fmt, arg ? arg : "");
}

/* An error about one element of the current statement: the path names the
 * element, as the position does. */
static iam_status fail_element(loader *ld, const json_pos *pos, const char *element, const char *msg)
{
    size_t old = element ? path_push_key(ld, element) : ld->depth;
    iam_status st = fail(ld, pos, "%s", msg);
    path_pop(ld, old);
    return st;
}

static const char *json_type_word(jv_type t)
{
    switch (t) {
    case JV_NULL: return "null";
    case JV_FALSE:
    case JV_TRUE: return "a boolean";
    case JV_NUMBER: return "a number";
    case JV_STRING: return "a string";
    case JV_ARRAY: return "an array";
    case JV_OBJECT: return "an object";
    }
    return "a value";
}

static void set_value(doc_value *out, const json_value *v)
{
    out->jv_type = (uint8_t)v->type;
    out->pos = v->pos;
    if (v->type == JV_STRING || v->type == JV_NUMBER) {
        out->text = v->u.text.ptr;
        out->len = v->u.text.len;
    } else if (v->type == JV_TRUE) {
        out->text = "true";
        out->len = 4;
    } else {
        out->text = "false";
        out->len = 5;
    }
}

/* A single string. */
static iam_status load_string(loader *ld, const json_value *v, const char *element, doc_value *out)
{
    if (v->type != JV_STRING)
        return fail(ld, &v->pos, "%s must be a string", element);
    set_value(out, v);
    return IAM_OK;
}

/* A string or a non-empty list of strings [G-J4]; scalars (numbers and
 * booleans) too when `scalars` (condition values [G-J5]); empty strings are
 * refused unless `empty_ok` [M10]. */
static iam_status load_list(loader *ld, const json_value *v, const char *element,
                            bool scalars, bool empty_ok, doc_list *out)
{
    out->pos = v->pos;
    out->is_array = v->type == JV_ARRAY;
    size_t n = out->is_array ? v->u.array.count : 1;
    if (n == 0)
        return fail(ld, &v->pos, "%s must not be an empty list", element);
    if (n > ld->limits->max_values)
        return error_set(ld->err, IAM_ERR_LIMIT, ld->file, &v->pos, path_text(ld),
                         "%s has %zu values, more than the limit of %u", element, n,
                         (unsigned)ld->limits->max_values);
    out->items = arena_calloc(ld->arena, n, sizeof *out->items);
    if (out->items == NULL)
        return error_set(ld->err, IAM_ERR_NOMEM, ld->file, &v->pos, path_text(ld), "out of memory");
    out->count = n;
    for (size_t i = 0; i < n; i++) {
        const json_value *item = out->is_array ? v->u.array.items[i] : v;
        size_t old = out->is_array ? path_push_index(ld, i) : ld->depth;
        bool ok_type = item->type == JV_STRING ||
                       (scalars && (item->type == JV_NUMBER || item->type == JV_TRUE ||
                                    item->type == JV_FALSE));
        if (!ok_type) {
            iam_status st = fail(ld, &item->pos,
                                 scalars ? "%s values must be strings, numbers or booleans, not "
                                         : "%s values must be strings, not ",
                                 element);
            /* Name the offending type after the element. */
            if (ld->err) {
                size_t m = strlen(ld->err->message);
                snprintf(ld->err->message + m, sizeof ld->err->message - m, "%s",
                         json_type_word(item->type));
            }
            return st;
        }
        if (!empty_ok && item->type == JV_STRING && item->u.text.len == 0)
            return fail(ld, &item->pos, "%s values must not be empty strings", element);
        set_value(&out->items[i], item);
        path_pop(ld, old);
    }
    return IAM_OK;
}

static bool has_partial_wildcard(const doc_value *v)
{
    if (v->len == 1 && v->text[0] == '*')
        return false;
    return memchr(v->text, '*', v->len) != NULL || memchr(v->text, '?', v->len) != NULL;
}

static iam_status load_principal(loader *ld, const json_value *v, const char *element,
                                 doc_principal *out)
{
    memset(out, 0, sizeof *out);
    out->pos = v->pos;
    if (v->type == JV_STRING) {
        if (v->u.text.len == 1 && v->u.text.ptr[0] == '*') {
            out->star = true;
            return IAM_OK;
        }
        return fail(ld, &v->pos, "%s must be \"*\" or an object such as {\"AWS\": ...} [G-PR1]",
                    element);
    }
    if (v->type != JV_OBJECT)
        return fail(ld, &v->pos, "%s must be \"*\" or an object [G-PR1]", element);
    if (v->u.object.count == 0)
        return fail(ld, &v->pos, "%s must not be an empty object [G-PR2]", element);
    static const char *const names[4] = {"AWS", "Service", "Federated", "CanonicalUser"};
    for (size_t i = 0; i < v->u.object.count; i++) {
        const json_member *m = &v->u.object.members[i];
        int which = -1;
        for (int k = 0; k < 4; k++)
            if (strcmp(m->key, names[k]) == 0)
                which = k;
        size_t old = path_push_key(ld, m->key);
        if (which < 0) {
            iam_status st = fail(ld, &m->key_pos,
                                 "unknown principal type \"%s\" (expected AWS, Service, Federated or CanonicalUser)",
                                 m->key);
            return st;
        }
        iam_status st = load_list(ld, m->value, names[which], false, false, &out->lists[which]);
        if (st != IAM_OK)
            return st;
        for (size_t j = 0; j < out->lists[which].count; j++) {
            const doc_value *e = &out->lists[which].items[j];
            size_t old2 = out->lists[which].is_array ? path_push_index(ld, j) : ld->depth;
            if (has_partial_wildcard(e))
                return fail(ld, &e->pos,
                            "principal \"%s\" has a partial wildcard; only \"*\" alone is allowed [G-PR4]",
                            e->text);
            if (which == PKEY_SERVICE && e->len == 1 && e->text[0] == '*')
                return fail(ld, &e->pos, "%s", "\"Service\": \"*\" is not allowed [G-PR5]");
            path_pop(ld, old2);
        }
        path_pop(ld, old);
    }
    return IAM_OK;
}

static iam_status load_condition(loader *ld, const json_value *v, doc_statement *st)
{
    st->condition_pos = v->pos;
    if (v->type != JV_OBJECT)
        return fail(ld, &v->pos, "Condition must be an object, not %s", json_type_word(v->type));
    size_t n = v->u.object.count;
    st->conditions = n ? arena_calloc(ld->arena, n, sizeof *st->conditions) : NULL;
    if (n && st->conditions == NULL)
        return error_set(ld->err, IAM_ERR_NOMEM, ld->file, &v->pos, path_text(ld), "out of memory");
    st->condition_count = n;
    for (size_t i = 0; i < n; i++) {
        const json_member *m = &v->u.object.members[i];
        doc_condition_op *op = &st->conditions[i];
        size_t old = path_push_key(ld, m->key);
        op->op.text = m->key;
        op->op.len = m->key_len;
        op->op.pos = m->key_pos;
        op->op.jv_type = JV_STRING;
        if (m->value->type != JV_OBJECT)
            return fail(ld, &m->value->pos, "condition operator %s must map to an object of keys [C-S1]",
                        m->key);
        size_t kn = m->value->u.object.count;
        if (kn == 0)
            return fail(ld, &m->value->pos, "condition operator %s has no keys [C-S1]", m->key);
        op->keys = arena_calloc(ld->arena, kn, sizeof *op->keys);
        if (op->keys == NULL)
            return error_set(ld->err, IAM_ERR_NOMEM, ld->file, &v->pos, path_text(ld), "out of memory");
        op->key_count = kn;
        for (size_t k = 0; k < kn; k++) {
            const json_member *km = &m->value->u.object.members[k];
            size_t old2 = path_push_key(ld, km->key);
            doc_condition_key *ck = &op->keys[k];
            ck->key.text = km->key;
            ck->key.len = km->key_len;
            ck->key.pos = km->key_pos;
            ck->key.jv_type = JV_STRING;
            if (km->key_len == 0)
                return fail(ld, &km->key_pos, "%s", "condition key name must not be empty [C-S1]");
            if (km->value->type == JV_ARRAY && km->value->u.array.count == 0)
                return fail(ld, &km->value->pos, "condition key %s has an empty list of values [C-S1]",
                            km->key);
            iam_status s = load_list(ld, km->value, "condition", true, true, &ck->values);
            if (s != IAM_OK)
                return s;
            path_pop(ld, old2);
        }
        path_pop(ld, old);
    }
    return IAM_OK;
}

typedef struct element_name {
    const char *name;
    unsigned flag;
} element_name;

static const element_name statement_elements[] = {
    {"Sid", EL_SID},
    {"Effect", 0},
    {"Principal", EL_PRINCIPAL},
    {"NotPrincipal", EL_NOT_PRINCIPAL},
    {"Action", EL_ACTION},
    {"NotAction", EL_NOT_ACTION},
    {"Resource", EL_RESOURCE},
    {"NotResource", EL_NOT_RESOURCE},
    {"Condition", EL_CONDITION},
};

/* [G-T6]: the one Allow an RCP may hold is a copy of RCPFullAWSAccess. */
static bool is_rcp_full_access(const doc_statement *st)
{
    unsigned want = EL_PRINCIPAL | EL_ACTION | EL_RESOURCE;
    if ((st->present & ~EL_SID) != want)
        return false;
    if (!st->principal.star)
        return false;
    if (st->actions.count != 1 || strcmp(st->actions.items[0].text, "*") != 0)
        return false;
    return st->resources.count == 1 && strcmp(st->resources.items[0].text, "*") == 0;
}

static bool principal_is_star(const doc_principal *p)
{
    if (p->star)
        return true;
    /* {"AWS": "*"} means the same as "*" [G-PR3]. */
    return p->lists[PKEY_AWS].count == 1 && p->lists[PKEY_SERVICE].count == 0 &&
           p->lists[PKEY_FEDERATED].count == 0 && p->lists[PKEY_CANONICAL].count == 0 &&
           strcmp(p->lists[PKEY_AWS].items[0].text, "*") == 0;
}

static iam_status check_policy_type_rules(loader *ld, doc_statement *st)
{
    iam_policy_type t = ld->type;
    bool has_p = st->present & EL_PRINCIPAL, has_np = st->present & EL_NOT_PRINCIPAL;
    const char *pname = has_np && !has_p ? "NotPrincipal" : "Principal";
    const char *aname = st->present & EL_NOT_ACTION ? "NotAction" : "Action";
    if (has_p && has_np)
        return fail_element(ld, &st->pos, NULL, "a statement cannot have both Principal and NotPrincipal [G-S5]");
    if ((st->present & EL_ACTION) && (st->present & EL_NOT_ACTION))
        return fail_element(ld, &st->pos, NULL, "a statement cannot have both Action and NotAction [G-S3]");
    if (!(st->present & (EL_ACTION | EL_NOT_ACTION)))
        return fail_element(ld, &st->pos, NULL, "a statement needs Action or NotAction [G-S3]");
    if ((st->present & EL_RESOURCE) && (st->present & EL_NOT_RESOURCE))
        return fail_element(ld, &st->pos, NULL, "a statement cannot have both Resource and NotResource [G-S4]");
    if (t != IAM_POLICY_RESOURCE && !(st->present & (EL_RESOURCE | EL_NOT_RESOURCE)))
        return fail(ld, &st->pos, "a statement of a%s policy needs Resource or NotResource [G-S4]",
                    t == IAM_POLICY_IDENTITY ? "n identity" : t == IAM_POLICY_SCP ? "n SCP"
                    : t == IAM_POLICY_RCP ? "n RCP" : t == IAM_POLICY_BOUNDARY ? " boundary" : " session");
    switch (t) {
    case IAM_POLICY_IDENTITY:
    case IAM_POLICY_BOUNDARY:
    case IAM_POLICY_SESSION:
    case IAM_POLICY_SCP:
        if (has_p || has_np) {
            char msg[128];
            snprintf(msg, sizeof msg, "%s is not allowed in this policy type: the principal is implied [G-T1]", pname);
            return fail_element(ld, &st->principal.pos, pname, msg);
        }
        break;
    case IAM_POLICY_RESOURCE:
        if (!has_p && !has_np)
            return fail_element(ld, &st->pos, NULL,
                                "a resource-based policy statement needs Principal or NotPrincipal [G-T2]");
        if (has_np && st->allow)
            return fail_element(ld, &st->principal.pos, "NotPrincipal",
                                "NotPrincipal is only supported with \"Effect\": \"Deny\" [G-T3]");
        break;
    case IAM_POLICY_RCP:
        if (has_np)
            return fail_element(ld, &st->principal.pos, "NotPrincipal", "NotPrincipal is not supported in an RCP [G-T6]");
        if (!has_p)
            return fail_element(ld, &st->pos, NULL, "every RCP statement needs \"Principal\": \"*\" [G-T6]");
        if (!principal_is_star(&st->principal))
            return fail_element(ld, &st->principal.pos, "Principal", "every RCP statement needs \"Principal\": \"*\" [G-T6]");
        if (st->present & EL_NOT_ACTION)
            return fail_element(ld, &st->actions.pos, "NotAction", "NotAction is not supported in an RCP [G-T6]");
        if (st->allow) {
            if (!is_rcp_full_access(st))
                return fail_element(ld, &st->effect_pos, "Effect",
                                    "an RCP may only Deny; its one Allow is the exact RCPFullAWSAccess statement [G-T6]");
        } else {
            for (size_t i = 0; i < st->actions.count; i++)
                if (strcmp(st->actions.items[i].text, "*") == 0) {
                    size_t old = path_push_key(ld, aname);
                    if (st->actions.is_array)
                        path_push_index(ld, i);
                    iam_status e = fail(ld, &st->actions.items[i].pos, "%s",
                                        "an RCP Deny may not use \"*\" as an action: name a service, e.g. \"s3:*\" [G-T6]");
                    path_pop(ld, old);
                    return e;
                }
        }
        break;
    }
    return IAM_OK;
}

static iam_status load_statement(loader *ld, const json_value *v, doc_statement *st)
{
    memset(st, 0, sizeof *st);
    st->pos = v->pos;
    if (v->type != JV_OBJECT)
        return fail(ld, &v->pos, "a statement must be an object, not %s [G-P4]", json_type_word(v->type));
    bool effect_seen = false;
    for (size_t i = 0; i < v->u.object.count; i++) {
        const json_member *m = &v->u.object.members[i];
        const element_name *el = NULL;
        /* Names differ in their first letter mostly: compare that first. */
        for (size_t k = 0; k < sizeof statement_elements / sizeof statement_elements[0] && el == NULL; k++)
            if (m->key[0] == statement_elements[k].name[0] && strcmp(m->key, statement_elements[k].name) == 0)
                el = &statement_elements[k];
        size_t old = path_push_key(ld, m->key);
        if (el == NULL)
            return fail(ld, &m->key_pos,
                        "unknown statement element \"%s\" (names are case-sensitive) [G-J3]", m->key);
        iam_status s = IAM_OK;
        const json_value *mv = m->value;
        if (strcmp(el->name, "Effect") == 0) {
            if (mv->type != JV_STRING)
                return fail(ld, &mv->pos, "%s", "Effect must be the string \"Allow\" or \"Deny\" [G-S2]");
            if (strcmp(mv->u.text.ptr, "Allow") == 0)
                st->allow = true;
            else if (strcmp(mv->u.text.ptr, "Deny") == 0)
                st->allow = false;
            else
                return fail(ld, &mv->pos, "Effect must be \"Allow\" or \"Deny\", not \"%s\" [G-S2]",
                            mv->u.text.ptr);
            st->effect_pos = mv->pos;
            effect_seen = true;
        } else if (el->flag == EL_SID) {
            s = load_string(ld, mv, "Sid", &st->sid);
        } else if (el->flag == EL_PRINCIPAL || el->flag == EL_NOT_PRINCIPAL) {
            /* Both present is reported by the type rules, after both are read. */
            if (!(st->present & (EL_PRINCIPAL | EL_NOT_PRINCIPAL)))
                s = load_principal(ld, mv, el->name, &st->principal);
        } else if (el->flag == EL_ACTION || el->flag == EL_NOT_ACTION) {
            if (!(st->present & (EL_ACTION | EL_NOT_ACTION)))
                s = load_list(ld, mv, el->name, false, false, &st->actions);
        } else if (el->flag == EL_RESOURCE || el->flag == EL_NOT_RESOURCE) {
            if (!(st->present & (EL_RESOURCE | EL_NOT_RESOURCE)))
                s = load_list(ld, mv, el->name, false, false, &st->resources);
        } else if (el->flag == EL_CONDITION) {
            s = load_condition(ld, mv, st);
        }
        if (s != IAM_OK)
            return s;
        st->present |= el->flag;
        path_pop(ld, old);
    }
    if (!effect_seen)
        return fail(ld, &v->pos, "%s", "a statement needs an Effect [G-S2]");
    return check_policy_type_rules(ld, st);
}

iam_status doc_load(doc_policy *out, const json_value *root, iam_policy_type type,
                    const char *file, const char *path_prefix, const iam_limits *limits,
                    arena *a, iam_error *err)
{
    loader ld = {.file = file, .type = type, .limits = limits, .arena = a, .err = err};
    ld.prefix = path_prefix ? path_prefix : "$";
    memset(out, 0, sizeof *out);
    out->pos = root->pos;
    if (root->type != JV_OBJECT)
        return fail(&ld, &root->pos, "a policy must be a JSON object, not %s [G-J1]",
                    json_type_word(root->type));
    const json_value *statements = NULL;
    const json_member *statement_member = NULL;
    for (size_t i = 0; i < root->u.object.count; i++) {
        const json_member *m = &root->u.object.members[i];
        size_t old = path_push_key(&ld, m->key);
        if (strcmp(m->key, "Version") == 0) {
            if (m->value->type != JV_STRING)
                return fail(&ld, &m->value->pos, "%s", "Version must be the string \"2012-10-17\" or \"2008-10-17\" [G-P1]");
            if (strcmp(m->value->u.text.ptr, "2012-10-17") == 0)
                out->version = VERSION_2012;
            else if (strcmp(m->value->u.text.ptr, "2008-10-17") == 0)
                out->version = VERSION_2008;
            else
                return fail(&ld, &m->value->pos,
                            "Version must be \"2012-10-17\" or \"2008-10-17\", not \"%s\" [G-P1]",
                            m->value->u.text.ptr);
        } else if (strcmp(m->key, "Id") == 0) {
            iam_status s = load_string(&ld, m->value, "Id", &out->id);
            if (s != IAM_OK)
                return s;
        } else if (strcmp(m->key, "Statement") == 0) {
            statements = m->value;
            statement_member = m;
        } else {
            return fail(&ld, &m->key_pos,
                        "unknown policy element \"%s\" (expected Version, Id, Statement; names are case-sensitive) [G-J3]",
                        m->key);
        }
        path_pop(&ld, old);
    }
    if ((type == IAM_POLICY_SCP || type == IAM_POLICY_RCP) && out->version != VERSION_2012)
        return fail(&ld, &root->pos, "an %s must have \"Version\": \"2012-10-17\" [G-P2]",
                    type == IAM_POLICY_SCP ? "SCP" : "RCP");
    if (statements == NULL)
        return fail(&ld, &root->pos, "%s", "a policy needs a Statement element [G-P4]");
    size_t old = path_push_key(&ld, "Statement");
    (void)statement_member;
    if (statements->type != JV_OBJECT && statements->type != JV_ARRAY)
        return fail(&ld, &statements->pos, "Statement must be an object or an array of objects, not %s [G-P4]",
                    json_type_word(statements->type));
    out->statement_is_array = statements->type == JV_ARRAY;
    size_t n = out->statement_is_array ? statements->u.array.count : 1;
    if (n > limits->max_statements)
        return error_set(err, IAM_ERR_LIMIT, file, &statements->pos, path_text(&ld),
                         "%zu statements, more than the limit of %u", n, (unsigned)limits->max_statements);
    out->statements = n ? arena_calloc(a, n, sizeof *out->statements) : NULL;
    if (n && out->statements == NULL)
        return error_set(err, IAM_ERR_NOMEM, file, &statements->pos, path_text(&ld), "out of memory");
    out->statement_count = n;
    for (size_t i = 0; i < n; i++) {
        const json_value *sv = out->statement_is_array ? statements->u.array.items[i] : statements;
        size_t old2 = out->statement_is_array ? path_push_index(&ld, i) : ld.depth;
        iam_status s = load_statement(&ld, sv, &out->statements[i]);
        if (s != IAM_OK)
            return s;
        path_pop(&ld, old2);
    }
    path_pop(&ld, old);
    return IAM_OK;
}
