/* The policy fields shared by scenarios and batch setups (FORMAT.md):
 * identity_policies, permissions_boundary, session_policy, scps, rcps and
 * resource_policy, read from a JSON object into owned policies and a setup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static iam_status fail(const bundle_source *src, const json_pos *pos, const char *suffix, const char *msg)
{
    char path[256];
    join_path(path, sizeof path, src->prefix, suffix);
    return error_set(src->err, IAM_ERR_REQUEST, src->file, pos, path, "%s", msg);
}

void policy_cache_free(policy_cache *c)
{
    for (size_t i = 0; i < c->count; i++) {
        iam_policy_free(c->entries[i].policy);
        jv_doc_free(c->entries[i].doc);
        free(c->entries[i].path);
        free(c->entries[i].name);
    }
    free(c->entries);
    memset(c, 0, sizeof *c);
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Loads the policy a reference names: a whole file, or with a name, the
 * member of the file's top-level object that holds it. */
static iam_status load_reference(const bundle_source *src, const char *path, const char *name,
                                 iam_policy_type type, iam_policy **out, json_doc **doc_out)
{
    *out = NULL;
    *doc_out = NULL;
    if (name == NULL)
        return iam_policy_load_file(out, path, type, src->limits, src->err);
    char *text;
    size_t len;
    iam_status s = file_read_all(path, src->limits->max_file_bytes, &text, &len, src->err);
    if (s != IAM_OK)
        return s;
    json_error je;
    json_doc *doc = jv_parse(text, len, 1, src->limits->max_depth, &je);
    free(text);
    if (doc == NULL)
        return error_set(src->err, IAM_ERR_JSON, path, &je.pos, "", "%s", je.message);
    const json_value *root = jv_root(doc);
    const json_value *member = root->type == JV_OBJECT ? jv_get(root, name) : NULL;
    if (member == NULL) {
        jv_doc_free(doc);
        return error_set(src->err, IAM_ERR_REQUEST, path, &root->pos, "$",
                         "no policy named \"%.100s\" in this file (expected a JSON object with that member)",
                         name);
    }
    char prefix[200];
    snprintf(prefix, sizeof prefix, "$.%.150s", name);
    s = policy_from_json(out, member, type, path, prefix, src->limits, src->err);
    if (s != IAM_OK) {
        jv_doc_free(doc);
        return s;
    }
    *doc_out = doc;
    return IAM_OK;
}

/* {"file": "relative/path.json"} or {"file": ..., "name": ...} in place of a
 * policy: resolved against the directory of the file that holds it. */
