/* Explanations (spec section 6): what evaluate_core traced, rendered as a
 * stable JSON document or a readable report. Only the explaining path
 * allocates; plain evaluation never comes here. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *grant_class_name(int grant_class)
{
    static const char *const names[] = {"NONE", "ACCOUNT", "PARENT", "DIRECT", "WILDCARD", "SERVICE"};
    return grant_class >= 0 && grant_class <= 5 ? names[grant_class] : "NONE";
}

const char *layer_name(int layer)
{
    static const char *const names[] = {"rcp", "scp", "resource", "identity", "boundary", "session"};
    return layer >= 0 && layer < LAYER_COUNT ? names[layer] : "unknown";
}

iam_status iam_explanation_create(iam_explanation **out)
{
    if (out == NULL)
        return IAM_ERR_ARGUMENT;
    *out = calloc(1, sizeof **out);
    if (*out == NULL)
        return IAM_ERR_NOMEM;
    arena_init(&(*out)->arena);
    return IAM_OK;
}

static void drop(iam_explanation *x)
{
    arena_release(&x->arena);
    free(x->traces);
    free(x->missing);
    free(x->json);
    free(x->text);
    memset(x, 0, sizeof *x);
    arena_init(&x->arena);
}

void iam_explanation_free(iam_explanation *x)
{
    if (x == NULL)
        return;
    drop(x);
    free(x);
}

static const char *copy_str(iam_explanation *x, iam_str s)
{
    return s.ptr ? arena_strndup(&x->arena, s.ptr, s.len) : "";
}

iam_status explain_begin(iam_explanation *x, const iam_policy_set *set, const iam_request *req)
{
    drop(x);
    x->set = set;
    x->principal = copy_str(x, req->principal);
    x->action = copy_str(x, req->action);
    x->resource = copy_str(x, req->resource);
    return x->principal && x->action && x->resource ? IAM_OK : IAM_ERR_NOMEM;
}

stmt_trace *explain_trace(iam_explanation *x, uint32_t stmt)
{
    if (x->trace_count == x->trace_cap) {
        size_t cap = x->trace_cap ? 2 * x->trace_cap : 32;
        stmt_trace *t = realloc(x->traces, cap * sizeof *t);
        if (t == NULL)
            return NULL;
        x->traces = t;
        x->trace_cap = cap;
    }
    stmt_trace *t = &x->traces[x->trace_count++];
    memset(t, 0, sizeof *t);
    t->stmt = stmt;
    return t;
}

void explain_reason_add(iam_explanation *x, reason_code code, uint32_t level)
{
    if (x->reason_count < sizeof x->reasons / sizeof x->reasons[0])
        x->reasons[x->reason_count++] = (explain_reason){(uint8_t)code, level};
}

void explain_missing_key(iam_explanation *x, const char *key, size_t len)
{
    for (size_t i = 0; i < x->missing_count; i++)
        if (lit_equal_fold(x->missing[i], strlen(x->missing[i]), key, len))
            return;
    if (x->missing_count == x->missing_cap) {
        size_t cap = x->missing_cap ? 2 * x->missing_cap : 8;
        const char **m = realloc(x->missing, cap * sizeof *m);
        if (m == NULL)
            return;
        x->missing = m;
        x->missing_cap = cap;
    }
    const char *copy = arena_strndup(&x->arena, key, len);
    if (copy != NULL)
        x->missing[x->missing_count++] = copy;
}

const iam_str *explain_copy_values(iam_explanation *x, const iam_str *values, size_t n)
{
    iam_str *out = arena_calloc(&x->arena, n ? n : 1, sizeof *out);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        out[i].ptr = arena_strndup(&x->arena, values[i].ptr, values[i].len);
        out[i].len = out[i].ptr ? values[i].len : 0;
    }
    return out;
}

/* ---- public accessors ------------------------------------------------------ */

iam_decision iam_explanation_decision(const iam_explanation *x)
{
    return x ? x->decision : IAM_IMPLICIT_DENY;
}

size_t iam_explanation_missing_count(const iam_explanation *x)
{
    return x ? x->missing_count : 0;
}

const char *iam_explanation_missing_key(const iam_explanation *x, size_t i)
{
    return x && i < x->missing_count ? x->missing[i] : NULL;
}

/* Whether a traced statement is one of the decision's decisive statements
 * (spec 6.2): every applicable Deny for explicitDeny; for allowed, the
 * statements of the path that allowed and one Allow per SCP level. */
