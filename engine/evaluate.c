/* The decision procedure of spec section 5: which statements apply to the
 * request in each layer, then explicit deny, the RCP and SCP gates, and the
 * grant paths by principal kind and account relation. */
#include <string.h>

#include "internal.h"

enum { ACTION_MAX = 1024 };

typedef enum grant_class {
    GC_NONE = 0,
    GC_ACCOUNT,
    GC_PARENT,
    GC_DIRECT,
    GC_WILDCARD,
    GC_SERVICE
} grant_class;

typedef struct eval_state {
    const iam_request *req;
    iam_scratch *s;
    const principal_info *p;
    char action[ACTION_MAX];   /* folded */
    size_t action_len;
    size_t service_len;
    bool resource_star;
    bool boundary_present;
    bool limit_hit;
} eval_state;

static bool str_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && memcmp(a, b, alen) == 0;
}

static bool action_matches(const statement *st, eval_state *e)
{
    bool any = false;
    for (uint32_t i = 0; i < st->action_count && !any; i++) {
        const action_pattern *a = &st->actions[i];
        any = action_pattern_matches(a, e->action, e->action_len, e->s->glob);
    }
    return st->not_action ? !any : any;
}

static bool resource_pattern_matches(const resource_pattern *r, eval_state *e)
{
    if (r->any)
        return true;
    if (e->resource_star)   /* [M-R7] */
        return r->service_glob != NULL &&
               glob_match(r->service_glob, e->action, e->service_len, e->s->glob);
    const iam_str *res = &e->req->resource;
    if (r->tmpl == NULL)
        return glob_match(r->glob, res->ptr, res->len, e->s->glob);
    bool unresolved;
    size_t n = template_resolve(r->tmpl, e->s, &unresolved);
    if (n == (size_t)-1) {
        e->limit_hit = true;
        return false;
    }
    if (unresolved)
        return false;   /* [V-U2]: matches nothing, excludes nothing */
    if (r->tmpl->literal_only)
        return template_match_literal(r->tmpl, e->s->pieces, n, res->ptr, res->len);
    int m = template_glob_match(e->s, n, GLOB_RESOURCE, res->ptr, res->len);
    if (m < 0)
        e->limit_hit = true;
    return m > 0;
}

static bool resource_matches(const statement *st, eval_state *e)
{
    if (st->any_resource)
        return true;
    bool any = false;
    for (uint32_t i = 0; i < st->resource_count && !any; i++)
        any = resource_pattern_matches(&st->resources[i], e);
    return st->not_resource ? !any : any;
}

static bool conditions_hold(const statement *st, eval_state *e)
{
    for (uint32_t i = 0; i < st->condition_count; i++)
        if (!condition_pair_holds(&st->conditions[i], e->s, &e->limit_hit))
            return false;
    return true;
}

static bool same_partition_account(const principal_entry *pe, const principal_info *p)
{
    if (p->kind == PK_SERVICE || memcmp(pe->account, p->account.ptr, 12) != 0)
        return false;
    return pe->partition == NULL || str_equal(pe->partition, pe->partition_len, p->partition.ptr, p->partition.len);
}

