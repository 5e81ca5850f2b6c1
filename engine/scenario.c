/* Scenario files (shared/conformance/FORMAT.md): one scenario object, an
 * array of them, or JSONL. Each scenario's policies are parsed with the
 * file's own positions, so errors point into the scenario file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct iam_scenario {
    const char *file;
    const char *name;
    iam_expect expect;
    json_pos pos;
    iam_status load_status;    /* IAM_OK, or why the input is invalid */
    iam_error load_error;
    policy_bundle bundle;      /* the scenario's policies */
    iam_policy_set *set;
    iam_request request;
};

struct iam_scenario_file {
    arena arena;
    json_doc **docs;
    size_t doc_count;
    iam_scenario *items;
    size_t count;
    const char *path;
    iam_limits limits;
    policy_cache cache;        /* policies named by {"file": ...} references */
};

typedef struct scenario_loader {
    iam_scenario_file *file;
    iam_scenario *sc;
    char prefix[64];
} scenario_loader;

static iam_status sc_fail(scenario_loader *sl, iam_status code, const json_pos *pos,
                          const char *path_suffix, const char *msg)
{
    char path[256];
    join_path(path, sizeof path, sl->prefix, path_suffix);
    return error_set(&sl->sc->load_error, code, sl->file->path, pos, path, "%s", msg);
}

static bool is_null_or_absent(const json_value *v)
{
    return v == NULL || v->type == JV_NULL;
}

/* A request string member: absent allowed unless required. */
static iam_status request_string(scenario_loader *sl, const json_value *req, const char *name,
                                 bool required, iam_str *out)
{
    const json_value *v = jv_get(req, name);
    char suffix[96];
    snprintf(suffix, sizeof suffix, ".request.%s", name);
    if (is_null_or_absent(v)) {
        if (required)
            return sc_fail(sl, IAM_ERR_REQUEST, &req->pos, suffix, "the request needs this string");
        *out = (iam_str){NULL, 0};
        return IAM_OK;
    }
    if (v->type != JV_STRING)
        return sc_fail(sl, IAM_ERR_REQUEST, &v->pos, suffix, "must be a string");
    *out = (iam_str){v->u.text.ptr, v->u.text.len};
    return IAM_OK;
}

static iam_status load_context(scenario_loader *sl, const json_value *ctx)
{
    if (ctx->type != JV_OBJECT)
        return sc_fail(sl, IAM_ERR_REQUEST, &ctx->pos, ".request.context", "must be an object of condition keys");
    size_t n = ctx->u.object.count;
    arena *a = &sl->file->arena;
    iam_context_entry *entries = arena_calloc(a, n ? n : 1, sizeof *entries);
    if (entries == NULL)
        return sc_fail(sl, IAM_ERR_NOMEM, NULL, "", "out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_member *m = &ctx->u.object.members[i];
        iam_context_entry *e = &entries[i];
        e->key = (iam_str){m->key, m->key_len};
        char suffix[200];
        snprintf(suffix, sizeof suffix, ".request.context.%s", m->key);
        if (m->value->type == JV_STRING) {
            iam_str *v = arena_alloc(a, sizeof *v);
            if (v == NULL)
                return sc_fail(sl, IAM_ERR_NOMEM, NULL, "", "out of memory");
            *v = (iam_str){m->value->u.text.ptr, m->value->u.text.len};
            e->values = v;
            e->value_count = 1;
        } else if (m->value->type == JV_ARRAY) {
            size_t c = m->value->u.array.count;
            iam_str *vals = arena_calloc(a, c ? c : 1, sizeof *vals);
            if (vals == NULL)
                return sc_fail(sl, IAM_ERR_NOMEM, NULL, "", "out of memory");
            for (size_t k = 0; k < c; k++) {
                const json_value *item = m->value->u.array.items[k];
                if (item->type != JV_STRING)
                    return sc_fail(sl, IAM_ERR_REQUEST, &item->pos, suffix,
                                   "context values are strings or lists of strings [C-K1]");
                vals[k] = (iam_str){item->u.text.ptr, item->u.text.len};
            }
            e->values = vals;
            e->value_count = c;
            e->multivalued = 1;
        } else {
            return sc_fail(sl, IAM_ERR_REQUEST, &m->value->pos, suffix,
                           "context values are strings or lists of strings (numbers, booleans and dates are "
                           "given as strings) [C-K1]");
        }
    }
    sl->sc->request.context = entries;
    sl->sc->request.context_count = n;
    return IAM_OK;
}