static iam_status resolve_reference(const bundle_source *src, const json_value *v, const char *path_here,
                                    iam_policy_type type, const iam_policy **out)
{
    const json_value *file = jv_get(v, "file"), *name = jv_get(v, "name");
    for (size_t i = 0; i < v->u.object.count; i++) {
        const char *k = v->u.object.members[i].key;
        if (strcmp(k, "file") != 0 && strcmp(k, "name") != 0)
            return error_set(src->err, IAM_ERR_REQUEST, src->file, &v->u.object.members[i].key_pos, path_here,
                             "a policy reference has only \"file\" and \"name\", not \"%.100s\"", k);
    }
    if (file->type != JV_STRING || file->u.text.len == 0 || (name != NULL && name->type != JV_STRING))
        return error_set(src->err, IAM_ERR_REQUEST, src->file, &v->pos, path_here,
                         "a policy reference is {\"file\": \"path\"} or {\"file\": \"path\", \"name\": \"member\"}");
    if (src->cache == NULL)
        return error_set(src->err, IAM_ERR_REQUEST, src->file, &v->pos, path_here,
                         "policy references are not supported here");
    /* Relative to the referring file's directory. */
    char resolved[4096];
    const char *ref = file->u.text.ptr;
    const char *slash = strrchr(src->file, '/');
    if (ref[0] == '/' || slash == NULL)
        snprintf(resolved, sizeof resolved, "%s", ref);
    else
        snprintf(resolved, sizeof resolved, "%.*s/%s", (int)(slash - src->file), src->file, ref);
    const char *nm = name ? name->u.text.ptr : NULL;
    policy_cache *c = src->cache;
    for (size_t i = 0; i < c->count; i++) {
        policy_cache_entry *e = &c->entries[i];
        if (e->type == type && strcmp(e->path, resolved) == 0 &&
            ((e->name == NULL && nm == NULL) || (e->name && nm && strcmp(e->name, nm) == 0))) {
            *out = e->policy;
            return IAM_OK;
        }
    }
    if (c->count == c->capacity) {
        size_t cap = c->capacity ? 2 * c->capacity : 8;
        policy_cache_entry *en = realloc(c->entries, cap * sizeof *en);
        if (en == NULL)
            return error_set(src->err, IAM_ERR_NOMEM, src->file, NULL, "", "out of memory");
        c->entries = en;
        c->capacity = cap;
    }
    iam_policy *pol;
    json_doc *doc;
    iam_status s = load_reference(src, resolved, nm, type, &pol, &doc);
    if (s != IAM_OK) {
        if (s == IAM_ERR_IO && src->err) {
            /* Say who referred to the missing file. */
            char where[300];
            snprintf(where, sizeof where, " (referenced from %.200s:%u:%u)", src->file, (unsigned)v->pos.line,
                     (unsigned)v->pos.column);
            size_t m = strlen(src->err->message);
            snprintf(src->err->message + m, sizeof src->err->message - m, "%s", where);
        }
        return s;
    }
    policy_cache_entry *e = &c->entries[c->count];
    e->path = dup_str(resolved);
    e->name = nm ? dup_str(nm) : NULL;
    e->type = type;
    e->policy = pol;
    e->doc = doc;
    c->count++;
    if (e->path == NULL || (nm && e->name == NULL))
        return error_set(src->err, IAM_ERR_NOMEM, src->file, NULL, "", "out of memory");
    *out = pol;
    return IAM_OK;
}

iam_status bundle_add_policy(policy_bundle *b, const bundle_source *src, const json_value *v,
                             iam_policy_type type, unsigned level, const char *suffix,
                             const iam_policy **added)
{
    char path[256];
    join_path(path, sizeof path, src->prefix, suffix);
    if (v->type != JV_OBJECT)
        return error_set(src->err, IAM_ERR_POLICY, src->file, &v->pos, path,
                         "a %s policy must be a JSON object [G-J1]", iam_policy_type_name(type));
    if (jv_get(v, "file") != NULL) {
        const iam_policy *ref;
        iam_status s = resolve_reference(src, v, path, type, &ref);
        if (s != IAM_OK)
            return s;
        if (added != NULL)
            *added = ref;
        return b->setup ? iam_setup_add(b->setup, ref, level, src->err) : IAM_OK;
    }
    if (b->count == b->capacity) {
        size_t cap = b->capacity ? 2 * b->capacity : 8;
        iam_policy **p = realloc(b->policies, cap * sizeof *p);
        if (p == NULL)
            return error_set(src->err, IAM_ERR_NOMEM, src->file, NULL, "", "out of memory");
        b->policies = p;
        b->capacity = cap;
    }
    iam_policy *pol;
    iam_status s = policy_from_json(&pol, v, type, src->file, path, src->limits, src->err);
    if (s != IAM_OK)
        return s;
    b->policies[b->count++] = pol;
    if (added != NULL)
        *added = pol;
    if (b->setup == NULL)
        return IAM_OK;
    return iam_setup_add(b->setup, pol, level, src->err);
}

static bool is_null_or_absent(const json_value *v)
{
    return v == NULL || v->type == JV_NULL;
}

