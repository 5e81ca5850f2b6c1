/* Lookups in the generated catalog tables (catalog_data.c): binary searches
 * on ASCII-folded names, a wildcard matcher for action patterns, and edit
 * distances for suggestions. Everything works on the caller's stack. */
#include <string.h>

#include "catalog.h"

/* Longest name the suggestion and enumeration buffers hold; the longest AWS
 * action is 71 bytes and the longest key about 90, so this is ample. */
#define NAME_MAX_BYTES 256

static unsigned char fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Compares a[0..alen) with the NUL-terminated b, folded; like strcmp. */
static int cmp_fold(const char *a, size_t alen, const char *b)
{
    size_t i = 0;
    for (; i < alen && b[i]; i++) {
        unsigned char x = fold((unsigned char)a[i]), y = fold((unsigned char)b[i]);
        if (x != y)
            return x < y ? -1 : 1;
    }
    if (i < alen)
        return 1;
    return b[i] ? -1 : 0;
}

static bool eq_exact(const char *a, size_t alen, const char *b)
{
    return strncmp(a, b, alen) == 0 && b[alen] == '\0';
}

const char *catalog_date(void)
{
    return catalog_data_date;
}

const char *catalog_source(void)
{
    return catalog_data_source;
}

size_t catalog_service_total(void)
{
    return catalog_service_count;
}

size_t catalog_action_total(void)
{
    return catalog_action_count;
}

size_t catalog_condition_key_total(void)
{
    return (size_t)catalog_key_count + catalog_key_pattern_count;
}

/* First index in [0, n) whose name is not below s (folded), for a table of
 * name offsets ordered by folded name. */