static const char *const scenario_fields[] = {
    "name", "request", "identity_policies", "permissions_boundary", "session_policy", "scps", "rcps",
    "resource_policy", "expect", "oracle_differs", "description", "management_account", "federated_by",
};

static const char *const request_fields[] = {
    "principal", "action", "resource", "resource_account", "context", "management_account", "federated_by",
};

static bool known(const char *const *list, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], key) == 0)
            return true;
    return false;
}

/* Loads everything that makes the scenario's input; the first problem is
 * kept in sc->load_error and decides the scenario as "error". */
static iam_status load_scenario_body(scenario_loader *sl, const json_value *v)
{
    iam_scenario *sc = sl->sc;
    for (size_t i = 0; i < v->u.object.count; i++) {
        const json_member *m = &v->u.object.members[i];
        if (!known(scenario_fields, sizeof scenario_fields / sizeof *scenario_fields, m->key)) {
            char msg[200];
            snprintf(msg, sizeof msg, "unknown scenario field \"%.120s\"", m->key);
            return sc_fail(sl, IAM_ERR_REQUEST, &m->key_pos, "", msg);
        }
    }
    const json_value *req = jv_get(v, "request");
    if (req == NULL || req->type != JV_OBJECT)
        return sc_fail(sl, IAM_ERR_REQUEST, req ? &req->pos : &v->pos, ".request",
                       "a scenario needs a request object");
    for (size_t i = 0; i < req->u.object.count; i++) {
        const json_member *m = &req->u.object.members[i];
        if (!known(request_fields, sizeof request_fields / sizeof *request_fields, m->key)) {
            char msg[200];
            snprintf(msg, sizeof msg, "unknown request field \"%.120s\"", m->key);
            return sc_fail(sl, IAM_ERR_REQUEST, &m->key_pos, ".request", msg);
        }
    }
    iam_status s;
    if ((s = request_string(sl, req, "principal", true, &sc->request.principal)) != IAM_OK ||
        (s = request_string(sl, req, "action", true, &sc->request.action)) != IAM_OK ||
        (s = request_string(sl, req, "resource", true, &sc->request.resource)) != IAM_OK ||
        (s = request_string(sl, req, "resource_account", false, &sc->request.resource_account)) != IAM_OK ||
        (s = request_string(sl, req, "management_account", false, &sc->request.management_account)) != IAM_OK ||
        (s = request_string(sl, req, "federated_by", false, &sc->request.federated_by)) != IAM_OK)
        return s;
    /* The spec proposes these two inputs at the scenario level too (5.1). */
    const json_value *mgmt = jv_get(v, "management_account");
    if (!is_null_or_absent(mgmt)) {
        if (mgmt->type != JV_STRING)
            return sc_fail(sl, IAM_ERR_REQUEST, &mgmt->pos, ".management_account", "must be a string");
        sc->request.management_account = (iam_str){mgmt->u.text.ptr, mgmt->u.text.len};
    }
    const json_value *fed = jv_get(v, "federated_by");
    if (!is_null_or_absent(fed)) {
        if (fed->type != JV_STRING)
            return sc_fail(sl, IAM_ERR_REQUEST, &fed->pos, ".federated_by", "must be a string");
        sc->request.federated_by = (iam_str){fed->u.text.ptr, fed->u.text.len};
    }
    const json_value *ctx = jv_get(req, "context");
    if (!is_null_or_absent(ctx) && (s = load_context(sl, ctx)) != IAM_OK)
        return s;

    bundle_source src = {.file = sl->file->path, .prefix = sl->prefix, .limits = &sl->file->limits,
                         .err = &sc->load_error, .cache = &sl->file->cache};
    if ((s = bundle_load_fields(&sc->bundle, &src, v, true)) != IAM_OK)
        return s;
    return iam_policy_set_compile(&sc->set, sc->bundle.setup, &sl->file->limits, &sc->load_error);
}

