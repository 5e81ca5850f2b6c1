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
        any = a->any || glob_match(a->glob, e->action, e->action_len, e->s->glob);
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
    size_t ne = glob_parse_pieces(e->s->pieces, n, GLOB_RESOURCE, e->s->elems, e->s->elem_cap);
    if (ne == (size_t)-1) {
        e->limit_hit = true;
        return false;
    }
    return glob_match_elems(e->s->elems, ne, res->ptr, res->len);
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
            int best = GC_NONE;
            grant_class best_class = GC_NONE;
            for (uint32_t i = 0; i < st->principal_count; i++) {
                grant_class c = entry_class(&st->principals[i], e);
                if (class_rank(c) > best) {
                    best = class_rank(c);
                    best_class = c;
                }
            }
            if (best_class == GC_NONE)
                return false;
            *cls = best_class;
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
        /* Indexed statements matched their action already; only NotAction
         * and full scans need the check. */
        if ((all || st->not_action) && !action_matches(st, e))
            continue;
        grant_class cls;
        if (statement_applies_past_action(st, e, &cls))
            record(r, cls, v);
    }
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
    const iam_str *r = &e->req->resource;
    unsigned colons = 0;
    size_t i = 0;
    for (; i < r->len && colons < 5; i++)
        colons += r->ptr[i] == ':';
    /* arn:P:kms:R:A:key/... */
    size_t s2 = 0, s3 = 0;
    unsigned c = 0;
    for (size_t k = 0; k < r->len; k++)
        if (r->ptr[k] == ':') {
            c++;
            if (c == 2)
                s2 = k;
            if (c == 3) {
                s3 = k;
                break;
            }
        }
    bool kms_arn = s3 == s2 + 4 && memcmp(r->ptr + s2 + 1, "kms", 3) == 0;
    return kms_arn && r->len - i >= 4 && memcmp(r->ptr + i, "key/", 4) == 0;
}

static iam_str resource_account(const iam_request *req, const principal_info *p)
{
    if (req->resource_account.ptr != NULL)
        return req->resource_account;
    const iam_str *r = &req->resource;
    if (!(r->len == 1 && r->ptr[0] == '*')) {
        size_t start = 0;
        unsigned c = 0;
        for (size_t i = 0; i < r->len; i++)
            if (r->ptr[i] == ':') {
                c++;
                if (c == 4)
                    start = i + 1;
                if (c == 5) {
                    if (i > start)
                        return (iam_str){r->ptr + start, i - start};
                    break;
                }
            }
    }
    return p->account;   /* [M-N6] */
}

static bool is_iam_principal(const principal_info *p)
{
    return p->kind != PK_SERVICE;
}

iam_status iam_evaluate(const iam_policy_set *set, const iam_request *req, iam_scratch *scratch,
                        iam_decision *decision, iam_error *err)
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
        return error_set(err, IAM_ERR_LIMIT, "", NULL, "", "action is longer than %d bytes", ACTION_MAX);
    e.action_len = folded;
    e.service_len = (size_t)((const char *)memchr(e.action, ':', e.action_len) - e.action);
    e.resource_star = req->resource.len == 1 && req->resource.ptr[0] == '*';

    /* Step 0: calls no policy controls [E-K4], [E-K5]. */
    if (is_iam_principal(p)) {
        if (folded_equals(&e, "sts:getcalleridentity")) {
            *decision = IAM_ALLOWED;
            return IAM_OK;
        }
        if (folded_equals(&e, "sts:getsessiontoken")) {
            *decision = p->kind == PK_USER || p->kind == PK_ROOT ? IAM_ALLOWED : IAM_IMPLICIT_DENY;
            return IAM_OK;
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
    collect_verdicts(set, &e, applies, &v);
    if (e.limit_hit)
        return error_set(err, IAM_ERR_LIMIT, "", NULL, "",
                         "a pattern built from policy variables exceeds the evaluation buffer");
    const layer_verdict *identity = &v.layer[LAYER_IDENTITY], *boundary = &v.layer[LAYER_BOUNDARY],
                        *session = &v.layer[LAYER_SESSION], *resource = &v.layer[LAYER_RESOURCE];

    /* Step 1: an explicit deny anywhere wins [E-D1]. */
    if (v.any_deny) {
        *decision = IAM_EXPLICIT_DENY;
        return IAM_OK;
    }
    /* Step 2: the RCP gate always passes: RCPFullAWSAccess is implied [E-R2].
     * Step 3: every SCP level must allow [E-S1], [E-S2]. */
    if (scps_apply) {
        for (uint32_t l = 0; l < set->scp_levels; l++)
            if (!v.scp_level_allow[l]) {
                *decision = IAM_IMPLICIT_DENY;
                return IAM_OK;
            }
    }
    /* Step 4: grants. */
    bool allowed = false;
    if (p->kind == PK_SERVICE) {
        allowed = resource->service;   /* [E-X2] */
    } else {
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
        if (same_account) {
            bool path_c = id_ok && pb_ok && sp_ok;
            if (resource_policy_required(&e))   /* [E-K2] */
                path_c = path_c && any_grant;
            allowed = resource->direct_or_wildcard || (resource->parent && pb_ok && sp_ok) || path_c;
        } else {
            allowed = any_grant && id_ok && pb_ok && sp_ok;   /* [E-CA1], [E-CA2] */
        }
    }
    *decision = allowed ? IAM_ALLOWED : IAM_IMPLICIT_DENY;
    return IAM_OK;
}