static iam_status load_levels(policy_bundle *b, const bundle_source *src, const json_value *v,
                              iam_policy_type type, const char *field)
{
    char suffix[128];
    snprintf(suffix, sizeof suffix, ".%s", field);
    if (v->type != JV_ARRAY)
        return fail(src, &v->pos, suffix, "must be null or an array of levels, each an array of policies");
    if (v->u.array.count > src->limits->max_levels)
        return error_set(src->err, IAM_ERR_LIMIT, src->file, &v->pos, suffix,
                         "%zu levels, more than the limit of %u", v->u.array.count,
                         (unsigned)src->limits->max_levels);
    iam_status s = iam_setup_set_levels(b->setup, type, (unsigned)v->u.array.count, src->err);
    if (s != IAM_OK)
        return s;
    for (size_t l = 0; l < v->u.array.count; l++) {
        const json_value *level = v->u.array.items[l];
        snprintf(suffix, sizeof suffix, ".%s[%zu]", field, l);
        if (level->type != JV_ARRAY)
            return fail(src, &level->pos, suffix, "a level must be an array of policies");
        if (level->u.array.count > src->limits->max_policies_per_layer)
            return error_set(src->err, IAM_ERR_LIMIT, src->file, &level->pos, suffix,
                             "%zu policies in one level, more than the limit of %u", level->u.array.count,
                             (unsigned)src->limits->max_policies_per_layer);
        for (size_t i = 0; i < level->u.array.count; i++) {
            snprintf(suffix, sizeof suffix, ".%s[%zu][%zu]", field, l, i);
            s = bundle_add_policy(b, src, level->u.array.items[i], type, (unsigned)l, suffix, NULL);
            if (s != IAM_OK)
                return s;
        }
    }
    return IAM_OK;
}

iam_status bundle_load_fields(policy_bundle *b, const bundle_source *src, const json_value *obj,
                              bool resource_policy)
{
    iam_status s;
    if (b->setup == NULL && (s = iam_setup_create(&b->setup)) != IAM_OK)
        return error_set(src->err, s, src->file, NULL, "", "out of memory");
    const json_value *ids = jv_get(obj, "identity_policies");
    if (!is_null_or_absent(ids)) {
        if (ids->type != JV_ARRAY)
            return fail(src, &ids->pos, ".identity_policies", "must be an array of policies");
        if (ids->u.array.count > src->limits->max_policies_per_layer)
            return error_set(src->err, IAM_ERR_LIMIT, src->file, &ids->pos, ".identity_policies",
                             "%zu identity policies, more than the limit of %u", ids->u.array.count,
                             (unsigned)src->limits->max_policies_per_layer);
        for (size_t i = 0; i < ids->u.array.count; i++) {
            char suffix[64];
            snprintf(suffix, sizeof suffix, ".identity_policies[%zu]", i);
            if ((s = bundle_add_policy(b, src, ids->u.array.items[i], IAM_POLICY_IDENTITY, 0, suffix, NULL)) != IAM_OK)
                return s;
        }
    }
    static const struct {
        const char *field;
        iam_policy_type type;
    } singles[] = {{"permissions_boundary", IAM_POLICY_BOUNDARY},
                   {"session_policy", IAM_POLICY_SESSION},
                   {"resource_policy", IAM_POLICY_RESOURCE}};
    for (size_t i = 0; i < (resource_policy ? 3u : 2u); i++) {
        const json_value *pv = jv_get(obj, singles[i].field);
        if (is_null_or_absent(pv))
            continue;
        char suffix[64];
        snprintf(suffix, sizeof suffix, ".%s", singles[i].field);
        if ((s = bundle_add_policy(b, src, pv, singles[i].type, 0, suffix, NULL)) != IAM_OK)
            return s;
    }
    const json_value *scps = jv_get(obj, "scps");
    if (!is_null_or_absent(scps) && (s = load_levels(b, src, scps, IAM_POLICY_SCP, "scps")) != IAM_OK)
        return s;
    const json_value *rcps = jv_get(obj, "rcps");
    if (!is_null_or_absent(rcps) && (s = load_levels(b, src, rcps, IAM_POLICY_RCP, "rcps")) != IAM_OK)
        return s;
    return IAM_OK;
}

void bundle_free(policy_bundle *b)
{
    if (b == NULL)
        return;
    iam_setup_free(b->setup);
    for (size_t i = 0; i < b->count; i++)
        iam_policy_free(b->policies[i]);
    free(b->policies);
    memset(b, 0, sizeof *b);
}