/* The class through which one entry matches the caller (spec 2.5, 5.5). */
static grant_class entry_class(const principal_entry *pe, const eval_state *e)
{
    const principal_info *p = e->p;
    switch ((principal_entry_kind)pe->kind) {
    case PE_ANY:
        return GC_WILDCARD;
    case PE_ACCOUNT:
        return same_partition_account(pe, p) ? GC_ACCOUNT : GC_NONE;
    case PE_USER:
        if (p->kind == PK_USER && str_equal(pe->text, pe->len, p->arn.ptr, p->arn.len))
            return GC_DIRECT;
        if (p->kind == PK_FEDERATED && e->req->federated_by.ptr != NULL &&
            str_equal(pe->text, pe->len, e->req->federated_by.ptr, e->req->federated_by.len))
            return GC_PARENT;   /* [M-P7] */
        return GC_NONE;
    case PE_ROLE:
        if (p->kind == PK_ROLE && str_equal(pe->text, pe->len, p->arn.ptr, p->arn.len))
            return GC_PARENT;
        if (p->kind == PK_SESSION && same_partition_account(pe, p) &&
            str_equal(pe->role_name, pe->role_name_len, p->name.ptr, p->name.len))
            return GC_PARENT;   /* [M-P4] */
        return GC_NONE;
    case PE_SESSION:
        return p->kind == PK_SESSION && str_equal(pe->text, pe->len, p->arn.ptr, p->arn.len) ? GC_DIRECT : GC_NONE;
    case PE_FEDERATED_USER:
        return p->kind == PK_FEDERATED && str_equal(pe->text, pe->len, p->arn.ptr, p->arn.len) ? GC_DIRECT
                                                                                                : GC_NONE;
    case PE_SERVICE:
        return p->kind == PK_SERVICE && str_equal(pe->text, pe->len, p->arn.ptr, p->arn.len) ? GC_SERVICE
                                                                                              : GC_NONE;
    case PE_NEVER:
        return GC_NONE;
    }
    return GC_NONE;
}

static int class_rank(grant_class c)
{
    return c == GC_WILDCARD ? GC_DIRECT : (int)c;
}

/* The strongest class through which any Principal entry matches [E-G]. */
static grant_class strongest_class(const statement *st, const eval_state *e)
{
    int best = GC_NONE;
    grant_class best_class = GC_NONE;
    for (uint32_t i = 0; i < st->principal_count; i++) {
        grant_class c = entry_class(&st->principals[i], e);
        if (class_rank(c) > best) {
            best = class_rank(c);
            best_class = c;
        }
    }
    return best_class;
}

/* [M-NP1]: the caller is covered only if every link of its chain is listed. */
static bool not_principal_covers(const statement *st, const eval_state *e)
{
    const principal_info *p = e->p;
    bool self = false, role = false, account = false;
    for (uint32_t i = 0; i < st->principal_count; i++) {
        const principal_entry *pe = &st->principals[i];
        switch ((principal_entry_kind)pe->kind) {
        case PE_ANY:
            return true;
        case PE_ACCOUNT:
            account |= same_partition_account(pe, p);
            break;
        case PE_USER:
            self |= p->kind == PK_USER && str_equal(pe->text, pe->len, p->arn.ptr, p->arn.len);
            break;
        case PE_ROLE:
            if (p->kind == PK_ROLE)
                self |= str_equal(pe->text, pe->len, p->arn.ptr, p->arn.len);
            else if (p->kind == PK_SESSION)
                role |= same_partition_account(pe, p) &&
                        str_equal(pe->role_name, pe->role_name_len, p->name.ptr, p->name.len);
            break;
        case PE_SESSION:
        case PE_FEDERATED_USER:
            self |= (p->kind == PK_SESSION || p->kind == PK_FEDERATED) &&
                    str_equal(pe->text, pe->len, p->arn.ptr, p->arn.len);
            break;
        case PE_SERVICE:
            self |= p->kind == PK_SERVICE && str_equal(pe->text, pe->len, p->arn.ptr, p->arn.len);
            break;
        case PE_NEVER:
            break;
        }
    }
    switch (p->kind) {
    case PK_USER:
    case PK_ROLE:
    case PK_FEDERATED: return self && account;
    case PK_SESSION: return self && role && account;
    case PK_ROOT: return account;
    case PK_SERVICE: return self;
    }
    return false;
}

/* Whether a statement applies; for a resource-policy Allow, *cls says how its
 * principal part matched. */
/* Whether a statement whose action part already matched applies. */
static bool statement_applies_past_action(const statement *st, eval_state *e, grant_class *cls)
{
    *cls = GC_NONE;
    if (!resource_matches(st, e))
        return false;
    if (st->has_principal) {
        if (st->not_principal) {
            /* [M-NP3]: a boundary makes every NotPrincipal Deny apply. */
            if (!e->boundary_present && not_principal_covers(st, e))
                return false;
        } else {
            *cls = strongest_class(st, e);
            if (*cls == GC_NONE)
                return false;
        }
    }
    return conditions_hold(st, e);
}

