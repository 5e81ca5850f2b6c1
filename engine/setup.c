/* Assembling one principal's situation and freezing it into a policy set. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static iam_status list_push(policy_list *l, const iam_policy *p)
{
    if (l->count == l->capacity) {
        size_t cap = l->capacity ? 2 * l->capacity : 4;
        const iam_policy **items = realloc(l->items, cap * sizeof *items);
        if (items == NULL)
            return IAM_ERR_NOMEM;
        l->items = items;
        l->capacity = cap;
    }
    l->items[l->count++] = p;
    return IAM_OK;
}

iam_status iam_setup_create(iam_setup **out)
{
    if (out == NULL)
        return IAM_ERR_ARGUMENT;
    *out = calloc(1, sizeof **out);
    return *out ? IAM_OK : IAM_ERR_NOMEM;
}

static void free_levels(policy_list *levels, unsigned n)
{
    for (unsigned i = 0; levels && i < n; i++)
        free(levels[i].items);
    free(levels);
}

void iam_setup_free(iam_setup *setup)
{
    if (setup == NULL)
        return;
    free(setup->identity.items);
    free_levels(setup->scp, setup->scp_levels);
    free_levels(setup->rcp, setup->rcp_levels);
    free(setup);
}

iam_status iam_setup_set_levels(iam_setup *setup, iam_policy_type type, unsigned levels, iam_error *err)
{
    if (setup == NULL || (type != IAM_POLICY_SCP && type != IAM_POLICY_RCP))
        return error_set(err, IAM_ERR_ARGUMENT, "", NULL, "", "levels exist only for SCPs and RCPs");
    if (levels > IAM_MAX_LEVELS_HARD)
        return error_set(err, IAM_ERR_LIMIT, "", NULL, "", "%u levels, more than %d", levels,
                         IAM_MAX_LEVELS_HARD);
    policy_list **lists = type == IAM_POLICY_SCP ? &setup->scp : &setup->rcp;
    unsigned *count = type == IAM_POLICY_SCP ? &setup->scp_levels : &setup->rcp_levels;
    policy_list *fresh = calloc(levels ? levels : 1, sizeof *fresh);
    if (fresh == NULL)
        return error_set(err, IAM_ERR_NOMEM, "", NULL, "", "out of memory");
    for (unsigned i = 0; i < levels && i < *count; i++) {
        fresh[i] = (*lists)[i];
        (*lists)[i] = (policy_list){0};
    }
    free_levels(*lists, *count);
    *lists = fresh;
    *count = levels;
    if (type == IAM_POLICY_SCP)
        setup->scps_present = true;
    else
        setup->rcps_present = true;
    return IAM_OK;
}

iam_status iam_setup_add(iam_setup *setup, const iam_policy *policy, unsigned level, iam_error *err)
{
    if (setup == NULL || policy == NULL)
        return error_set(err, IAM_ERR_ARGUMENT, "", NULL, "", "setup or policy is NULL");
    const iam_policy **single = NULL;
    switch (policy->type) {
    case IAM_POLICY_IDENTITY:
        return list_push(&setup->identity, policy) == IAM_OK
                   ? IAM_OK : error_set(err, IAM_ERR_NOMEM, "", NULL, "", "out of memory");
    case IAM_POLICY_BOUNDARY: single = &setup->boundary; break;
    case IAM_POLICY_SESSION: single = &setup->session; break;
    case IAM_POLICY_RESOURCE: single = &setup->resource; break;
    case IAM_POLICY_SCP:
    case IAM_POLICY_RCP: {
        bool scp = policy->type == IAM_POLICY_SCP;
        unsigned n = scp ? setup->scp_levels : setup->rcp_levels;
        if (level >= n)
            return error_set(err, IAM_ERR_ARGUMENT, "", NULL, "",
                             "%s level %u was not declared (%u levels)", scp ? "SCP" : "RCP", level, n);
        policy_list *l = &(scp ? setup->scp : setup->rcp)[level];
        return list_push(l, policy) == IAM_OK
                   ? IAM_OK : error_set(err, IAM_ERR_NOMEM, "", NULL, "", "out of memory");
    }
    }
    if (*single != NULL)
        return error_set(err, IAM_ERR_ARGUMENT, "", NULL, "", "a setup holds one %s policy",
                         iam_policy_type_name(policy->type));
    *single = policy;
    return IAM_OK;
}

static iam_status copy_list(arena *a, const policy_list *l, const iam_policy ***out, uint32_t *count)
{
    *count = (uint32_t)l->count;
    *out = arena_calloc(a, l->count ? l->count : 1, sizeof **out);
    if (*out == NULL)
        return IAM_ERR_NOMEM;
    if (l->count)
        memcpy((void *)*out, l->items, l->count * sizeof **out);
    return IAM_OK;
}

static iam_status copy_levels(arena *a, const policy_list *levels, unsigned n,
                              const iam_policy ****out, uint32_t **counts)
{
    *out = arena_calloc(a, n ? n : 1, sizeof **out);
    *counts = arena_calloc(a, n ? n : 1, sizeof **counts);
    if (*out == NULL || *counts == NULL)
        return IAM_ERR_NOMEM;
    for (unsigned i = 0; i < n; i++)
        if (copy_list(a, &levels[i], &(*out)[i], &(*counts)[i]) != IAM_OK)
            return IAM_ERR_NOMEM;
    return IAM_OK;
}

/* Appends the statements of one policy to set->stmts (capacity ensured). */
static void add_statements(iam_policy_set *set, const iam_policy *p, layer_id layer, uint32_t level,
                           uint32_t policy_index)
{
    for (uint32_t i = 0; i < p->statement_count; i++)
        set->stmts[set->stmt_count++] = (stmt_ref){&p->statements[i], p, (uint8_t)layer, (uint8_t)level,
                                                   policy_index};
}