static size_t lower_bound(const uint32_t *offsets, size_t n, const char *s, size_t len)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_fold(s, len, catalog_names + offsets[mid]) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The service row of a folded prefix, or NULL. */
static const catalog_service_row *find_service(const char *s, size_t len)
{
    size_t lo = 0, hi = catalog_service_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_fold(s, len, catalog_names + catalog_services[mid].name);
        if (c == 0)
            return &catalog_services[mid];
        if (c > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

bool catalog_has_service(const char *service, size_t len)
{
    return service != NULL && find_service(service, len) != NULL;
}

bool catalog_has_action(const char *action, size_t len)
{
    if (action == NULL)
        return false;
    const char *colon = memchr(action, ':', len);
    if (colon == NULL)
        return false;
    const catalog_service_row *svc = find_service(action, (size_t)(colon - action));
    if (svc == NULL)
        return false;
    const char *name = colon + 1;
    size_t name_len = len - (size_t)(name - action);
    const uint32_t *names = catalog_actions + svc->first;
    size_t i = lower_bound(names, svc->count, name, name_len);
    return i < svc->count && cmp_fold(name, name_len, catalog_names + names[i]) == 0;
}

/* ---- wildcard patterns ----------------------------------------------------- */

/* The IAM glob [M-W1] on ASCII-folded text: '*' any run, '?' one character.
 * Catalog names are ASCII, so a character is a byte there; a pattern byte
 * of a multi-byte character can never equal one of them. One backtrack
 * point (the last '*') suffices for this grammar. */
static bool glob_fold(const char *p, size_t plen, const char *s, size_t slen)
{
    size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
    while (si < slen) {
        if (pi < plen && p[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (pi < plen && (p[pi] == '?' || fold((unsigned char)p[pi]) == fold((unsigned char)s[si]))) {
            pi++;
            si++;
        } else if (star != (size_t)-1) {
            pi = star + 1;
            si = ++mark;
        } else {
            return false;
        }
    }
    while (pi < plen && p[pi] == '*')
        pi++;
    return pi == plen;
}

static bool has_wildcard(const char *s, size_t len)
{
    return memchr(s, '*', len) != NULL || memchr(s, '?', len) != NULL;
}

/* Writes "service:name" into buf; false when it does not fit. */
static bool join_action(char *buf, size_t cap, const char *service, const char *name, size_t *out_len)
{
    size_t sl = strlen(service), nl = strlen(name);
    if (sl + 1 + nl + 1 > cap)
        return false;
    memcpy(buf, service, sl);
    buf[sl] = ':';
    memcpy(buf + sl + 1, name, nl + 1);
    *out_len = sl + 1 + nl;
    return true;
}

/* Reports the actions of one service that match the name part of a
 * pattern; returns false when fn asked to stop. */
static bool service_matching(const catalog_service_row *svc, const char *name_pat, size_t name_len,
                             catalog_action_fn fn, void *ctx, size_t *count)
{
    const char *service = catalog_names + svc->name;
    for (uint32_t i = 0; i < svc->count; i++) {
        const char *name = catalog_names + catalog_actions[svc->first + i];
        if (!glob_fold(name_pat, name_len, name, strlen(name)))
            continue;
        ++*count;
        if (fn != NULL) {
            char buf[NAME_MAX_BYTES];
            size_t n;
            if (join_action(buf, sizeof buf, service, name, &n) && !fn(buf, n, ctx))
                return false;
        }
    }
    return true;
}

size_t catalog_actions_matching(const char *pattern, size_t len, catalog_action_fn fn, void *ctx)
{
    size_t count = 0;
    if (pattern == NULL)
        return 0;
    const char *colon = memchr(pattern, ':', len);
    if (colon == NULL) {
        /* "*" (or any colon-free pattern of wildcards) spans every service:
         * match it against the whole "service:Name". */
        for (uint32_t s = 0; s < catalog_service_count; s++) {
            const catalog_service_row *svc = &catalog_services[s];
            const char *service = catalog_names + svc->name;
            for (uint32_t i = 0; i < svc->count; i++) {
                char buf[NAME_MAX_BYTES];
                size_t n;
                if (!join_action(buf, sizeof buf, service, catalog_names + catalog_actions[svc->first + i], &n))
                    continue;
                if (!glob_fold(pattern, len, buf, n))
                    continue;
                count++;
                if (fn != NULL && !fn(buf, n, ctx))
                    return count;
            }
        }
        return count;
    }
    size_t prefix_len = (size_t)(colon - pattern);
    const char *name_pat = colon + 1;
    size_t name_len = len - prefix_len - 1;
    if (!has_wildcard(pattern, prefix_len)) {
        const catalog_service_row *svc = find_service(pattern, prefix_len);
        if (svc != NULL)
            service_matching(svc, name_pat, name_len, fn, ctx, &count);
        return count;
    }
    for (uint32_t s = 0; s < catalog_service_count; s++) {
        const catalog_service_row *svc = &catalog_services[s];
        const char *service = catalog_names + svc->name;
        if (glob_fold(pattern, prefix_len, service, strlen(service)) &&
            !service_matching(svc, name_pat, name_len, fn, ctx, &count))
            break;
    }
    return count;
}

/* ---- condition keys -------------------------------------------------------- */

#define MAX_CAPTURES 4

typedef struct capture {
    size_t start, len;   /* in the key */
} capture;

/* Matches key[ki..klen) against the key pattern p (NUL-terminated) from pi,
 * where each ${...} stands for one or more characters; `exact` compares
 * the literal parts byte for byte, otherwise ignoring case. Records what
 * each placeholder took. */
static bool pattern_match(const char *p, size_t pi, const char *key, size_t ki, size_t klen,
                          bool exact, capture *caps, unsigned ncap)
{
    while (p[pi] != '\0') {
        if (p[pi] == '$' && p[pi + 1] == '{') {
            const char *close = strchr(p + pi, '}');
            if (close == NULL || ncap >= MAX_CAPTURES)
                return false;
            size_t next = (size_t)(close - p) + 1;
            for (size_t take = 1; ki + take <= klen; take++) {
                caps[ncap] = (capture){ki, take};
                if (pattern_match(p, next, key, ki + take, klen, exact, caps, ncap + 1))
                    return true;
            }
            return false;
        }
        if (ki >= klen)
            return false;
        unsigned char a = (unsigned char)p[pi], b = (unsigned char)key[ki];
        if (exact ? a != b : fold(a) != fold(b))
            return false;
        pi++;
        ki++;
    }
    return ki == klen;
}

/* Writes pattern p with each placeholder replaced by what it captured. */
static void fill_pattern(const char *p, const char *key, const capture *caps, char *out, size_t cap)
{
    size_t n = 0;
    unsigned c = 0;
    if (cap == 0)
        return;
    for (size_t i = 0; p[i] != '\0' && n + 1 < cap;) {
        if (p[i] == '$' && p[i + 1] == '{') {
            const char *close = strchr(p + i, '}');
            for (size_t k = 0; k < caps[c].len && n + 1 < cap; k++)
                out[n++] = key[caps[c].start + k];
            c++;
            i = (size_t)(close - p) + 1;
        } else {
            out[n++] = p[i++];
        }
    }
    out[n] = '\0';
}

static void copy_out(char *out, size_t cap, const char *s)
{
    if (out == NULL || cap == 0)
        return;
    size_t n = strlen(s);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

catalog_key_status catalog_condition_key(const char *key, size_t len, char *canonical, size_t cap)
{
    if (key == NULL)
        return CATALOG_KEY_UNKNOWN;
    size_t i = lower_bound(catalog_keys, catalog_key_count, key, len);
    size_t first = i;
    for (; i < catalog_key_count && cmp_fold(key, len, catalog_names + catalog_keys[i]) == 0; i++)
        if (eq_exact(key, len, catalog_names + catalog_keys[i]))
            return CATALOG_KEY_FOUND;
    if (i > first) {
        copy_out(canonical, cap, catalog_names + catalog_keys[first]);
        return CATALOG_KEY_CASE;
    }
    capture caps[MAX_CAPTURES];
    for (uint32_t k = 0; k < catalog_key_pattern_count; k++)
        if (pattern_match(catalog_names + catalog_key_patterns[k], 0, key, 0, len, true, caps, 0))
            return CATALOG_KEY_FOUND;
    for (uint32_t k = 0; k < catalog_key_pattern_count; k++) {
        const char *p = catalog_names + catalog_key_patterns[k];
        if (pattern_match(p, 0, key, 0, len, false, caps, 0)) {
            if (canonical != NULL)
                fill_pattern(p, key, caps, canonical, cap);
            return CATALOG_KEY_CASE;
        }
    }
    return CATALOG_KEY_UNKNOWN;
}

/* ---- suggestions ----------------------------------------------------------- */

static unsigned threshold(size_t len)
{
    return len <= 4 ? 1 : len <= 12 ? 2 : 3;
}

/* Optimal string alignment distance between a and b, ignoring case, or
 * limit + 1 as soon as it must exceed limit. */
static unsigned edit_distance(const char *a, size_t alen, const char *b, size_t blen, unsigned limit)
{
    if (alen >= NAME_MAX_BYTES || blen >= NAME_MAX_BYTES)
        return limit + 1;
    if ((alen > blen ? alen - blen : blen - alen) > limit)
        return limit + 1;
    unsigned rows[3][NAME_MAX_BYTES];
    unsigned *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= blen; j++)
        prev[j] = (unsigned)j;
    for (size_t i = 1; i <= alen; i++) {
        cur[0] = (unsigned)i;
        unsigned row_min = cur[0];
        unsigned char ca = fold((unsigned char)a[i - 1]);
        for (size_t j = 1; j <= blen; j++) {
            unsigned char cb = fold((unsigned char)b[j - 1]);
            unsigned best = prev[j - 1] + (ca != cb);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && ca == fold((unsigned char)b[j - 2]) &&
                fold((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
            if (best < row_min)
                row_min = best;
        }
        if (row_min > limit)
            return limit + 1;
        unsigned *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[blen];
}

/* The closest of the names at offsets[0..n) within the threshold, or NULL. */
static const char *closest(const uint32_t *offsets, size_t n, const char *s, size_t len)
{
    unsigned limit = threshold(len), best = limit + 1;
    const char *found = NULL;
    for (size_t i = 0; i < n && best > 0; i++) {
        const char *name = catalog_names + offsets[i];
        unsigned d = edit_distance(s, len, name, strlen(name), best - 1 < limit ? best - 1 : limit);
        if (d < best) {
            best = d;
            found = name;
        }
    }
    return found;
}

static const catalog_service_row *closest_service(const char *s, size_t len)
{
    unsigned limit = threshold(len), best = limit + 1;
    const catalog_service_row *found = NULL;
    for (uint32_t i = 0; i < catalog_service_count && best > 0; i++) {
        const char *name = catalog_names + catalog_services[i].name;
        unsigned d = edit_distance(s, len, name, strlen(name), best - 1);
        if (d < best) {
            best = d;
            found = &catalog_services[i];
        }
    }
    return found;
}

bool catalog_suggest_service(const char *service, size_t len, char *out, size_t cap)
{
    if (service == NULL)
        return false;
    const catalog_service_row *svc = closest_service(service, len);
    if (svc == NULL)
        return false;
    copy_out(out, cap, catalog_names + svc->name);
    return true;
}

bool catalog_suggest_action(const char *action, size_t len, char *out, size_t cap)
{
    if (action == NULL)
        return false;
    const char *colon = memchr(action, ':', len);
    if (colon == NULL)
        return false;
    size_t slen = (size_t)(colon - action);
    const char *name = colon + 1;
    size_t nlen = len - slen - 1;
    const catalog_service_row *svc = find_service(action, slen);
    if (svc == NULL)
        svc = closest_service(action, slen);
    if (svc == NULL)
        return false;
    const uint32_t *names = catalog_actions + svc->first;
    size_t i = lower_bound(names, svc->count, name, nlen);
    const char *hit = i < svc->count && cmp_fold(name, nlen, catalog_names + names[i]) == 0
                          ? catalog_names + names[i]
                          : closest(names, svc->count, name, nlen);
    if (hit == NULL)
        return false;
    char buf[NAME_MAX_BYTES];
    size_t n;
    if (!join_action(buf, sizeof buf, catalog_names + svc->name, hit, &n))
        return false;
    copy_out(out, cap, buf);
    return true;
}

bool catalog_suggest_condition_key(const char *key, size_t len, char *out, size_t cap)
{
    if (key == NULL || len >= NAME_MAX_BYTES)
        return false;
    unsigned limit = threshold(len), best = limit + 1;
    char best_text[NAME_MAX_BYTES] = "";
    const char *plain = closest(catalog_keys, catalog_key_count, key, len);
    if (plain != NULL) {
        best = edit_distance(key, len, plain, strlen(plain), limit);
        copy_out(best_text, sizeof best_text, plain);
    }
    /* A placeholder key is compared as it would read with the policy's own
     * tail in the placeholder's place. */
    const char *slash = NULL;
    for (size_t i = len; i > 0; i--)
        if (key[i - 1] == '/') {
            slash = key + i - 1;
            break;
        }
    const char *tail = slash ? slash + 1 : key + len;
    size_t tail_len = (size_t)(key + len - tail);
    for (uint32_t k = 0; k < catalog_key_pattern_count && best > 0; k++) {
        const char *p = catalog_names + catalog_key_patterns[k];
        const char *open = strstr(p, "${");
        const char *close = open ? strchr(open, '}') : NULL;
        if (close == NULL || tail_len == 0)
            continue;
        char filled[NAME_MAX_BYTES];
        size_t pre = (size_t)(open - p), post = strlen(close + 1);
        if (pre + tail_len + post + 1 > sizeof filled)
            continue;
        memcpy(filled, p, pre);
        memcpy(filled + pre, tail, tail_len);
        memcpy(filled + pre + tail_len, close + 1, post + 1);
        unsigned d = edit_distance(key, len, filled, strlen(filled), best - 1);
        if (d < best) {
            best = d;
            copy_out(best_text, sizeof best_text, filled);
        }
    }
    if (best > limit || best_text[0] == '\0')
        return false;
    copy_out(out, cap, best_text);
    return true;
}