typedef struct layer_verdict {
    bool allow;
    bool deny;
    /* resource policies: the classes of applicable Allows */
    bool direct_or_wildcard, parent, account, service;
} layer_verdict;

typedef struct verdicts {
    layer_verdict layer[LAYER_COUNT];
    bool scp_level_allow[IAM_MAX_LEVELS_HARD];
    bool any_deny;
} verdicts;

static void record(const stmt_ref *r, grant_class cls, verdicts *v)
{
    layer_verdict *lv = &v->layer[r->layer];
    if (!r->st->allow) {
        lv->deny = true;
        v->any_deny = true;
        return;
    }
    lv->allow = true;
    if (r->layer == LAYER_SCP)
        v->scp_level_allow[r->level] = true;
    switch (cls) {
    case GC_DIRECT: lv->direct_or_wildcard = true; break;
    case GC_WILDCARD: lv->direct_or_wildcard = lv->service = true; break;   /* "*" names services too [E-X2] */
    case GC_PARENT: lv->parent = true; break;
    case GC_ACCOUNT: lv->account = true; break;
    case GC_SERVICE: lv->service = true; break;
    case GC_NONE: break;
    }
}

/* Evaluates the statements that can match the action (the index's
 * candidates; every statement when the candidate buffer is too small),
 * stopping at the first explicit deny, which decides alone. */
static void collect_verdicts(const iam_policy_set *set, eval_state *e, const bool applies[LAYER_COUNT],
                             verdicts *v)
{
    iam_scratch *s = e->s;
    size_t n = index_candidates(set, e->action, e->action_len, e->service_len, s->glob, s->candidates,
                                s->candidates_tmp, s->candidate_cap);
    bool all = n == (size_t)-1;
    if (all)
        n = set->stmt_count;
    for (size_t i = 0; i < n && !v->any_deny; i++) {
        const stmt_ref *r = &set->stmts[all ? i : s->candidates[i]];
        if (!applies[r->layer])
            continue;
        const statement *st = r->st;
        /* The index resolved Action and NotAction; a full scan has not. */
        if (all && !action_matches(st, e))
            continue;
        grant_class cls;
        if (statement_applies_past_action(st, e, &cls))
            record(r, cls, v);
    }
}

/* Notes the keys a template needs that the request lacks. */
static void trace_template_keys(const iam_template *t, eval_state *e, iam_explanation *x)
{
    for (uint32_t i = 0; t != NULL && i < t->count; i++) {
        const tmpl_part *p = &t->parts[i];
        if (p->kind != TP_VARIABLE || p->has_default)
            continue;
        ctx_lookup v = context_get(e->s, p->text, p->len, &p->key);
        if (!v.present)
            explain_missing_key(x, p->text, p->len);
    }
}

/* The explaining twin of collect_verdicts: every statement of every layer
 * that applies, each part evaluated and traced, nothing skipped. */
