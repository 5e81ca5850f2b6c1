/* The action index of a policy set. A statement with Action lists its
 * patterns in one table: exact names hashed on the folded name, wildcard
 * patterns bucketed by their (literal) service prefix; one with the pattern
 * "*" goes to the "always" list. A NotAction statement goes to "always" and
 * its patterns to a second table, whose hits are taken out of "always" (and
 * one whose NotAction holds "*" goes nowhere: it never applies). A request
 * action then costs two exact lookups, two buckets of globs for its service
 * and a pass over the always list, whatever the size of the set, and the
 * evaluator checks no action element itself. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct pending {
    const char *key;
    uint32_t key_len;
    uint32_t stmt;
    const action_pattern *pattern;   /* wildcard entries */
} pending;

/* Eight bytes a step: a request hashes its action and service in each of
 * the index's tables, and action names run to thirty bytes and more. */
static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = (uint64_t)len * UINT64_C(0x9E3779B97F4A7C15), w;
    if (len >= 8) {
        /* Whole words, then the last eight bytes (overlapping or not). */
        for (size_t i = 0; i + 8 < len; i += 8) {
            memcpy(&w, s + i, 8);
            h = (h ^ w) * UINT64_C(0xBF58476D1CE4E5B9);
            h ^= h >> 29;
        }
        memcpy(&w, s + len - 8, 8);
    } else {
        w = 0;
        for (size_t i = 0; i < len; i++)
            w |= (uint64_t)(unsigned char)s[i] << (8 * i);
    }
    h = (h ^ w) * UINT64_C(0xBF58476D1CE4E5B9);
    return h ^ (h >> 32);
}

static bool same_key(const pending *x, const pending *y)
{
    return x->key_len == y->key_len && memcmp(x->key, y->key, x->key_len) == 0;
}

/* Groups entries by key into an open-addressing table; with `ids` each
 * entry's statement id is stored (duplicates within a key dropped), with
 * `wild` its glob too. Entries arrive in statement order and keep it within
 * their key, so grouping is two passes over a hash table, without sorting
 * (which cost a sixth of compiling all managed policies). */
static bool build_table(arena *a, const pending *items, size_t n, index_slot **table, uint32_t *mask,
                        uint32_t **ids, wild_entry **wild)
{
    size_t tmp_cap = 8;
    while (tmp_cap < 2 * n)
        tmp_cap *= 2;
    uint32_t *rep_of_slot = malloc(tmp_cap * sizeof *rep_of_slot); /* item index + 1; 0 = empty */
    uint32_t *key_of = malloc((n ? n : 1) * sizeof *key_of);      /* per item; UINT32_MAX = dropped */
    uint32_t *rep = malloc((n ? n : 1) * sizeof *rep);            /* per key: its first item */
    uint32_t *count = malloc((n ? n : 1) * sizeof *count);
    uint64_t *hash = malloc((n ? n : 1) * sizeof *hash);          /* per key */
    bool ok = rep_of_slot && key_of && rep && count && hash;
    size_t keys = 0;
    if (ok) {
        memset(rep_of_slot, 0, tmp_cap * sizeof *rep_of_slot);
        size_t tmp_mask = tmp_cap - 1;
        for (size_t i = 0; i < n; i++) {
            uint64_t h = hash_bytes(items[i].key, items[i].key_len);
            size_t slot = (size_t)h & tmp_mask;
            while (rep_of_slot[slot] != 0 && !same_key(&items[rep_of_slot[slot] - 1], &items[i]))
                slot = (slot + 1) & tmp_mask;
            if (rep_of_slot[slot] == 0) {
                rep_of_slot[slot] = (uint32_t)i + 1;
                key_of[i] = (uint32_t)keys;
                rep[keys] = (uint32_t)i;
                count[keys] = 0;
                hash[keys] = h;
                keys++;
            } else {
                key_of[i] = key_of[rep_of_slot[slot] - 1];
            }
        }
    }
    size_t cap = 8;
    while (cap < 2 * keys)
        cap *= 2;
    if (ok) {
        *table = arena_calloc(a, cap, sizeof **table);
        *mask = (uint32_t)(cap - 1);
        if (ids)
            *ids = arena_calloc(a, n ? n : 1, sizeof **ids);
        if (wild)
            *wild = arena_calloc(a, n ? n : 1, sizeof **wild);
        ok = *table != NULL && (!ids || *ids != NULL) && (!wild || *wild != NULL);
    }
    if (ok) {
        /* count[k] becomes the next free place of key k: first counts, then
         * offsets, then cursors. Statement ids ascend within a key, so a
         * duplicate is the entry just written. */
        uint32_t *last = rep_of_slot; /* reused: per key, last statement + 1 */
        memset(last, 0, keys * sizeof *last);
        for (size_t i = 0; i < n; i++) {
            uint32_t k = key_of[i];
            if (ids && last[k] == items[i].stmt + 1) {
                key_of[i] = UINT32_MAX;
                continue;
            }
            last[k] = items[i].stmt + 1;
            count[k]++;
        }
        uint32_t off = 0;
        for (size_t k = 0; k < keys; k++) {
            const pending *r = &items[rep[k]];
            uint32_t slot = (uint32_t)hash[k] & *mask;
            while ((*table)[slot].key != NULL)
                slot = (slot + 1) & *mask;
            (*table)[slot] = (index_slot){r->key, r->key_len, off, count[k], hash[k]};
            uint32_t c = count[k];
            count[k] = off;
            off += c;
        }
        for (size_t i = 0; i < n; i++) {
            uint32_t k = key_of[i];
            if (k == UINT32_MAX)
                continue;
            if (ids)
                (*ids)[count[k]++] = items[i].stmt;
            else
                (*wild)[count[k]++] = (wild_entry){items[i].stmt, items[i].pattern};
        }
    }
    free(rep_of_slot);
    free(key_of);
    free(rep);
    free(count);
    free(hash);
    return ok;
}