static iam_status parse_expect(const json_value *v, iam_expect *out)
{
    if (is_null_or_absent(v)) {
        *out = IAM_EXPECT_NONE;
        return IAM_OK;
    }
    if (v->type != JV_STRING)
        return IAM_ERR_REQUEST;
    static const struct {
        const char *word;
        iam_expect e;
    } words[] = {{"allowed", IAM_EXPECT_ALLOWED},
                 {"explicitDeny", IAM_EXPECT_EXPLICIT_DENY},
                 {"implicitDeny", IAM_EXPECT_IMPLICIT_DENY},
                 {"error", IAM_EXPECT_ERROR}};
    for (size_t i = 0; i < 4; i++)
        if (strcmp(v->u.text.ptr, words[i].word) == 0) {
            *out = words[i].e;
            return IAM_OK;
        }
    return IAM_ERR_REQUEST;
}

/* A scenario-level problem that makes the file unusable (a scenario that is
 * no object, an unknown expect word) is a file error; everything else stays
 * with the scenario. */
static iam_status load_scenario(iam_scenario_file *f, const json_value *v, const char *prefix,
                                iam_scenario *sc, iam_error *err)
{
    memset(sc, 0, sizeof *sc);
    sc->pos = v->pos;
    sc->name = "";
    sc->file = f->path;
    if (v->type != JV_OBJECT)
        return error_set(err, IAM_ERR_REQUEST, f->path, &v->pos, prefix, "a scenario must be a JSON object");
    const json_value *name = jv_get(v, "name");
    if (name != NULL) {
        if (name->type != JV_STRING)
            return error_set(err, IAM_ERR_REQUEST, f->path, &name->pos, prefix, "scenario name must be a string");
        sc->name = name->u.text.ptr;
    }
    const json_value *expect = jv_get(v, "expect");
    if (parse_expect(expect, &sc->expect) != IAM_OK)
        return error_set(err, IAM_ERR_REQUEST, f->path, &expect->pos, prefix,
                         "expect must be \"allowed\", \"explicitDeny\", \"implicitDeny\" or \"error\"");
    scenario_loader sl = {.file = f, .sc = sc};
    snprintf(sl.prefix, sizeof sl.prefix, "%s", prefix);
    sc->load_status = load_scenario_body(&sl, v);
    /* The compiled set borrows the policies; the setup is no longer needed. */
    iam_setup_free(sc->bundle.setup);
    sc->bundle.setup = NULL;
    if (sc->load_status == IAM_ERR_NOMEM)
        return error_set(err, IAM_ERR_NOMEM, f->path, NULL, "", "out of memory");
    return IAM_OK;
}

/* A suite scenario: its own members, then the defaults' members it does not
 * have; "request" and its "context" merge member by member (the scenario's
 * win), so defaults can fix the principal while each scenario names an action. */