static iam_status trace_verdicts(const iam_policy_set *set, eval_state *e, const bool applies[LAYER_COUNT],
                                 verdicts *v, iam_explanation *x)
{
    for (uint32_t id = 0; id < set->stmt_count; id++) {
        const stmt_ref *r = &set->stmts[id];
        if (!applies[r->layer])
            continue;
        const statement *st = r->st;
        stmt_trace *t = explain_trace(x, id);
        if (t == NULL)
            return IAM_ERR_NOMEM;
        t->action = action_matches(st, e);
        t->resource = resource_matches(st, e);
        for (uint32_t k = 0; k < st->resource_count && t->action; k++)
            trace_template_keys(st->resources[k].tmpl, e, x);
        grant_class cls = GC_NONE;
        t->principal = -1;
        if (st->has_principal) {
            if (st->not_principal) {
                t->not_principal_by_boundary = e->boundary_present;
                t->principal = e->boundary_present || !not_principal_covers(st, e);
            } else {
                cls = strongest_class(st, e);
                t->principal = cls != GC_NONE;
            }
        }
        t->failed_pair = -1;
        t->conditions = true;
        if (t->action) {
            /* Conditions of statements whose action matched are what decides
             * and what names the missing keys. */
            t->conditions_evaluated = true;
            for (uint32_t k = 0; k < st->condition_count; k++) {
                const cond_pair *pair = &st->conditions[k];
                ctx_lookup cv = context_get(e->s, pair->key, pair->key_len, &pair->key_info);
                if (!cv.present && pair->base != OP_NULL)
                    explain_missing_key(x, pair->key, pair->key_len);
                for (uint32_t j = 0; j < pair->value_count; j++)
                    trace_template_keys(pair->values[j].tmpl, e, x);
                if (!condition_pair_holds(pair, e->s, &e->limit_hit) && t->failed_pair < 0) {
                    t->conditions = false;
                    t->failed_pair = (int32_t)k;
                    t->failed_missing = !cv.present;
                    if (cv.present)
                        t->failed_values = explain_copy_values(x, cv.values, cv.count);
                    t->failed_value_count = cv.present ? cv.count : 0;
                }
            }
        }
        t->applies = t->action && t->resource && t->principal != 0 && t->conditions;
        if (t->applies) {
            t->grant = (uint8_t)cls;
            record(r, cls, v);
        }
    }
    return IAM_OK;
}

static bool folded_equals(const eval_state *e, const char *lit)
{
    return str_equal(e->action, e->action_len, lit, strlen(lit));
}

/* [E-K1]: actions whose resource policy must grant even within one account. */
static bool resource_policy_required(const eval_state *e)
{
    if (folded_equals(e, "sts:assumerole") || folded_equals(e, "sts:assumerolewithsaml") ||
        folded_equals(e, "sts:assumerolewithwebidentity"))
        return true;
    if (e->service_len != 3 || memcmp(e->action, "kms", 3) != 0 || e->resource_star)
        return false;
    /* arn:P:kms:R:A:key/... */
    iam_str f[6];
    const iam_str *r = &e->req->resource;
    return arn_split(r->ptr, r->len, f) && f[2].len == 3 && memcmp(f[2].ptr, "kms", 3) == 0 &&
           f[5].len >= 4 && memcmp(f[5].ptr, "key/", 4) == 0;
}

static iam_str resource_account(const iam_request *req, const principal_info *p)
{
    if (req->resource_account.ptr != NULL)
        return req->resource_account;
    iam_str f[6];
    if (arn_split(req->resource.ptr, req->resource.len, f) && f[4].len > 0)
        return f[4];
    return p->account;   /* [M-N6] */
}

static bool is_iam_principal(const principal_info *p)
{
    return p->kind != PK_SERVICE;
}

static iam_status finish(iam_decision *decision, iam_explanation *x, iam_decision d)
{
    *decision = d;
    if (x != NULL)
        x->decision = d;
    return IAM_OK;
}