/* Where a statement goes: every action ("*" in Action), none ("*" in
 * NotAction: it never applies), or its listed names. */
typedef enum stmt_reach { REACH_LISTED, REACH_ALWAYS, REACH_NEVER } stmt_reach;

static stmt_reach reach_of(const statement *st)
{
    for (uint32_t k = 0; k < st->action_count; k++)
        if (st->actions[k].any)
            return st->not_action ? REACH_NEVER : REACH_ALWAYS;
    return st->not_action ? REACH_ALWAYS : REACH_LISTED;
}

typedef struct pending_lists {
    pending *exact, *wild;
    size_t exact_n, wild_n;
} pending_lists;

static void add_patterns(pending_lists *l, const statement *st, uint32_t id)
{
    for (uint32_t k = 0; k < st->action_count; k++) {
        const action_pattern *ap = &st->actions[k];
        if (ap->kind == AP_EXACT)
            l->exact[l->exact_n++] = (pending){ap->folded, ap->folded_len, id, NULL};
        else
            l->wild[l->wild_n++] = (pending){ap->folded, ap->service_len, id, ap};
    }
}

static bool table_build(arena *a, const pending_lists *l, action_table *t)
{
    return build_table(a, l->exact, l->exact_n, &t->exact, &t->exact_mask, &t->exact_ids, NULL) &&
           build_table(a, l->wild, l->wild_n, &t->service, &t->service_mask, NULL, &t->wild);
}

iam_status index_build(iam_policy_set *set)
{
    action_index *ix = &set->index;
    /* Count first: the pending lists of the managed policies would take
     * megabytes if each had room for every pattern. */
    size_t count[2][2] = {{0, 0}, {0, 0}}, always_n = 0;   /* [excluded?][wildcard?] */
    for (uint32_t i = 0; i < set->stmt_count; i++) {
        const statement *st = set->stmts[i].st;
        stmt_reach reach = reach_of(st);
        always_n += reach == REACH_ALWAYS;
        if (reach == REACH_NEVER || (reach == REACH_ALWAYS && !st->not_action))
            continue;
        for (uint32_t k = 0; k < st->action_count; k++)
            count[st->not_action][st->actions[k].kind != AP_EXACT]++;
    }
    size_t total = count[0][0] + count[0][1] + count[1][0] + count[1][1];
    pending *buf = malloc((total ? total : 1) * sizeof *buf);
    ix->always = arena_calloc(&set->arena, always_n ? always_n : 1, sizeof *ix->always);
    if (buf == NULL || ix->always == NULL) {
        free(buf);
        return IAM_ERR_NOMEM;
    }
    pending_lists listed = {buf, buf + count[0][0], 0, 0};
    pending *rest = listed.wild + count[0][1];
    pending_lists excluded = {rest, rest + count[1][0], 0, 0};
    for (uint32_t i = 0; i < set->stmt_count; i++) {
        const statement *st = set->stmts[i].st;
        switch (reach_of(st)) {
        case REACH_NEVER:
            break;
        case REACH_ALWAYS:
            ix->always[ix->always_count++] = i;
            if (st->not_action)
                add_patterns(&excluded, st, i);
            break;
        case REACH_LISTED:
            add_patterns(&listed, st, i);
            break;
        }
    }
    bool ok = table_build(&set->arena, &listed, &ix->action) &&
              table_build(&set->arena, &excluded, &ix->not_action);
    free(buf);
    return ok ? IAM_OK : IAM_ERR_NOMEM;
}