static const json_value *merge_defaults(arena *a, const json_value *over, const json_value *base, int depth)
{
    if (base == NULL || base->type != JV_OBJECT || over->type != JV_OBJECT)
        return over;
    size_t n = over->u.object.count + base->u.object.count;
    json_value *out = arena_calloc(a, 1, sizeof *out);
    json_member *members = arena_calloc(a, n ? n : 1, sizeof *members);
    if (out == NULL || members == NULL)
        return NULL;
    *out = *over;
    size_t k = 0;
    for (size_t i = 0; i < over->u.object.count; i++) {
        members[k] = over->u.object.members[i];
        const json_value *b = jv_get(base, members[k].key);
        bool deep = (depth == 0 && strcmp(members[k].key, "request") == 0) ||
                    (depth == 1 && strcmp(members[k].key, "context") == 0);
        if (deep && b != NULL) {
            const json_value *m = merge_defaults(a, members[k].value, b, depth + 1);
            if (m == NULL)
                return NULL;
            members[k].value = (json_value *)m;
        }
        k++;
    }
    for (size_t i = 0; i < base->u.object.count; i++)
        if (jv_get(over, base->u.object.members[i].key) == NULL)
            members[k++] = base->u.object.members[i];
    out->u.object.members = members;
    out->u.object.count = k;
    return out;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static iam_status push_doc(iam_scenario_file *f, json_doc *doc, size_t *cap)
{
    if (f->doc_count == *cap) {
        size_t nc = *cap ? 2 * *cap : 4;
        json_doc **d = realloc(f->docs, nc * sizeof *d);
        if (d == NULL)
            return IAM_ERR_NOMEM;
        f->docs = d;
        *cap = nc;
    }
    f->docs[f->doc_count++] = doc;
    return IAM_OK;
}

static iam_status parse_one(iam_scenario_file *f, const char *text, size_t len, uint32_t line,
                            size_t *doc_cap, const json_value **root, iam_error *err)
{
    json_error je;
    json_doc *doc = jv_parse(text, len, line, f->limits.max_depth, &je);
    if (doc == NULL)
        return error_set(err, IAM_ERR_JSON, f->path, &je.pos, "", "%s", je.message);
    if (push_doc(f, doc, doc_cap) != IAM_OK) {
        jv_doc_free(doc);
        return error_set(err, IAM_ERR_NOMEM, f->path, NULL, "", "out of memory");
    }
    *root = jv_root(doc);
    return IAM_OK;
}

/* Reads the scenarios of text[0..len); `jsonl` picks the line format. */
static iam_status scenario_file_read(iam_scenario_file **out, const char *text, size_t len, bool jsonl,
                                     const char *path, const iam_limits *limits, iam_error *err)
{
    *out = NULL;
    iam_scenario_file *f = calloc(1, sizeof *f);
    if (f == NULL)
        return error_set(err, IAM_ERR_NOMEM, path, NULL, "", "out of memory");
    arena_init(&f->arena);
    if (limits)
        f->limits = *limits;
    else
        iam_limits_init(&f->limits);
    f->path = arena_strndup(&f->arena, path, strlen(path));
    size_t doc_cap = 0;
    iam_status s = f->path ? IAM_OK : error_set(err, IAM_ERR_NOMEM, path, NULL, "", "out of memory");
    /* Collect the scenario values first, then load each. */
    const json_value **values = NULL;
    size_t nvalues = 0, vcap = 0;
    bool top_array = false, suite = false;
    const json_value *defaults = NULL;
    if (s == IAM_OK && jsonl) {
        uint32_t line = 1;
        size_t start = 0;
        for (size_t i = 0; i <= len && s == IAM_OK; i++) {
            if (i < len && text[i] != '\n')
                continue;
            size_t a = start, b = i;
            while (a < b && (text[a] == ' ' || text[a] == '\t' || text[a] == '\r'))
                a++;
            if (a < b) {
                const json_value *root;
                s = parse_one(f, text + start, i - start, line, &doc_cap, &root, err);
                if (s == IAM_OK && nvalues == vcap) {
                    vcap = vcap ? 2 * vcap : 64;
                    const json_value **nv = realloc(values, vcap * sizeof *nv);
                    if (nv == NULL)
                        s = error_set(err, IAM_ERR_NOMEM, path, NULL, "", "out of memory");
                    else
                        values = nv;
                }
                if (s == IAM_OK)
                    values[nvalues++] = root;
            }
            start = i + 1;
            line++;
        }
    } else if (s == IAM_OK) {
        const json_value *root;
        s = parse_one(f, text, len, 1, &doc_cap, &root, err);
        if (s == IAM_OK && root->type == JV_OBJECT && jv_get(root, "scenarios") != NULL) {
            /* A suite: {"defaults": {...}, "scenarios": [...]}. */
            suite = true;
            for (size_t i = 0; i < root->u.object.count && s == IAM_OK; i++) {
                const json_member *m = &root->u.object.members[i];
                if (strcmp(m->key, "scenarios") != 0 && strcmp(m->key, "defaults") != 0 &&
                    strcmp(m->key, "name") != 0 && strcmp(m->key, "description") != 0)
                    s = error_set(err, IAM_ERR_REQUEST, path, &m->key_pos, "$",
                                  "unknown suite field \"%.100s\" (a suite has defaults, scenarios, name, description)",
                                  m->key);
            }
            defaults = jv_get(root, "defaults");
            const json_value *list = jv_get(root, "scenarios");
            if (s == IAM_OK && defaults != NULL && defaults->type != JV_OBJECT)
                s = error_set(err, IAM_ERR_REQUEST, path, &defaults->pos, "$.defaults", "defaults must be an object");
            if (s == IAM_OK && list->type != JV_ARRAY)
                s = error_set(err, IAM_ERR_REQUEST, path, &list->pos, "$.scenarios", "scenarios must be an array");
            if (s == IAM_OK) {
                root = list;
                if (defaults != NULL) {
                    json_value *copy = arena_alloc(&f->arena, sizeof *copy);
                    /* Every scenario refers to the defaults: check them once. */
                    if (copy == NULL)
                        s = error_set(err, IAM_ERR_NOMEM, path, NULL, "", "out of memory");
                    else
                        *copy = *defaults;
                }
            }
        }
        if (s == IAM_OK) {
            top_array = root->type == JV_ARRAY;
            nvalues = top_array ? root->u.array.count : 1;
            values = malloc((nvalues ? nvalues : 1) * sizeof *values);
            if (values == NULL)
                s = error_set(err, IAM_ERR_NOMEM, path, NULL, "", "out of memory");
            else if (top_array)
                for (size_t i = 0; i < nvalues; i++)
                    values[i] = root->u.array.items[i];
            else
                values[0] = root;
        }
    }
    if (s == IAM_OK) {
        f->items = calloc(nvalues ? nvalues : 1, sizeof *f->items);
        if (f->items == NULL)
            s = error_set(err, IAM_ERR_NOMEM, path, NULL, "", "out of memory");
    }
    for (size_t i = 0; s == IAM_OK && i < nvalues; i++) {
        char prefix[48];
        if (suite)
            snprintf(prefix, sizeof prefix, "$.scenarios[%zu]", i);
        else if (top_array)
            snprintf(prefix, sizeof prefix, "$[%zu]", i);
        else
            snprintf(prefix, sizeof prefix, "$");
        const json_value *v = suite ? merge_defaults(&f->arena, values[i], defaults, 0) : values[i];
        if (v == NULL) {
            s = error_set(err, IAM_ERR_NOMEM, path, NULL, "", "out of memory");
            break;
        }
        s = load_scenario(f, v, prefix, &f->items[i], err);
        f->count = i + 1;
    }
    free(values);
    if (s != IAM_OK) {
        iam_scenario_file_free(f);
        return s;
    }
    *out = f;
    return IAM_OK;
}

iam_status iam_scenario_file_parse(iam_scenario_file **out, const char *text, size_t len, int jsonl,
                                   const char *source_name, const iam_limits *limits, iam_error *err)
{
    if (out == NULL || text == NULL)
        return error_set(err, IAM_ERR_ARGUMENT, source_name, NULL, "", "out or text is NULL");
    *out = NULL;
    iam_limits defaults;
    limits = limits_or_default(limits, &defaults);
    if (len > limits->max_file_bytes)
        return error_set(err, IAM_ERR_LIMIT, source_name, NULL, "", "%zu bytes, more than the limit of %zu",
                         len, limits->max_file_bytes);
    return scenario_file_read(out, text, len, jsonl != 0, source_name ? source_name : "", limits, err);
}

iam_status iam_scenario_file_load(iam_scenario_file **out, const char *path,
                                  const iam_limits *limits, iam_error *err)
{
    if (out == NULL || path == NULL)
        return error_set(err, IAM_ERR_ARGUMENT, path, NULL, "", "out or path is NULL");
    *out = NULL;
    iam_limits defaults;
    limits = limits_or_default(limits, &defaults);
    char *text;
    size_t len;
    iam_status s = file_read_all(path, limits->max_file_bytes, &text, &len, err);
    if (s != IAM_OK)
        return s;
    /* The JSON documents keep their own copies of every string. */
    s = scenario_file_read(out, text, len, has_suffix(path, ".jsonl"), path, limits, err);
    free(text);
    return s;
}

void iam_scenario_file_free(iam_scenario_file *file)
{
    if (file == NULL)
        return;
    for (size_t i = 0; i < file->count; i++) {
        iam_scenario *sc = &file->items[i];
        iam_policy_set_free(sc->set);
        bundle_free(&sc->bundle);
    }
    free(file->items);
    policy_cache_free(&file->cache);
    for (size_t i = 0; i < file->doc_count; i++)
        jv_doc_free(file->docs[i]);
    free(file->docs);
    arena_release(&file->arena);
    free(file);
}

size_t iam_scenario_file_count(const iam_scenario_file *file)
{
    return file ? file->count : 0;
}

const iam_scenario *iam_scenario_file_get(const iam_scenario_file *file, size_t i)
{
    return file && i < file->count ? &file->items[i] : NULL;
}

const char *iam_scenario_name(const iam_scenario *scenario)
{
    return scenario ? scenario->name : "";
}

iam_expect iam_scenario_expect(const iam_scenario *scenario)
{
    return scenario ? scenario->expect : IAM_EXPECT_NONE;
}

uint32_t iam_scenario_line(const iam_scenario *scenario)
{
    return scenario ? scenario->pos.line : 0;
}

uint32_t iam_scenario_column(const iam_scenario *scenario)
{
    return scenario ? scenario->pos.column : 0;
}

static iam_status scenario_decide(const iam_scenario *scenario, iam_scratch *scratch,
                                  iam_decision *decision, iam_explanation *explanation, iam_error *err)
{
    if (scenario == NULL || scratch == NULL || decision == NULL)
        return error_set(err, IAM_ERR_ARGUMENT, "", NULL, "", "scenario, scratch and decision are required");
    if (scenario->load_status != IAM_OK) {
        if (err)
            *err = scenario->load_error;
        return scenario->load_status;
    }
    iam_status s = explanation
                       ? iam_evaluate_explain(scenario->set, &scenario->request, scratch, decision, explanation, err)
                       : iam_evaluate(scenario->set, &scenario->request, scratch, decision, err);
    if (s != IAM_OK && err != NULL && err->line == 0) {
        /* Request errors carry no position of their own: point at the scenario. */
        if (err->file[0] == '\0')
            snprintf(err->file, sizeof err->file, "%s", scenario->file);
        err->line = scenario->pos.line;
        err->column = scenario->pos.column;
        snprintf(err->path, sizeof err->path, "%s", "request");
    }
    return s;
}

iam_status iam_scenario_run(const iam_scenario *scenario, iam_scratch *scratch, iam_decision *decision,
                            iam_error *err)
{
    return scenario_decide(scenario, scratch, decision, NULL, err);
}

iam_status iam_scenario_explain(const iam_scenario *scenario, iam_scratch *scratch, iam_decision *decision,
                                iam_explanation *explanation, iam_error *err)
{
    if (explanation == NULL)
        return error_set(err, IAM_ERR_ARGUMENT, "", NULL, "", "explanation is NULL");
    return scenario_decide(scenario, scratch, decision, explanation, err);
}

const iam_request *scenario_request(const iam_scenario *sc, iam_error *err)
{
    if (sc->load_status != IAM_OK) {
        if (err)
            *err = sc->load_error;
        return NULL;
    }
    return &sc->request;
}