static bool is_decisive(const iam_explanation *x, const stmt_trace *t, uint32_t *scp_seen)
{
    const stmt_ref *r = &x->set->stmts[t->stmt];
    if (!t->applies)
        return false;
    if (x->decision == IAM_EXPLICIT_DENY)
        return !r->st->allow;
    if (x->decision == IAM_IMPLICIT_DENY || !r->st->allow)
        return false;
    reason_code why = x->reason_count ? (reason_code)x->reasons[x->reason_count - 1].code : RC_ALLOWED_IDENTITY;
    switch ((layer_id)r->layer) {
    case LAYER_SCP: {
        uint32_t bit = 1u << (r->level & 31);
        if (*scp_seen & bit)
            return false;
        *scp_seen |= bit;
        return true;
    }
    case LAYER_RCP: return true;
    case LAYER_RESOURCE:
        if (why == RC_ALLOWED_DIRECT)
            return t->grant == 3 || t->grant == 4;   /* DIRECT, WILDCARD */
        if (why == RC_ALLOWED_PARENT)
            return t->grant == 2;
        if (why == RC_ALLOWED_SERVICE)
            return t->grant == 5 || t->grant == 4;
        return why == RC_ALLOWED_CROSS_ACCOUNT || why == RC_ALLOWED_IDENTITY;
    case LAYER_IDENTITY:
        return why == RC_ALLOWED_IDENTITY || why == RC_ALLOWED_CROSS_ACCOUNT;
    case LAYER_BOUNDARY:
    case LAYER_SESSION:
        return why == RC_ALLOWED_IDENTITY || why == RC_ALLOWED_CROSS_ACCOUNT || why == RC_ALLOWED_PARENT;
    case LAYER_COUNT: break;
    }
    return false;
}

size_t iam_explanation_decisive_count(const iam_explanation *x)
{
    if (x == NULL || x->set == NULL)
        return 0;
    size_t n = 0;
    uint32_t scp_seen = 0;
    for (size_t i = 0; i < x->trace_count; i++)
        n += is_decisive(x, &x->traces[i], &scp_seen);
    return n;
}

static void fill_ref(const iam_explanation *x, const stmt_trace *t, iam_statement_ref *out)
{
    const stmt_ref *r = &x->set->stmts[t->stmt];
    out->layer = layer_name(r->layer);
    out->level = r->level;
    out->policy_index = r->policy_index;
    out->policy_name = r->policy->name ? r->policy->name : "";
    out->policy_path = r->policy->path ? r->policy->path : "$";
    out->statement_index = r->st->index;
    out->sid = r->st->sid;
    out->allow = r->st->allow;
    out->line = r->st->pos.line;
    out->column = r->st->pos.column;
    out->grant_class = r->layer == LAYER_RESOURCE && r->st->allow && t->applies ? grant_class_name(t->grant) : NULL;
}

iam_status iam_explanation_decisive(const iam_explanation *x, size_t i, iam_statement_ref *out)
{
    if (x == NULL || out == NULL || x->set == NULL)
        return IAM_ERR_ARGUMENT;
    uint32_t scp_seen = 0;
    for (size_t k = 0; k < x->trace_count; k++) {
        if (!is_decisive(x, &x->traces[k], &scp_seen))
            continue;
        if (i-- == 0) {
            fill_ref(x, &x->traces[k], out);
            return IAM_OK;
        }
    }
    return IAM_ERR_ARGUMENT;
}

/* ---- rendering ------------------------------------------------------------- */

typedef struct strbuf {
    char *data;
    size_t len, cap;
    bool failed;
} strbuf;

