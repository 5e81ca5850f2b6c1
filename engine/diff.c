/* Newly granted access: two setups (one principal's policies before and
 * after a change) decided on the same requests. Without a request file the
 * requests are generated from both setups' own statements: every catalog
 * action their Action patterns (or NotAction complements) can match, with
 * resources instantiated from their Resource patterns and contexts drawn
 * from their condition values, so that a statement added, widened or
 * loosened is exercised. A thorough sample, not a proof. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "internal.h"

typedef struct str_set {
    char **items;          /* insertion order */
    size_t count, cap;
    char **slots;          /* open addressing over items */
    size_t slot_cap;
} str_set;

typedef struct ctx_item {
    const char *key;
    const char *value;
    bool multi;
} ctx_item;

typedef struct gen_context {
    ctx_item items[8];
    size_t count;
} gen_context;

typedef struct change {
    iam_decision before, after;
    const char *action, *resource;
    size_t context;        /* index into contexts, or (size_t)-1 with request_json */
    const char *request_json;
} change;

struct iam_diff {
    arena arena;
    policy_cache cache;
    policy_bundle old_b, new_b;
    iam_policy_set *old_set, *new_set;
    json_doc *old_doc, *new_doc;
    const char *principal;
    size_t requests;
    bool truncated;
    bool generated;
    gen_context *contexts;
    size_t context_count;
    change *changes;
    size_t change_count, change_cap;
    char *text_buf;        /* context_json of the last iam_diff_change_get */
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Adds a copy of s unless present; false on allocation failure. */
static bool set_add(str_set *set, const char *s, size_t len)
{
    if (2 * (set->count + 1) > set->slot_cap) {
        size_t cap = set->slot_cap ? 2 * set->slot_cap : 256;
        char **slots = calloc(cap, sizeof *slots);
        if (slots == NULL)
            return false;
        for (size_t i = 0; i < set->count; i++) {
            size_t k = hash_str(set->items[i]) & (cap - 1);
            while (slots[k])
                k = (k + 1) & (cap - 1);
            slots[k] = set->items[i];
        }
        free(set->slots);
        set->slots = slots;
        set->slot_cap = cap;
    }
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return false;
    memcpy(copy, s, len);
    copy[len] = '\0';
    size_t k = hash_str(copy) & (set->slot_cap - 1);
    while (set->slots[k]) {
        if (strcmp(set->slots[k], copy) == 0) {
            free(copy);
            return true;
        }
        k = (k + 1) & (set->slot_cap - 1);
    }
    if (set->count == set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 64;
        char **items = realloc(set->items, cap * sizeof *items);
        if (items == NULL) {
            free(copy);
            return false;
        }
        set->items = items;
        set->cap = cap;
    }
    set->slots[k] = copy;
    set->items[set->count++] = copy;
    return true;
}

static void set_free(str_set *set)
{
    for (size_t i = 0; i < set->count; i++)
        free(set->items[i]);
    free(set->items);
    free(set->slots);
    memset(set, 0, sizeof *set);
}

static bool collect_action(const char *action, size_t len, void *ctx)
{
    return set_add(ctx, action, len);
}

/* ---- loading the two setups ------------------------------------------------- */

static iam_status load_setup(iam_diff *d, const char *path, policy_bundle *b, json_doc **doc_out,
                             iam_policy_set **set, const iam_limits *limits, iam_error *err)
{
    char *text;
    size_t len;
    iam_status s = file_read_all(path, limits->max_file_bytes, &text, &len, err);
    if (s != IAM_OK)
        return s;
    json_error je;
    json_doc *doc = jv_parse(text, len, 1, limits->max_depth, &je);
    free(text);
    if (doc == NULL)
        return error_set(err, IAM_ERR_JSON, path, &je.pos, "", "%s", je.message);
    *doc_out = doc;
    const json_value *root = jv_root(doc);
    if (root->type != JV_OBJECT)
        return error_set(err, IAM_ERR_REQUEST, path, &root->pos, "$",
                         "a setup is a JSON object with a scenario's policy fields");
    static const char *const allowed[] = {"name", "description", "request", "identity_policies",
                                          "permissions_boundary", "session_policy", "scps", "rcps",
                                          "resource_policy"};
    for (size_t i = 0; i < root->u.object.count; i++) {
        const json_member *m = &root->u.object.members[i];
        bool ok = false;
        for (size_t k = 0; k < sizeof allowed / sizeof *allowed; k++)
            ok |= strcmp(m->key, allowed[k]) == 0;
        if (!ok)
            return error_set(err, IAM_ERR_REQUEST, path, &m->key_pos, "$",
                             "unknown setup field \"%.100s\" (a setup holds a scenario's policy fields)", m->key);
    }
    const json_value *req = jv_get(root, "request");
    if (req != NULL && req->type == JV_OBJECT && d->principal == NULL) {
        const json_value *p = jv_get(req, "principal");
        if (p != NULL && p->type == JV_STRING)
            d->principal = arena_strndup(&d->arena, p->u.text.ptr, p->u.text.len);
    }
    bundle_source src = {.file = path, .prefix = "$", .limits = limits, .err = err, .cache = &d->cache};
    s = bundle_load_fields(b, &src, root, true);
    if (s != IAM_OK)
        return s;
    return iam_policy_set_compile(set, b->setup, limits, err);
}

/* ---- generating requests ---------------------------------------------------- */

/* The fields of an ARN pattern with every wildcard and variable replaced by
 * concrete text: the first field values a request could carry. */
static void instantiate_field(const char *f, size_t n, const char *when_wild, char *out, size_t cap, size_t *o)
{
    bool wild = false;
    size_t start = *o;
    for (size_t i = 0; i < n; i++) {
        if (f[i] == '$' && i + 1 < n && f[i + 1] == '{') {
            const char *close = memchr(f + i, '}', n - i);
            if (close != NULL) {
                /* A variable: stand in a plain sample value. */
                const char *sample = "sample";
                for (const char *p = sample; *p && *o + 1 < cap; p++)
                    out[(*o)++] = *p;
                i = (size_t)(close - f);
                continue;
            }
        }
        if (f[i] == '*' || f[i] == '?') {
            wild = true;
            if (f[i] == '?' && *o + 1 < cap)
                out[(*o)++] = 'x';
            continue;
        }
        if (*o + 1 < cap)
            out[(*o)++] = f[i];
    }
    if (wild && *o == start)
        for (const char *p = when_wild; *p && *o + 1 < cap; p++)
            out[(*o)++] = *p;
    else if (wild && f[n - 1] == '*' && *o + 2 < cap)
        out[(*o)++] = 'x';
    out[*o] = '\0';
}

/* Concrete resources for one action's service from one pattern, if the
 * pattern can name that service. */
static bool resource_for(const char *pattern, const char *service, size_t service_len, const char *account,
                         char *out, size_t cap)
{
    if (strcmp(pattern, "*") == 0)
        return false;   /* "*" itself is always generated */
    const char *f[6];
    size_t flen[6];
    const char *p = pattern;
    for (int i = 0; i < 5; i++) {
        const char *c = strchr(p, ':');
        if (c == NULL)
            return false;
        f[i] = p;
        flen[i] = (size_t)(c - p);
        p = c + 1;
    }
    f[5] = p;
    flen[5] = strlen(p);
    /* The pattern's service must be able to be the action's. */
    bool svc_wild = memchr(f[2], '*', flen[2]) || memchr(f[2], '?', flen[2]);
    if (!svc_wild && (flen[2] != service_len || !lit_equal_fold(f[2], flen[2], service, service_len)))
        return false;
    size_t o = 0;
    instantiate_field(f[0], flen[0], "arn", out, cap, &o);
    out[o++] = ':';
    instantiate_field(f[1], flen[1], "aws", out, cap, &o);
    out[o++] = ':';
    if (svc_wild) {
        for (size_t i = 0; i < service_len && o + 1 < cap; i++)
            out[o++] = service[i];
        out[o] = '\0';
    } else {
        instantiate_field(f[2], flen[2], "", out, cap, &o);
    }
    out[o++] = ':';
    instantiate_field(f[3], flen[3], "us-east-1", out, cap, &o);
    out[o++] = ':';
    instantiate_field(f[4], flen[4], account, out, cap, &o);
    out[o++] = ':';
    instantiate_field(f[5], flen[5], "x", out, cap, &o);
    return o + 1 < cap;
}

static const iam_policy_set *const *sets_of(const iam_diff *d, const iam_policy_set *both[2])
{
    both[0] = d->old_set;
    both[1] = d->new_set;
    return both;
}

/* Condition values as the request would carry them: wildcards filled in,
 * variables left out (they depend on other keys). */
static bool sample_value(const cond_value *v, char *out, size_t cap)
{
    if (v->tmpl != NULL)
        return false;
    size_t o = 0;
    for (uint32_t i = 0; i < v->len && o + 2 < cap; i++) {
        char c = v->text[i];
        if (c == '*')
            continue;
        out[o++] = c == '?' ? 'x' : c;
    }
    out[o] = '\0';
    return true;
}

static iam_status build_contexts(iam_diff *d)
{
    const iam_policy_set *both[2];
    sets_of(d, both);
    /* Every (key, value) the conditions of either setup mention. */
    typedef struct kv {
        const char *key, *value;
        bool multi;
    } kv;
    kv *pairs = NULL;
    size_t np = 0, cap = 0;
    str_set seen = {0};
    char buf[4200];
    for (int s = 0; s < 2; s++) {
        for (uint32_t i = 0; i < both[s]->stmt_count; i++) {
            const statement *st = both[s]->stmts[i].st;
            for (uint32_t c = 0; c < st->condition_count; c++) {
                const cond_pair *pair = &st->conditions[c];
                for (uint32_t v = 0; v <= pair->value_count; v++) {
                    /* One extra sample per pair: the opposite boolean, or
                     * a value no policy names. */
                    const char *value;
                    if (v < pair->value_count) {
                        if (pair->base == OP_NULL)
                            continue;
                        if (!sample_value(&pair->values[v], buf, sizeof buf))
                            continue;
                        value = buf;
                    } else {
                        value = cond_operators[pair->base].type == VT_BOOL ? "false" : "iameval-other";
                    }
                    char dedup[4400];
                    snprintf(dedup, sizeof dedup, "%.*s\n%s", (int)pair->key_len, pair->key, value);
                    size_t before = seen.count;
                    if (!set_add(&seen, dedup, strlen(dedup))) {
                        free(pairs);
                        set_free(&seen);
                        return IAM_ERR_NOMEM;
                    }
                    if (seen.count == before)
                        continue;
                    if (np == cap) {
                        cap = cap ? 2 * cap : 32;
                        kv *n = realloc(pairs, cap * sizeof *n);
                        if (n == NULL) {
                            free(pairs);
                            set_free(&seen);
                            return IAM_ERR_NOMEM;
                        }
                        pairs = n;
                    }
                    pairs[np].key = arena_strndup(&d->arena, pair->key, pair->key_len);
                    pairs[np].value = arena_strndup(&d->arena, value, strlen(value));
                    pairs[np].multi = pair->qualifier != QUAL_NONE;
                    if (pairs[np].key == NULL || pairs[np].value == NULL) {
                        free(pairs);
                        set_free(&seen);
                        return IAM_ERR_NOMEM;
                    }
                    np++;
                }
            }
        }
    }
    set_free(&seen);
    /* The empty context, each pair alone, and each key's first value together
     * (when there are several keys: with one it repeats a single pair). */
    size_t n = 1 + np + (np ? 1 : 0);
    d->contexts = arena_calloc(&d->arena, n, sizeof *d->contexts);
    if (d->contexts == NULL) {
        free(pairs);
        return IAM_ERR_NOMEM;
    }
    d->context_count = 1;
    for (size_t i = 0; i < np; i++) {
        gen_context *c = &d->contexts[d->context_count++];
        c->items[0] = (ctx_item){pairs[i].key, pairs[i].value, pairs[i].multi};
        c->count = 1;
    }
    if (np) {
        gen_context *all = &d->contexts[d->context_count];
        for (size_t i = 0; i < np && all->count < 8; i++) {
            bool dup = false;
            for (size_t k = 0; k < all->count; k++)
                dup |= lit_equal_fold(all->items[k].key, strlen(all->items[k].key), pairs[i].key, strlen(pairs[i].key));
            if (!dup)
                all->items[all->count++] = (ctx_item){pairs[i].key, pairs[i].value, pairs[i].multi};
        }
        if (all->count > 1)
            d->context_count++;
    }
    free(pairs);
    return IAM_OK;
}

static iam_status record_change(iam_diff *d, iam_decision before, iam_decision after, const char *action,
                                const char *resource, size_t context, const char *request_json)
{
    if (d->change_count == d->change_cap) {
        size_t cap = d->change_cap ? 2 * d->change_cap : 64;
        change *c = realloc(d->changes, cap * sizeof *c);
        if (c == NULL)
            return IAM_ERR_NOMEM;
        d->changes = c;
        d->change_cap = cap;
    }
    const char *a = arena_strndup(&d->arena, action, strlen(action));
    const char *r = arena_strndup(&d->arena, resource, strlen(resource));
    if (a == NULL || r == NULL)
        return IAM_ERR_NOMEM;
    d->changes[d->change_count++] = (change){before, after, a, r, context, request_json};
    return IAM_OK;
}

/* Decides one request on both sets and keeps it if the decision changed. */
static iam_status compare_one(iam_diff *d, iam_scratch *scratch, const iam_request *req, size_t context,
                              const char *request_json, iam_error *err)
{
    iam_decision before, after;
    iam_status s = iam_evaluate(d->old_set, req, scratch, &before, err);
    if (s == IAM_OK)
        s = iam_evaluate(d->new_set, req, scratch, &after, err);
    if (s != IAM_OK)
        return s;
    d->requests++;
    if (before == after)
        return IAM_OK;
    char action[1100], resource[4200];
    snprintf(action, sizeof action, "%.*s", (int)req->action.len, req->action.ptr);
    snprintf(resource, sizeof resource, "%.*s", (int)req->resource.len, req->resource.ptr);
    return record_change(d, before, after, action, resource, context, request_json) == IAM_OK
               ? IAM_OK : error_set(err, IAM_ERR_NOMEM, "", NULL, "", "out of memory");
}

static iam_status generate_and_compare(iam_diff *d, iam_scratch *scratch, size_t max_requests, iam_error *err)
{
    const iam_policy_set *both[2];
    sets_of(d, both);
    str_set actions = {0}, resources = {0};
    iam_status s = IAM_OK;
    bool any_not_action = false;
    for (int k = 0; k < 2 && s == IAM_OK; k++) {
        for (uint32_t i = 0; i < both[k]->stmt_count && s == IAM_OK; i++) {
            const statement *st = both[k]->stmts[i].st;
            any_not_action |= st->not_action;
            for (uint32_t a = 0; a < st->action_count; a++) {
                const action_pattern *ap = &st->actions[a];
                if (st->not_action)
                    continue;
                size_t before = actions.count;
                catalog_actions_matching(ap->text, ap->len, collect_action, &actions);
                /* An action no catalog knows is still a request someone may make. */
                if (actions.count == before && ap->kind == AP_EXACT && !set_add(&actions, ap->text, ap->len))
                    s = IAM_ERR_NOMEM;
            }
            for (uint32_t r = 0; r < st->resource_count; r++)
                if (!st->resources[r].any && !set_add(&resources, st->resources[r].text, st->resources[r].len))
                    s = IAM_ERR_NOMEM;
        }
    }
    /* NotAction statements can match nearly every action: take them all. */
    if (s == IAM_OK && any_not_action)
        catalog_actions_matching("*", 1, collect_action, &actions);
    if (s == IAM_OK)
        s = build_contexts(d);
    if (s != IAM_OK) {
        set_free(&actions);
        set_free(&resources);
        return error_set(err, IAM_ERR_NOMEM, "", NULL, "", "out of memory");
    }
    principal_info pi;
    principal_parse(d->principal, strlen(d->principal), &pi);
    char account[16] = "111122223333";
    if (pi.account.len == 12)
        memcpy(account, pi.account.ptr, 12);
    char res[4200];
    iam_context_entry entries[8];
    iam_str values[8];
    for (size_t a = 0; a < actions.count && s == IAM_OK && !d->truncated; a++) {
        const char *action = actions.items[a];
        const char *colon = strchr(action, ':');
        size_t service_len = colon ? (size_t)(colon - action) : 0;
        /* Resources: "*", then every pattern that can name this service. */
        for (size_t r = 0; r <= resources.count && s == IAM_OK && !d->truncated; r++) {
            const char *resource = "*";
            if (r < resources.count) {
                if (!resource_for(resources.items[r], action, service_len, account, res, sizeof res))
                    continue;
                resource = res;
            }
            for (size_t c = 0; c < d->context_count && s == IAM_OK; c++) {
                if (d->requests >= max_requests) {
                    d->truncated = true;
                    break;
                }
                const gen_context *gc = &d->contexts[c];
                for (size_t k = 0; k < gc->count; k++) {
                    values[k] = (iam_str){gc->items[k].value, strlen(gc->items[k].value)};
                    entries[k] = (iam_context_entry){{gc->items[k].key, strlen(gc->items[k].key)}, &values[k], 1,
                                                     gc->items[k].multi};
                }
                iam_request req = {
                    .principal = {d->principal, strlen(d->principal)},
                    .action = {action, strlen(action)},
                    .resource = {resource, strlen(resource)},
                    .context = entries,
                    .context_count = gc->count,
                };
                iam_error e2;
                s = compare_one(d, scratch, &req, c, NULL, &e2);
                if (s == IAM_ERR_REQUEST) {
                    s = IAM_OK;   /* a generated combination the engine refuses: not a change */
                } else if (s != IAM_OK && err) {
                    *err = e2;
                }
            }
        }
    }
    set_free(&actions);
    set_free(&resources);
    return s;
}

/* --requests: a JSONL file of {"request": {...}} lines (batch or scenario lines). */
static iam_status compare_file(iam_diff *d, iam_scratch *scratch, const char *path, const iam_limits *limits,
                               iam_error *err)
{
    iam_scenario_file *f;
    iam_status s = iam_scenario_file_load(&f, path, limits, err);
    if (s != IAM_OK)
        return s;
    for (size_t i = 0; i < iam_scenario_file_count(f) && s == IAM_OK; i++) {
        const iam_scenario *sc = iam_scenario_file_get(f, i);
        const iam_request *req = scenario_request(sc, err);
        if (req == NULL) {
            s = err ? err->code : IAM_ERR_REQUEST;
            break;
        }
        char *json = NULL;
        size_t need = 64;
        for (size_t k = 0; k < req->context_count; k++) {
            need += req->context[k].key.len + 8;
            for (size_t v = 0; v < req->context[k].value_count; v++)
                need += 2 * req->context[k].values[v].len + 8;
        }
        json = arena_alloc(&d->arena, need * 2);
        if (json == NULL) {
            s = error_set(err, IAM_ERR_NOMEM, path, NULL, "", "out of memory");
            break;
        }
        /* Keep the request's context for the report (the file is freed below). */
        size_t o = 0;
        o += (size_t)sprintf(json + o, "{");
        for (size_t k = 0; k < req->context_count; k++) {
            const iam_context_entry *e = &req->context[k];
            o += (size_t)sprintf(json + o, "%s\"%.*s\":%s", k ? "," : "", (int)e->key.len, e->key.ptr,
                                 e->multivalued ? "[" : "");
            for (size_t v = 0; v < e->value_count; v++) {
                json[o++] = v ? ',' : '"';
                if (v)
                    json[o++] = '"';
                for (size_t c = 0; c < e->values[v].len; c++) {
                    char ch = e->values[v].ptr[c];
                    if (ch == '"' || ch == '\\')
                        json[o++] = '\\';
                    json[o++] = ch;
                }
                json[o++] = '"';
            }
            if (e->multivalued)
                json[o++] = ']';
        }
        json[o++] = '}';
        json[o] = '\0';
        s = compare_one(d, scratch, req, (size_t)-1, json, err);
        if (s != IAM_OK && err && err->line == 0) {
            snprintf(err->file, sizeof err->file, "%s", path);
            err->line = iam_scenario_line(sc);
            err->column = iam_scenario_column(sc);
        }
    }
    iam_scenario_file_free(f);
    return s;
}

static int change_rank(const change *c)
{
    if (c->after == IAM_ALLOWED)
        return 0;   /* newly allowed first */
    if (c->before == IAM_ALLOWED)
        return 1;   /* newly denied */
    return 2;       /* one deny became the other */
}

static int compare_changes(const void *a, const void *b)
{
    const change *x = a, *y = b;
    int rx = change_rank(x), ry = change_rank(y);
    if (rx != ry)
        return rx - ry;
    int c = strcmp(x->action, y->action);
    if (c != 0)
        return c;
    c = strcmp(x->resource, y->resource);
    if (c != 0)
        return c;
    return x->context < y->context ? -1 : x->context > y->context;
}

iam_status iam_diff_run(iam_diff **out, const char *old_path, const char *new_path, const iam_diff_options *opt,
                        const iam_limits *limits, iam_error *err)
{
    if (out == NULL || old_path == NULL || new_path == NULL)
        return error_set(err, IAM_ERR_ARGUMENT, "", NULL, "", "out, old_path and new_path are required");
    *out = NULL;
    iam_limits defaults;
    limits = limits_or_default(limits, &defaults);
    iam_diff *d = calloc(1, sizeof *d);
    if (d == NULL)
        return error_set(err, IAM_ERR_NOMEM, "", NULL, "", "out of memory");
    arena_init(&d->arena);
    if (opt != NULL && opt->principal != NULL)
        d->principal = arena_strndup(&d->arena, opt->principal, strlen(opt->principal));
    iam_status s = load_setup(d, old_path, &d->old_b, &d->old_doc, &d->old_set, limits, err);
    if (s == IAM_OK)
        s = load_setup(d, new_path, &d->new_b, &d->new_doc, &d->new_set, limits, err);
    if (s == IAM_OK && d->principal == NULL)
        d->principal = "arn:aws:sts::111122223333:assumed-role/iameval-diff/session";
    iam_scratch *scratch = NULL;
    if (s == IAM_OK && iam_scratch_create(&scratch, limits) != IAM_OK)
        s = error_set(err, IAM_ERR_NOMEM, "", NULL, "", "out of memory");
    if (s == IAM_OK) {
        principal_info pi;
        if (!principal_parse(d->principal, strlen(d->principal), &pi))
            s = error_set(err, IAM_ERR_REQUEST, "", NULL, "", "unrecognised principal \"%.200s\"", d->principal);
    }
    if (s == IAM_OK) {
        if (opt != NULL && opt->requests_path != NULL) {
            s = compare_file(d, scratch, opt->requests_path, limits, err);
        } else {
            d->generated = true;
            size_t max = opt && opt->max_requests ? opt->max_requests : 2000000;
            s = generate_and_compare(d, scratch, max, err);
        }
    }
    iam_scratch_free(scratch);
    if (s != IAM_OK) {
        iam_diff_free(d);
        return s;
    }
    if (d->change_count > 1)
        qsort(d->changes, d->change_count, sizeof *d->changes, compare_changes);
    *out = d;
    return IAM_OK;
}

void iam_diff_free(iam_diff *d)
{
    if (d == NULL)
        return;
    iam_policy_set_free(d->old_set);
    iam_policy_set_free(d->new_set);
    bundle_free(&d->old_b);
    bundle_free(&d->new_b);
    policy_cache_free(&d->cache);
    jv_doc_free(d->old_doc);
    jv_doc_free(d->new_doc);
    free(d->changes);
    free(d->text_buf);
    arena_release(&d->arena);
    free(d);
}

size_t iam_diff_request_count(const iam_diff *d)
{
    return d ? d->requests : 0;
}

int iam_diff_truncated(const iam_diff *d)
{
    return d ? d->truncated : 0;
}

const char *iam_diff_principal(const iam_diff *d)
{
    return d ? d->principal : "";
}

size_t iam_diff_change_count(const iam_diff *d)
{
    return d ? d->change_count : 0;
}

iam_status iam_diff_change_get(iam_diff *d, size_t i, iam_diff_change *out)
{
    if (d == NULL || out == NULL || i >= d->change_count)
        return IAM_ERR_ARGUMENT;
    const change *c = &d->changes[i];
    out->before = c->before;
    out->after = c->after;
    out->action = c->action;
    out->resource = c->resource;
    if (c->request_json != NULL) {
        out->context_json = c->request_json;
        return IAM_OK;
    }
    const gen_context *gc = &d->contexts[c->context];
    size_t need = 3;
    for (size_t k = 0; k < gc->count; k++)
        need += 2 * (strlen(gc->items[k].key) + strlen(gc->items[k].value)) + 12;
    char *buf = realloc(d->text_buf, need);
    if (buf == NULL)
        return IAM_ERR_NOMEM;
    d->text_buf = buf;
    size_t o = 0;
    buf[o++] = '{';
    for (size_t k = 0; k < gc->count; k++) {
        const char *parts[2] = {gc->items[k].key, gc->items[k].value};
        if (k)
            buf[o++] = ',';
        for (int p = 0; p < 2; p++) {
            if (p == 1) {
                buf[o++] = ':';
                if (gc->items[k].multi)
                    buf[o++] = '[';
            }
            buf[o++] = '"';
            for (const char *q = parts[p]; *q; q++) {
                if (*q == '"' || *q == '\\')
                    buf[o++] = '\\';
                buf[o++] = *q;
            }
            buf[o++] = '"';
        }
        if (gc->items[k].multi)
            buf[o++] = ']';
    }
    buf[o++] = '}';
    buf[o] = '\0';
    out->context_json = buf;
    return IAM_OK;
}