/* Lays every statement out in AWS's layer order (spec 5.4), so that a
 * sorted list of statement ids is also the order explanations use. */
static iam_status collect_statements(iam_policy_set *set)
{
    size_t n = 0;
    for (uint32_t l = 0; l < set->rcp_levels; l++)
        for (uint32_t i = 0; i < set->rcp_counts[l]; i++)
            n += set->rcp[l][i]->statement_count;
    for (uint32_t l = 0; l < set->scp_levels; l++)
        for (uint32_t i = 0; i < set->scp_counts[l]; i++)
            n += set->scp[l][i]->statement_count;
    for (uint32_t i = 0; i < set->identity_count; i++)
        n += set->identity[i]->statement_count;
    const iam_policy *singles[3] = {set->resource, set->boundary, set->session};
    for (int k = 0; k < 3; k++)
        n += singles[k] ? singles[k]->statement_count : 0;
    if (n > UINT32_MAX / 2)
        return IAM_ERR_LIMIT;
    set->stmts = arena_calloc(&set->arena, n ? n : 1, sizeof *set->stmts);
    if (set->stmts == NULL)
        return IAM_ERR_NOMEM;
    for (uint32_t l = 0; l < set->rcp_levels; l++)
        for (uint32_t i = 0; i < set->rcp_counts[l]; i++)
            add_statements(set, set->rcp[l][i], LAYER_RCP, l, i);
    for (uint32_t l = 0; l < set->scp_levels; l++)
        for (uint32_t i = 0; i < set->scp_counts[l]; i++)
            add_statements(set, set->scp[l][i], LAYER_SCP, l, i);
    if (set->resource)
        add_statements(set, set->resource, LAYER_RESOURCE, 0, 0);
    for (uint32_t i = 0; i < set->identity_count; i++)
        add_statements(set, set->identity[i], LAYER_IDENTITY, 0, i);
    if (set->boundary)
        add_statements(set, set->boundary, LAYER_BOUNDARY, 0, 0);
    if (set->session)
        add_statements(set, set->session, LAYER_SESSION, 0, 0);
    return IAM_OK;
}

iam_status iam_policy_set_compile(iam_policy_set **out, const iam_setup *setup,
                                  const iam_limits *limits, iam_error *err)
{
    if (out == NULL || setup == NULL)
        return error_set(err, IAM_ERR_ARGUMENT, "", NULL, "", "out or setup is NULL");
    *out = NULL;
    iam_limits defaults;
    limits = limits_or_default(limits, &defaults);
    if (setup->identity.count > limits->max_policies_per_layer)
        return error_set(err, IAM_ERR_LIMIT, "", NULL, "", "%zu identity policies, more than the limit of %u",
                         setup->identity.count, (unsigned)limits->max_policies_per_layer);
    for (int t = 0; t < 2; t++) {
        unsigned n = t ? setup->rcp_levels : setup->scp_levels;
        const policy_list *lv = t ? setup->rcp : setup->scp;
        if (n > limits->max_levels)
            return error_set(err, IAM_ERR_LIMIT, "", NULL, "", "%u %s levels, more than the limit of %u", n,
                             t ? "RCP" : "SCP", (unsigned)limits->max_levels);
        for (unsigned i = 0; i < n; i++)
            if (lv[i].count > limits->max_policies_per_layer)
                return error_set(err, IAM_ERR_LIMIT, "", NULL, "",
                                 "%zu policies at %s level %u, more than the limit of %u", lv[i].count,
                                 t ? "RCP" : "SCP", i, (unsigned)limits->max_policies_per_layer);
    }
    iam_policy_set *set = calloc(1, sizeof *set);
    if (set == NULL)
        return error_set(err, IAM_ERR_NOMEM, "", NULL, "", "out of memory");
    arena_init(&set->arena);
    set->boundary = setup->boundary;
    set->session = setup->session;
    set->resource = setup->resource;
    set->scps_present = setup->scps_present;
    set->rcps_present = setup->rcps_present;
    set->scp_levels = setup->scp_levels;
    set->rcp_levels = setup->rcp_levels;
    if (copy_list(&set->arena, &setup->identity, &set->identity, &set->identity_count) != IAM_OK ||
        copy_levels(&set->arena, setup->scp, setup->scp_levels, &set->scp, &set->scp_counts) != IAM_OK ||
        copy_levels(&set->arena, setup->rcp, setup->rcp_levels, &set->rcp, &set->rcp_counts) != IAM_OK) {
        iam_policy_set_free(set);
        return error_set(err, IAM_ERR_NOMEM, "", NULL, "", "out of memory");
    }
    if (collect_statements(set) != IAM_OK || index_build(set) != IAM_OK) {
        iam_policy_set_free(set);
        return error_set(err, IAM_ERR_NOMEM, "", NULL, "", "out of memory");
    }
    *out = set;
    return IAM_OK;
}

void iam_policy_set_free(iam_policy_set *set)
{
    if (set == NULL)
        return;
    arena_release(&set->arena);
    free(set);
}