/* Decides req against set; with x, also explains the decision. */
static iam_status evaluate_core(const iam_policy_set *set, const iam_request *req, iam_scratch *scratch,
                                iam_decision *decision, iam_explanation *x, iam_error *err)
{
    if (set == NULL || req == NULL || scratch == NULL || decision == NULL)
        return error_set(err, IAM_ERR_ARGUMENT, "", NULL, "", "set, req, scratch and decision are required");
    iam_status st = request_prepare(req, scratch, err);
    if (st != IAM_OK)
        return st;
    eval_state e;
    e.req = req;
    e.s = scratch;
    e.p = &scratch->principal;
    e.limit_hit = false;
    e.boundary_present = set->boundary != NULL;
    const principal_info *p = e.p;

    /* [E-I1]: policies that cannot be attached to this principal. */
    if ((p->kind == PK_ROOT || p->kind == PK_SERVICE) &&
        (set->identity_count > 0 || set->boundary != NULL || set->session != NULL))
        return error_set(err, IAM_ERR_REQUEST, "", NULL, "",
                         "a %s cannot have identity policies, a permissions boundary or a session policy [E-I1]",
                         p->kind == PK_ROOT ? "root user" : "service principal");
    if (p->kind == PK_USER && set->session != NULL)
        return error_set(err, IAM_ERR_REQUEST, "", NULL, "",
                         "an IAM user cannot have a session policy: only role sessions and federated users do [E-I1]");

    size_t folded = lit_fold(req->action.ptr, req->action.len, e.action, sizeof e.action);
    if (folded == (size_t)-1)
        return error_set(err, IAM_ERR_LIMIT, "", NULL, "", "action is longer than %d bytes, the limit", ACTION_MAX);
    e.action_len = folded;
    e.service_len = (size_t)((const char *)memchr(e.action, ':', e.action_len) - e.action);
    e.resource_star = req->resource.len == 1 && req->resource.ptr[0] == '*';
    if (x != NULL && explain_begin(x, set, req) != IAM_OK)
        return error_set(err, IAM_ERR_NOMEM, "", NULL, "", "out of memory");

    /* Step 0: calls no policy controls [E-K4], [E-K5]. */
    if (is_iam_principal(p)) {
        if (folded_equals(&e, "sts:getcalleridentity")) {
            if (x)
                explain_reason_add(x, RC_CALLER_IDENTITY, 0);
            return finish(decision, x, IAM_ALLOWED);
        }
        if (folded_equals(&e, "sts:getsessiontoken")) {
            bool ok = p->kind == PK_USER || p->kind == PK_ROOT;
            if (x)
                explain_reason_add(x, ok ? RC_SESSION_TOKEN_ALLOWED : RC_SESSION_TOKEN_DENIED, 0);
            return finish(decision, x, ok ? IAM_ALLOWED : IAM_IMPLICIT_DENY);
        }
    }

    iam_str res_account = resource_account(req, p);
    const iam_str *mgmt = &req->management_account;
    bool same_account = is_iam_principal(p) && str_equal(p->account.ptr, p->account.len,
                                                         res_account.ptr, res_account.len);
    bool slr = p->service_linked;
    bool scps_apply = set->scps_present && is_iam_principal(p) && !slr &&
                      !(mgmt->ptr && str_equal(mgmt->ptr, mgmt->len, p->account.ptr, p->account.len));
    bool rcps_apply = set->rcps_present && !slr &&
                      !(mgmt->ptr && str_equal(mgmt->ptr, mgmt->len, res_account.ptr, res_account.len));
    bool applies[LAYER_COUNT] = {
        [LAYER_RCP] = rcps_apply, [LAYER_SCP] = scps_apply, [LAYER_RESOURCE] = true,
        [LAYER_IDENTITY] = is_iam_principal(p), [LAYER_BOUNDARY] = is_iam_principal(p),
        [LAYER_SESSION] = is_iam_principal(p),
    };
    verdicts v;
    memset(&v, 0, sizeof v);
    if (x != NULL) {
        memcpy(x->layer_applies, applies, sizeof applies);
        x->same_account = same_account;
        if (trace_verdicts(set, &e, applies, &v, x) != IAM_OK)
            return error_set(err, IAM_ERR_NOMEM, "", NULL, "", "out of memory");
    } else {
        collect_verdicts(set, &e, applies, &v);
    }
    if (e.limit_hit)
        return error_set(err, IAM_ERR_LIMIT, "", NULL, "",
                         "a pattern built from policy variables exceeds the evaluation buffer");
    const layer_verdict *identity = &v.layer[LAYER_IDENTITY], *boundary = &v.layer[LAYER_BOUNDARY],
                        *session = &v.layer[LAYER_SESSION], *resource = &v.layer[LAYER_RESOURCE];

    /* Step 1: an explicit deny anywhere wins [E-D1]. */
    if (v.any_deny) {
        if (x)
            explain_reason_add(x, RC_EXPLICIT_DENY, 0);
        return finish(decision, x, IAM_EXPLICIT_DENY);
    }
    /* Step 2: the RCP gate always passes: RCPFullAWSAccess is implied [E-R2].
     * Step 3: every SCP level must allow [E-S1], [E-S2]. */
    bool scp_gate = true;
    for (uint32_t l = 0; scps_apply && l < set->scp_levels; l++)
        if (!v.scp_level_allow[l]) {
            scp_gate = false;
            if (x)
                explain_reason_add(x, RC_SCP_LEVEL_NO_ALLOW, l);
            else
                break;
        }
    if (!scp_gate)
        return finish(decision, x, IAM_IMPLICIT_DENY);

    /* Step 4: grants. */
    if (p->kind == PK_SERVICE) {
        if (x)
            explain_reason_add(x, resource->service ? RC_ALLOWED_SERVICE : RC_SERVICE_NO_GRANT, 0);
        return finish(decision, x, resource->service ? IAM_ALLOWED : IAM_IMPLICIT_DENY);   /* [E-X2] */
    }
    bool id_ok = p->kind == PK_ROOT || identity->allow;
    bool pb_ok = set->boundary == NULL || boundary->allow;
    bool sp_ok;
    if (p->kind == PK_SESSION || p->kind == PK_ROLE)
        sp_ok = set->session == NULL || session->allow;
    else if (p->kind == PK_FEDERATED)
        sp_ok = set->session != NULL && session->allow;   /* [E-SP] */
    else
        sp_ok = true;
    bool any_grant = resource->direct_or_wildcard || resource->parent || resource->account;
    bool allowed;
    reason_code why = RC_IDENTITY_NO_ALLOW;
    if (same_account) {
        bool needs_resource = resource_policy_required(&e);   /* [E-K2] */
        bool path_c = id_ok && pb_ok && sp_ok && (!needs_resource || any_grant);
        bool path_b = resource->parent && pb_ok && sp_ok;
        allowed = resource->direct_or_wildcard || path_b || path_c;
        why = resource->direct_or_wildcard ? RC_ALLOWED_DIRECT
              : path_b                     ? RC_ALLOWED_PARENT
              : path_c                     ? (p->kind == PK_ROOT ? RC_ALLOWED_ROOT : RC_ALLOWED_IDENTITY)
                                           : RC_IDENTITY_NO_ALLOW;
        if (x != NULL && !allowed && needs_resource && !any_grant)
            explain_reason_add(x, RC_RESOURCE_POLICY_REQUIRED, 0);
    } else {
        allowed = any_grant && id_ok && pb_ok && sp_ok;   /* [E-CA1], [E-CA2] */
        why = RC_ALLOWED_CROSS_ACCOUNT;
        if (x != NULL && !any_grant)
            explain_reason_add(x, RC_CROSS_RESOURCE_NO_GRANT, 0);
    }
    if (x != NULL) {
        if (allowed) {
            explain_reason_add(x, why, 0);
        } else {
            if (!id_ok)
                explain_reason_add(x, RC_IDENTITY_NO_ALLOW, 0);
            if (!pb_ok)
                explain_reason_add(x, RC_BOUNDARY_NO_ALLOW, 0);
            if (!sp_ok)
                explain_reason_add(x, p->kind == PK_FEDERATED && set->session == NULL
                                          ? RC_FEDERATED_NO_SESSION_POLICY : RC_SESSION_NO_ALLOW, 0);
        }
    }
    return finish(decision, x, allowed ? IAM_ALLOWED : IAM_IMPLICIT_DENY);
}

iam_status iam_evaluate(const iam_policy_set *set, const iam_request *req, iam_scratch *scratch,
                        iam_decision *decision, iam_error *err)
{
    return evaluate_core(set, req, scratch, decision, NULL, err);
}

iam_status iam_evaluate_explain(const iam_policy_set *set, const iam_request *req, iam_scratch *scratch,
                                iam_decision *decision, iam_explanation *explanation, iam_error *err)
{
    if (explanation == NULL)
        return error_set(err, IAM_ERR_ARGUMENT, "", NULL, "", "explanation is NULL");
    return evaluate_core(set, req, scratch, decision, explanation, err);
}