static void sb_add(strbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (d == NULL) {
            b->failed = true;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void sb_puts(strbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void sb_printf(strbuf *b, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    sb_add(b, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void sb_json_str(strbuf *b, const char *s, size_t n)
{
    sb_add(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"')
            sb_add(b, "\\\"", 2);
        else if (c == '\\')
            sb_add(b, "\\\\", 2);
        else if (c < 0x20)
            sb_printf(b, "\\u%04x", c);
        else
            sb_add(b, s + i, 1);
    }
    sb_add(b, "\"", 1);
}

static void sb_json_cstr(strbuf *b, const char *s)
{
    if (s == NULL)
        sb_puts(b, "null");
    else
        sb_json_str(b, s, strlen(s));
}

static const char *reason_text(reason_code c)
{
    switch (c) {
    case RC_CALLER_IDENTITY: return "sts:GetCallerIdentity needs no permission: no policy controls it [E-K4]";
    case RC_SESSION_TOKEN_ALLOWED: return "sts:GetSessionToken by an IAM user or the root user needs no permission [E-K5]";
    case RC_SESSION_TOKEN_DENIED: return "sts:GetSessionToken needs the long-term credentials of an IAM user or the root user [E-K5]";
    case RC_EXPLICIT_DENY: return "an applicable Deny statement decides [E-D1]";
    case RC_SCP_LEVEL_NO_ALLOW: return "an SCP level has no applicable Allow [E-S1]";
    case RC_SERVICE_NO_GRANT: return "the resource policy does not grant this service principal [E-X2]";
    case RC_CROSS_RESOURCE_NO_GRANT: return "cross-account: the resource policy is absent or has no applicable Allow for this principal [E-CA1]";
    case RC_IDENTITY_NO_ALLOW: return "the identity-based policies have no applicable Allow (and no resource-policy grant covers the caller)";
    case RC_BOUNDARY_NO_ALLOW: return "the permissions boundary has no applicable Allow";
    case RC_SESSION_NO_ALLOW: return "the session policy has no applicable Allow";
    case RC_FEDERATED_NO_SESSION_POLICY: return "a federated user without a session policy has no permissions of its own [E-SP]";
    case RC_RESOURCE_POLICY_REQUIRED: return "the key policy or trust policy must allow the caller or its account [E-K2]";
    case RC_ALLOWED_DIRECT: return "a resource-policy statement names the caller directly or with \"*\" (path a) [E-SA]";
    case RC_ALLOWED_PARENT: return "a resource-policy statement names the caller's role (or federating user), and the boundary and session policy allow (path b) [E-SA]";
    case RC_ALLOWED_IDENTITY: return "the identity-based policies allow, and the boundary and session policy allow (path c) [E-SA]";
    case RC_ALLOWED_ROOT: return "the root user has full access in its own account [E-X1]";
    case RC_ALLOWED_CROSS_ACCOUNT: return "cross-account: the resource policy grants and the caller's own policies allow [E-CA1], [E-CA2]";
    case RC_ALLOWED_SERVICE: return "the resource policy grants this service principal [E-X2]";
    }
    return "";
}

static const char *const reason_ids[] = {
    "caller_identity", "session_token_allowed", "session_token_denied", "explicit_deny",
    "scp_level_no_allow", "service_no_grant", "cross_account_resource_no_grant", "identity_no_allow",
    "boundary_no_allow", "session_no_allow", "federated_no_session_policy", "resource_policy_required",
    "allowed_direct_grant", "allowed_parent_grant", "allowed_identity", "allowed_root",
    "allowed_cross_account", "allowed_service",
};

static void json_ref(strbuf *b, const iam_explanation *x, const stmt_trace *t)
{
    iam_statement_ref r;
    fill_ref(x, t, &r);
    sb_puts(b, "{\"layer\":");
    sb_json_cstr(b, r.layer);
    const stmt_ref *sr = &x->set->stmts[t->stmt];
    if (sr->layer == LAYER_SCP || sr->layer == LAYER_RCP)
        sb_printf(b, ",\"level\":%u", (unsigned)r.level);
    sb_printf(b, ",\"policy\":%u,\"source\":", (unsigned)r.policy_index);
    sb_json_cstr(b, r.policy_name);
    sb_puts(b, ",\"path\":");
    sb_json_cstr(b, r.policy_path);
    sb_printf(b, ",\"statement\":%u,\"sid\":", (unsigned)r.statement_index);
    sb_json_cstr(b, r.sid);
    sb_printf(b, ",\"effect\":\"%s\",\"line\":%u,\"column\":%u", r.allow ? "Allow" : "Deny", (unsigned)r.line,
              (unsigned)r.column);
    if (r.grant_class)
        sb_printf(b, ",\"class\":\"%s\"", r.grant_class);
    sb_puts(b, "}");
}

static void json_bool_or_null(strbuf *b, int v)
{
    sb_puts(b, v < 0 ? "null" : v ? "true" : "false");
}

static void json_failed_condition(strbuf *b, const iam_explanation *x, const stmt_trace *t)
{
    const statement *st = x->set->stmts[t->stmt].st;
    const cond_pair *pair = &st->conditions[t->failed_pair];
    sb_puts(b, ",\"failed_condition\":{\"operator\":");
    sb_json_cstr(b, pair->op_text);
    sb_puts(b, ",\"key\":");
    sb_json_str(b, pair->key, pair->key_len);
    sb_printf(b, ",\"line\":%u,\"column\":%u,\"key_missing\":%s,\"request_values\":[", (unsigned)pair->pos.line,
              (unsigned)pair->pos.column, t->failed_missing ? "true" : "false");
    for (size_t i = 0; t->failed_values && i < t->failed_value_count; i++) {
        if (i)
            sb_puts(b, ",");
        sb_json_str(b, t->failed_values[i].ptr, t->failed_values[i].len);
    }
    sb_puts(b, "],\"policy_values\":[");
    for (uint32_t i = 0; i < pair->value_count; i++) {
        if (i)
            sb_puts(b, ",");
        sb_json_str(b, pair->values[i].text, pair->values[i].len);
    }
    sb_puts(b, "]}");
}

static const char *layer_verdict_word(const iam_explanation *x, int layer, int level, bool by_level)
{
    bool allow = false, deny = false, any = false;
    for (size_t i = 0; i < x->trace_count; i++) {
        const stmt_trace *t = &x->traces[i];
        const stmt_ref *r = &x->set->stmts[t->stmt];
        if (r->layer != layer || (by_level && r->level != level))
            continue;
        any = true;
        if (t->applies) {
            if (r->st->allow)
                allow = true;
            else
                deny = true;
        }
    }
    (void)any;
    return deny ? "deny" : allow ? "allow" : "none";
}

/* Whether the layer (or SCP/RCP level) exists in the set. */
static bool layer_present(const iam_policy_set *set, int layer)
{
    switch ((layer_id)layer) {
    case LAYER_RCP: return set->rcps_present;
    case LAYER_SCP: return set->scps_present;
    case LAYER_RESOURCE: return set->resource != NULL;
    case LAYER_IDENTITY: return true;
    case LAYER_BOUNDARY: return set->boundary != NULL;
    case LAYER_SESSION: return set->session != NULL;
    case LAYER_COUNT: break;
    }
    return false;
}

static void json_layer(strbuf *b, const iam_explanation *x, int layer, int level, bool by_level)
{
    sb_puts(b, "{\"layer\":");
    sb_json_cstr(b, layer_name(layer));
    if (by_level)
        sb_printf(b, ",\"level\":%d", level);
    sb_printf(b, ",\"applies\":%s,\"verdict\":\"%s\"", x->layer_applies[layer] ? "true" : "false",
              layer_verdict_word(x, layer, level, by_level));
    if (layer == LAYER_RCP)
        sb_puts(b, ",\"implied\":\"RCPFullAWSAccess\"");
    sb_puts(b, ",\"statements\":[");
    bool first = true;
    for (size_t i = 0; i < x->trace_count; i++) {
        const stmt_trace *t = &x->traces[i];
        const stmt_ref *r = &x->set->stmts[t->stmt];
        if (r->layer != layer || (by_level && r->level != level))
            continue;
        if (!first)
            sb_puts(b, ",");
        first = false;
        sb_puts(b, "{\"ref\":");
        json_ref(b, x, t);
        sb_puts(b, ",\"action\":");
        json_bool_or_null(b, t->action);
        sb_puts(b, ",\"resource\":");
        json_bool_or_null(b, t->resource);
        sb_puts(b, ",\"principal\":");
        json_bool_or_null(b, t->principal);
        if (r->st->not_principal && t->principal == 1)
            sb_printf(b, ",\"not_principal_rule\":\"%s\"", t->not_principal_by_boundary ? "boundary" : "chain");
        sb_puts(b, ",\"conditions\":");
        json_bool_or_null(b, t->conditions_evaluated ? t->conditions : -1);
        sb_printf(b, ",\"applies\":%s", t->applies ? "true" : "false");
        if (t->failed_pair >= 0)
            json_failed_condition(b, x, t);
        sb_puts(b, "}");
    }
    sb_puts(b, "]}");
}

const char *iam_explanation_json(iam_explanation *x)
{
    if (x == NULL || x->set == NULL)
        return NULL;
    if (x->json != NULL)
        return x->json;
    strbuf b = {0};
    sb_puts(&b, "{\"decision\":");
    sb_json_cstr(&b, iam_decision_name(x->decision));
    sb_puts(&b, ",\"request\":{\"principal\":");
    sb_json_cstr(&b, x->principal);
    sb_puts(&b, ",\"action\":");
    sb_json_cstr(&b, x->action);
    sb_puts(&b, ",\"resource\":");
    sb_json_cstr(&b, x->resource);
    sb_printf(&b, "},\"same_account\":%s,\"reasons\":[", x->same_account ? "true" : "false");
    for (size_t i = 0; i < x->reason_count; i++) {
        reason_code c = (reason_code)x->reasons[i].code;
        sb_puts(&b, i ? ",{\"code\":" : "{\"code\":");
        sb_json_cstr(&b, reason_ids[c]);
        if (c == RC_SCP_LEVEL_NO_ALLOW)
            sb_printf(&b, ",\"level\":%u", (unsigned)x->reasons[i].level);
        sb_puts(&b, ",\"text\":");
        sb_json_cstr(&b, reason_text(c));
        sb_puts(&b, "}");
    }
    sb_puts(&b, "],\"decisive\":[");
    uint32_t scp_seen = 0;
    bool first = true;
    for (size_t i = 0; i < x->trace_count; i++) {
        if (!is_decisive(x, &x->traces[i], &scp_seen))
            continue;
        if (!first)
            sb_puts(&b, ",");
        first = false;
        json_ref(&b, x, &x->traces[i]);
    }
    sb_puts(&b, "],\"layers\":[");
    first = true;
    for (int layer = 0; layer < LAYER_COUNT; layer++) {
        if (!layer_present(x->set, layer))
            continue;
        bool by_level = layer == LAYER_SCP || layer == LAYER_RCP;
        uint32_t levels = layer == LAYER_SCP ? x->set->scp_levels : layer == LAYER_RCP ? x->set->rcp_levels : 1;
        for (uint32_t l = 0; l < levels; l++) {
            if (!first)
                sb_puts(&b, ",");
            first = false;
            json_layer(&b, x, layer, (int)l, by_level);
        }
    }
    sb_puts(&b, "],\"missing_context_keys\":[");
    for (size_t i = 0; i < x->missing_count; i++) {
        if (i)
            sb_puts(&b, ",");
        sb_json_cstr(&b, x->missing[i]);
    }
    sb_puts(&b, "]}");
    if (b.failed) {
        free(b.data);
        return NULL;
    }
    x->json = b.data;
    return x->json;
}

/* ---- text ------------------------------------------------------------------ */

typedef struct palette {
    const char *bold, *red, *green, *yellow, *dim, *reset;
} palette;

static void text_ref(strbuf *b, const iam_explanation *x, const stmt_trace *t)
{
    iam_statement_ref r;
    fill_ref(x, t, &r);
    sb_printf(&*b, "%s:%u:%u %s statement %u", r.policy_name[0] ? r.policy_name : "<policy>", (unsigned)r.line,
              (unsigned)r.column, r.policy_path, (unsigned)r.statement_index);
    if (r.sid)
        sb_printf(b, " \"%s\"", r.sid);
    sb_printf(b, " (%s%s%s)", r.allow ? "Allow" : "Deny", r.grant_class ? ", " : "",
              r.grant_class ? r.grant_class : "");
}

static const char *mark(int v)
{
    return v < 0 ? "-" : v ? "yes" : "no";
}

static void text_layer(strbuf *b, const iam_explanation *x, const palette *c, int layer, int level, bool by_level)
{
    static const char *const titles[] = {"RCPs", "SCPs", "resource policy", "identity policies",
                                         "permissions boundary", "session policy"};
    const char *verdict = layer_verdict_word(x, layer, level, by_level);
    const char *color = strcmp(verdict, "deny") == 0 ? c->red : strcmp(verdict, "allow") == 0 ? c->green : c->yellow;
    sb_printf(b, "  %s%s", c->bold, titles[layer]);
    if (by_level)
        sb_printf(b, " level %d", level);
    sb_printf(b, "%s: ", c->reset);
    if (!x->layer_applies[layer]) {
        sb_printf(b, "%sdoes not apply to this request%s\n", c->dim, c->reset);
        return;
    }
    if (layer == LAYER_RCP && strcmp(verdict, "deny") != 0)
        sb_printf(b, "%sallow%s (RCPFullAWSAccess, implied)\n", c->green, c->reset);
    else
        sb_printf(b, "%s%s%s\n", color, strcmp(verdict, "none") == 0 ? "no applicable statement" : verdict,
                  c->reset);
    for (size_t i = 0; i < x->trace_count; i++) {
        const stmt_trace *t = &x->traces[i];
        const stmt_ref *r = &x->set->stmts[t->stmt];
        if (r->layer != layer || (by_level && r->level != level))
            continue;
        sb_printf(b, "    %s ", t->applies ? (r->st->allow ? "+" : "!") : " ");
        text_ref(b, x, t);
        sb_printf(b, ": action %s, resource %s", mark(t->action), mark(t->resource));
        if (t->principal >= 0)
            sb_printf(b, ", principal %s%s", mark(t->principal),
                      r->st->not_principal && t->principal == 1
                          ? (t->not_principal_by_boundary ? " (NotPrincipal: boundary rule)" : " (NotPrincipal: not covered)")
                          : "");
        sb_printf(b, ", conditions %s\n", mark(t->conditions_evaluated ? t->conditions : -1));
        if (t->failed_pair >= 0) {
            const cond_pair *pair = &r->st->conditions[t->failed_pair];
            sb_printf(b, "        %sfailed: %s %.*s", c->dim, pair->op_text, (int)pair->key_len, pair->key);
            if (t->failed_missing) {
                sb_puts(b, ": key missing from the request");
            } else {
                sb_puts(b, ": request ");
                for (size_t k = 0; t->failed_values && k < t->failed_value_count; k++)
                    sb_printf(b, "%s\"%.*s\"", k ? ", " : "", (int)t->failed_values[k].len, t->failed_values[k].ptr);
                if (t->failed_value_count == 0)
                    sb_puts(b, "[]");
            }
            sb_puts(b, "; policy ");
            for (uint32_t k = 0; k < pair->value_count; k++)
                sb_printf(b, "%s\"%s\"", k ? ", " : "", pair->values[k].text);
            sb_printf(b, "%s\n", c->reset);
        }
    }
}

const char *iam_explanation_text(iam_explanation *x, int color)
{
    if (x == NULL || x->set == NULL)
        return NULL;
    if (x->text != NULL && x->text_color == color)
        return x->text;
    free(x->text);
    x->text = NULL;
    palette c = color ? (palette){"\033[1m", "\033[31m", "\033[32m", "\033[33m", "\033[2m", "\033[0m"}
                      : (palette){"", "", "", "", "", ""};
    strbuf b = {0};
    sb_printf(&b, "request: %s %s on %s%s\n", x->principal, x->action, x->resource,
              x->same_account ? "" : " (cross-account)");
    for (int layer = 0; layer < LAYER_COUNT; layer++) {
        if (!layer_present(x->set, layer))
            continue;
        bool by_level = layer == LAYER_SCP || layer == LAYER_RCP;
        uint32_t levels = layer == LAYER_SCP ? x->set->scp_levels : layer == LAYER_RCP ? x->set->rcp_levels : 1;
        for (uint32_t l = 0; l < levels; l++)
            text_layer(&b, x, &c, layer, (int)l, by_level);
    }
    const char *dc = x->decision == IAM_ALLOWED ? c.green : c.red;
    sb_printf(&b, "%sdecision: %s%s%s\n", c.bold, dc, iam_decision_name(x->decision), c.reset);
    for (size_t i = 0; i < x->reason_count; i++) {
        reason_code rc = (reason_code)x->reasons[i].code;
        if (rc == RC_SCP_LEVEL_NO_ALLOW)
            sb_printf(&b, "  because SCP level %u has no applicable Allow [E-S1]\n", (unsigned)x->reasons[i].level);
        else
            sb_printf(&b, "  because %s\n", reason_text(rc));
    }
    uint32_t scp_seen = 0;
    bool first = true;
    for (size_t i = 0; i < x->trace_count; i++) {
        if (!is_decisive(x, &x->traces[i], &scp_seen))
            continue;
        sb_puts(&b, first ? "  decisive: " : "            ");
        first = false;
        text_ref(&b, x, &x->traces[i]);
        sb_puts(&b, "\n");
    }
    if (x->missing_count) {
        sb_puts(&b, "  missing context keys:");
        for (size_t i = 0; i < x->missing_count; i++)
            sb_printf(&b, " %s", x->missing[i]);
        sb_puts(&b, "\n");
    }
    if (b.failed) {
        free(b.data);
        return NULL;
    }
    x->text = b.data;
    x->text_color = color;
    return x->text;
}