static const index_slot *lookup(const index_slot *table, uint32_t mask, const char *key, size_t len)
{
    uint64_t h = hash_bytes(key, len);
    for (uint32_t slot = (uint32_t)h & mask;; slot = (slot + 1) & mask) {
        const index_slot *s = &table[slot];
        if (s->key == NULL)
            return NULL;
        if (s->hash == h && s->key_len == len && memcmp(s->key, key, len) == 0)
            return s;
    }
}

/* Merges two ascending id lists without duplicates. */
static size_t merge(const uint32_t *a, size_t an, const uint32_t *b, size_t bn, uint32_t *out)
{
    size_t i = 0, j = 0, n = 0;
    while (i < an || j < bn) {
        uint32_t v;
        if (j >= bn || (i < an && a[i] < b[j]))
            v = a[i++];
        else if (i >= an || b[j] < a[i])
            v = b[j++];
        else {
            v = a[i++];
            j++;
        }
        if (n == 0 || out[n - 1] != v)
            out[n++] = v;
    }
    return n;
}

/* a less b, both ascending. */
static size_t subtract(const uint32_t *a, size_t an, const uint32_t *b, size_t bn, uint32_t *out)
{
    size_t j = 0, n = 0;
    for (size_t i = 0; i < an; i++) {
        while (j < bn && b[j] < a[i])
            j++;
        if (j >= bn || b[j] != a[i])
            out[n++] = a[i];
    }
    return n;
}

/* The statements of t that name the action, ascending without duplicates:
 * exact names (already grouped) merged with the matching wildcard patterns,
 * written from out; uses up to 2 * (exact + bucket) places of out. */
static size_t table_hits(const action_table *t, const char *action, size_t len, size_t service_len,
                         glob_scratch *gs, uint32_t *out, size_t cap)
{
    const index_slot *exact = lookup(t->exact, t->exact_mask, action, len);
    const index_slot *svc = lookup(t->service, t->service_mask, action, service_len);
    size_t exact_n = exact ? exact->count : 0, svc_n = svc ? svc->count : 0;
    if (2 * (exact_n + svc_n) > cap)
        return (size_t)-1;
    /* Wildcard entries come sorted by statement: matching keeps the order. */
    uint32_t *wild = out + exact_n + svc_n;
    size_t wn = 0;
    for (size_t i = 0; i < svc_n; i++) {
        const wild_entry *we = &t->wild[svc->first + i];
        if ((wn == 0 || wild[wn - 1] != we->stmt) && action_pattern_matches(we->pattern, action, len, gs))
            wild[wn++] = we->stmt;
    }
    return merge(exact ? t->exact_ids + exact->first : NULL, exact_n, wild, wn, out);
}

size_t index_candidates(const iam_policy_set *set, const char *action, size_t len, size_t service_len,
                        glob_scratch *gs, uint32_t *out, uint32_t *tmp, size_t cap)
{
    const action_index *ix = &set->index;
    /* tmp: [listed hits][excluded hits][always less excluded] */
    size_t listed = table_hits(&ix->action, action, len, service_len, gs, tmp, cap);
    if (listed == (size_t)-1)
        return (size_t)-1;
    size_t excluded = table_hits(&ix->not_action, action, len, service_len, gs, tmp + listed, cap - listed);
    if (excluded == (size_t)-1 || listed + excluded + ix->always_count > cap)
        return (size_t)-1;
    uint32_t *rest = tmp + listed + excluded;
    size_t rest_n = subtract(ix->always, ix->always_count, tmp + listed, excluded, rest);
    if (listed + rest_n > cap)
        return (size_t)-1;
    return merge(tmp, listed, rest, rest_n, out);
}
