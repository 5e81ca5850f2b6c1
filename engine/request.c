/* Requests: recognising the principal (spec 2.5, 5.2), validating the
 * request [E-I1], and the per-request context table with the derived keys
 * [V-D]. The table lives in the caller's scratch: nothing is allocated. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The keys derived from the principal [V-D]. */
static const char *const derived_keys[3] = {"aws:PrincipalArn", "aws:PrincipalAccount", "aws:username"};

static bool digits12(const char *s, size_t len)
{
    if (len != 12)
        return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool starts_with(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

static bool valid_service_name(const char *s, size_t len)
{
    bool dot = false;
    if (len == 0 || s[0] == '.' || s[len - 1] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '.')
            dot = true;
        else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return dot;
}

bool principal_parse(const char *s, size_t len, principal_info *out)
{
    memset(out, 0, sizeof *out);
    out->arn = (iam_str){s, len};
    if (!starts_with(s, len, "arn:")) {
        if (!valid_service_name(s, len))
            return false;
        out->kind = PK_SERVICE;
        out->name = out->arn;
        return true;
    }
    iam_str f[6];
    if (!arn_split(s, len, f))
        return false;
    if (f[1].len == 0 || f[3].len != 0 || !digits12(f[4].ptr, f[4].len))
        return false;
    out->partition = f[1];
    out->account = f[4];
    iam_str r = f[5];
    bool iam = f[2].len == 3 && memcmp(f[2].ptr, "iam", 3) == 0;
    bool sts = f[2].len == 3 && memcmp(f[2].ptr, "sts", 3) == 0;
    if (iam && r.len == 4 && memcmp(r.ptr, "root", 4) == 0) {
        out->kind = PK_ROOT;
        return true;
    }
    if (iam && (starts_with(r.ptr, r.len, "user/") || starts_with(r.ptr, r.len, "role/"))) {
        if (r.ptr[r.len - 1] == '/' || r.len <= 5)
            return false;
        const char *name = r.ptr + r.len;
        while (name[-1] != '/')
            name--;
        out->kind = r.ptr[0] == 'u' ? PK_USER : PK_ROLE;
        out->name = (iam_str){name, (size_t)(r.ptr + r.len - name)};
        out->role_path = (iam_str){r.ptr + 4, (size_t)(name - (r.ptr + 4))};
        if (out->kind == PK_ROLE)
            out->service_linked = starts_with(out->role_path.ptr, out->role_path.len, "/aws-service-role/") ||
                                  starts_with(out->name.ptr, out->name.len, "AWSServiceRoleFor");
        return true;
    }
    if (sts && starts_with(r.ptr, r.len, "assumed-role/")) {
        const char *role = r.ptr + 13;
        size_t rest = r.len - 13;
        const char *slash = memchr(role, '/', rest);
        if (slash == NULL || slash == role || (size_t)(slash - role) + 1 >= rest)
            return false;
        out->kind = PK_SESSION;
        out->name = (iam_str){role, (size_t)(slash - role)};
        out->service_linked = starts_with(out->name.ptr, out->name.len, "AWSServiceRoleFor");
        return true;
    }
    if (sts && starts_with(r.ptr, r.len, "federated-user/") && r.len > 15) {
        out->kind = PK_FEDERATED;
        out->name = (iam_str){r.ptr + 15, r.len - 15};
        return true;
    }
    return false;
}

iam_status iam_scratch_create(iam_scratch **out, const iam_limits *limits)
{
    if (out == NULL)
        return IAM_ERR_ARGUMENT;
    *out = NULL;
    iam_scratch *s = calloc(1, sizeof *s);
    if (s == NULL)
        return IAM_ERR_NOMEM;
    if (limits)
        s->limits = *limits;
    else
        iam_limits_init(&s->limits);
    size_t want = 2 * ((size_t)s->limits.max_context_keys + 3), cap = 16;
    while (cap < want)
        cap *= 2;
    s->slots = calloc(cap, sizeof *s->slots);
    s->slot_mask = (uint32_t)(cap - 1);
    s->elem_cap = GLOB_MAX_ELEMS;
    s->elems = malloc(s->elem_cap * sizeof *s->elems);
    s->piece_cap = (size_t)s->limits.max_pattern_bytes + 1;
    s->pieces = malloc(s->piece_cap * sizeof *s->pieces);
    /* Longer joined patterns (long substituted values) take the element
     * matcher, which has no such bound. */
    s->join_cap = 4096;
    s->join = malloc(s->join_cap);
    s->glob = glob_scratch_create();
    s->generation = 1;
    for (int i = 0; i < 3; i++)
        s->derived_hashes[i] = lit_hash_fold(derived_keys[i], strlen(derived_keys[i]));
    s->last_principal_cap = 2048;
    s->last_principal = malloc(s->last_principal_cap);
    s->candidate_cap = 1u << 15;
    s->candidates = malloc(s->candidate_cap * sizeof *s->candidates);
    s->candidates_tmp = malloc(s->candidate_cap * sizeof *s->candidates_tmp);
    if (s->slots == NULL || s->elems == NULL || s->pieces == NULL || s->join == NULL || s->glob == NULL ||
        s->candidates == NULL || s->candidates_tmp == NULL || s->last_principal == NULL) {
        iam_scratch_free(s);
        return IAM_ERR_NOMEM;
    }
    *out = s;
    return IAM_OK;
}

void iam_scratch_free(iam_scratch *scratch)
{
    if (scratch == NULL)
        return;
    free(scratch->slots);
    free(scratch->elems);
    free(scratch->pieces);
    free(scratch->join);
    free(scratch->candidates);
    free(scratch->candidates_tmp);
    free(scratch->last_principal);
    glob_scratch_free(scratch->glob);
    free(scratch);
}

/* Strings are read eight bytes at a time; one of eight bytes or more ends
 * with a word that overlaps the last full one. */
static inline uint64_t load8(const char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return w;
}

static bool is_ascii(const char *s, size_t len)
{
    uint64_t high = 0;
    if (len >= 8) {
        for (size_t i = 0; i + 8 <= len; i += 8)
            high |= load8(s + i);
        high |= load8(s + len - 8);
    } else {
        for (size_t i = 0; i < len; i++)
            high |= (unsigned char)s[i];
    }
    return (high & UINT64_C(0x8080808080808080)) == 0;
}

static inline unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Lower case of eight ASCII bytes at once. */
static inline uint64_t ascii_lower8(uint64_t w)
{
    uint64_t ge_a = w + UINT64_C(0x3F3F3F3F3F3F3F3F);
    uint64_t gt_z = w + UINT64_C(0x2525252525252525);
    return w | ((ge_a & ~gt_z & UINT64_C(0x8080808080808080)) >> 2);
}

/* Case-insensitive equality of two ASCII strings of n bytes. */
static bool ascii_equal_nocase(const char *a, const char *b, size_t n)
{
    if (n >= 8) {
        for (size_t i = 0; i + 8 <= n; i += 8)
            if (ascii_lower8(load8(a + i)) != ascii_lower8(load8(b + i)))
                return false;
        return ascii_lower8(load8(a + n - 8)) == ascii_lower8(load8(b + n - 8));
    }
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return false;
    return true;
}

/* The last eight bytes of a string (all of a shorter one, in the low bytes),
 * which with the length index an ASCII context: keys share beginnings
 * ("aws:Principal...") far more than endings. */
static uint64_t tail_word(const char *s, size_t len)
{
    if (len >= 8)
        return load8(s + len - 8);
    uint64_t w = 0;
    for (size_t i = 0; i < len; i++)
        w |= (uint64_t)(unsigned char)s[i] << (8 * i);
    return w;
}

/* is_ascii and the lower-cased tail_word of a request key in one pass. */
static bool ascii_key(const char *s, size_t len, uint64_t *tail)
{
    uint64_t high = 0, last = tail_word(s, len);
    for (size_t i = 0; i + 8 < len; i += 8)
        high |= load8(s + i);
    if (((high | last) & UINT64_C(0x8080808080808080)) != 0)
        return false;
    *tail = ascii_lower8(last);
    return true;
}

static unsigned ctx_fast_slot(size_t len, uint64_t tail)
{
    uint64_t h = (tail ^ ((uint64_t)len * UINT64_C(0x9E3779B97F4A7C15))) * UINT64_C(0xBF58476D1CE4E5B9);
    return (unsigned)(h >> 57); /* CTX_FAST_SLOTS == 128 */
}

void ctx_key_init(ctx_key *k, const char *name, size_t len)
{
    memset(k, 0, sizeof *k);
    k->hash = lit_hash_fold(name, len);
    k->ascii = is_ascii(name, len);
    k->derived = -1;
    for (int i = 0; i < 3; i++) {
        size_t dl = strlen(derived_keys[i]);
        /* An ASCII name folds byte for byte: only equal lengths can match. */
        if ((!k->ascii || len == dl) && lit_equal_fold(name, len, derived_keys[i], dl))
            k->derived = (int8_t)i;
    }
    if (k->ascii) {
        k->fast = true;
        k->folded_len = (uint32_t)len;
        k->tail = ascii_lower8(tail_word(name, len));
        k->fast_slot = (uint8_t)ctx_fast_slot(len, k->tail);
        return;
    }
    /* A non-ASCII name may still fold to ASCII (the Kelvin sign folds to
     * 'k'): the table is keyed on the folded form, which lit_fold would
     * write; only its length, ASCII-ness and last eight bytes are kept. */
    size_t n = 0;
    uint64_t last = 0;
    bool ascii = true;
    for (size_t i = 0; i < len;) {
        char buf[4];
        size_t m = 1;
        if ((unsigned char)name[i] < 0x80) {
            buf[0] = (char)lower((unsigned char)name[i++]);
        } else {
            uint32_t cp;
            i += lit_utf8_decode(name + i, len - i, &cp);
            m = lit_utf8_encode(lit_fold_codepoint(cp), buf);
        }
        for (size_t b = 0; b < m; b++) {
            ascii = ascii && (unsigned char)buf[b] < 0x80;
            last = n < 8 ? last | (uint64_t)(unsigned char)buf[b] << (8 * n)
                         : (last >> 8) | (uint64_t)(unsigned char)buf[b] << 56;
            n++;
        }
    }
    if (ascii) {
        k->fast = true;
        k->folded_len = (uint32_t)n;
        k->tail = last;   /* already lower case, laid out as tail_word's */
        k->fast_slot = (uint8_t)ctx_fast_slot(n, k->tail);
    }
}

static ctx_slot *find_slot(const iam_scratch *s, const char *key, size_t len, uint64_t hash)
{
    uint32_t i = (uint32_t)hash & s->slot_mask;
    for (;;) {
        ctx_slot *slot = &s->slots[i];
        if (slot->generation != s->generation)
            return slot;   /* empty: where the key would go */
        if (slot->hash == hash && lit_equal_fold(slot->key, slot->key_len, key, len))
            return slot;
        i = (i + 1) & s->slot_mask;
    }
}

ctx_lookup context_get(const iam_scratch *scratch, const char *name, size_t len, const ctx_key *k)
{
    ctx_lookup r = {0};
    if (scratch->context_hashed) {
        const ctx_slot *slot = find_slot(scratch, name, len, k->hash);
        if (slot->generation == scratch->generation) {
            r.present = true;
            r.multivalued = slot->multivalued;
            r.values = slot->values;
            r.count = slot->value_count;
        }
        return r;
    }
    /* Every request key is ASCII, so only a name that folds to ASCII can
     * equal one, and the key then has the folded name's length and ending. */
    for (unsigned i = k->fast_slot; k->fast && scratch->fast_slots[i] != 0; i = (i + 1) % CTX_FAST_SLOTS) {
        unsigned at = scratch->fast_slots[i] - 1u;
        const iam_context_entry *e = &scratch->context[at];
        if (e->key.len != k->folded_len || scratch->fast_tails[at] != k->tail)
            continue;
        if (k->ascii ? ascii_equal_nocase(e->key.ptr, name, len)
                     : lit_equal_fold(e->key.ptr, e->key.len, name, len)) {
            r.present = true;
            r.multivalued = e->multivalued != 0;
            r.values = e->values;
            r.count = e->value_count;
            return r;
        }
    }
    if (k->derived >= 0 && scratch->derived_set[k->derived]) {
        r.present = true;
        r.values = &scratch->derived_values[k->derived];
        r.count = 1;
    }
    return r;
}

static void put_derived(iam_scratch *s, iam_str value, int index)
{
    if (!s->context_hashed) {
        /* context_get looks at the request's own keys first [V-D]. */
        s->derived_values[index] = value;
        s->derived_set[index] = true;
        return;
    }
    const char *key = derived_keys[index];
    size_t len = strlen(key);
    uint64_t h = s->derived_hashes[index];
    ctx_slot *slot = find_slot(s, key, len, h);
    if (slot->generation == s->generation)
        return;   /* a key given in the context wins [V-D] */
    s->derived_values[index] = value;
    *slot = (ctx_slot){.hash = h, .generation = s->generation, .key = key, .key_len = len,
                       .values = &s->derived_values[index], .value_count = 1};
}

static iam_status bad_request(iam_error *err, const char *fmt, const char *what, size_t len)
{
    int n = len > 200 ? 200 : (int)len;
    return error_set(err, IAM_ERR_REQUEST, "", NULL, "", fmt, n, what ? what : "");
}

static bool valid_action(iam_str a)
{
    const char *colon = a.ptr ? memchr(a.ptr, ':', a.len) : NULL;
    if (colon == NULL || colon == a.ptr || colon + 1 == a.ptr + a.len)
        return false;
    return memchr(a.ptr, '*', a.len) == NULL && memchr(a.ptr, '?', a.len) == NULL;
}

static bool valid_resource(iam_str r)
{
    if (r.len == 1 && r.ptr[0] == '*')
        return true;
    if (!starts_with(r.ptr, r.len, "arn:"))
        return false;
    unsigned colons = 0;
    for (const char *c = r.ptr, *end = r.ptr + r.len; colons < 5 && (c = memchr(c, ':', (size_t)(end - c))) != NULL; c++)
        colons++;
    return colons >= 5;
}

/* Moves the views of p from the string at `from` to the same bytes at `to`. */
static void rebase_principal(principal_info *p, const char *from, const char *to)
{
    iam_str *views[5] = {&p->arn, &p->partition, &p->account, &p->name, &p->role_path};
    for (int i = 0; i < 5; i++)
        if (views[i]->ptr != NULL)
            views[i]->ptr = to + (views[i]->ptr - from);
}

/* Parses the principal, or reuses the parse of the previous request when the
 * caller is the same (the common case in batches). The cached parse points
 * into the scratch's own copy of the string, and is moved onto this
 * request's string, so nothing refers to an earlier request's memory. */
static bool prepare_principal(const iam_request *req, iam_scratch *s)
{
    const iam_str *pr = &req->principal;
    if (s->last_principal_len != 0 && pr->len == s->last_principal_len &&
        memcmp(pr->ptr, s->last_principal, pr->len) == 0) {
        s->principal = s->cached_principal;
        rebase_principal(&s->principal, s->last_principal, pr->ptr);
        return true;
    }
    s->last_principal_len = 0;
    if (!principal_parse(pr->ptr, pr->len, &s->principal))
        return false;
    if (pr->len > 0 && pr->len <= s->last_principal_cap) {
        memcpy(s->last_principal, pr->ptr, pr->len);
        s->last_principal_len = pr->len;
        s->cached_principal = s->principal;
        rebase_principal(&s->cached_principal, pr->ptr, s->last_principal);
    }
    return true;
}

static iam_status duplicate_key(iam_error *err, const iam_str *key)
{
    return bad_request(err, "context keys \"%.*s\" and another differ only by case [C-K2]", key->ptr, key->len);
}

/* Enters the i-th key of an ASCII context in the scratch's table; returns
 * an earlier key equal to it ignoring case [C-K2], if any. Equal keys have
 * equal lengths and endings, so they land in one chain. */
static const iam_str *fast_insert(iam_scratch *s, const iam_context_entry *context, size_t i, uint64_t tail)
{
    const iam_str *key = &context[i].key;
    unsigned slot = ctx_fast_slot(key->len, tail);
    for (; s->fast_slots[slot] != 0; slot = (slot + 1) % CTX_FAST_SLOTS) {
        unsigned at = s->fast_slots[slot] - 1u;
        const iam_str *other = &context[at].key;
        if (other->len == key->len && s->fast_tails[at] == tail &&
            ascii_equal_nocase(other->ptr, key->ptr, key->len))
            return key;
    }
    s->fast_slots[slot] = (uint8_t)(i + 1);
    s->fast_tails[i] = tail;
    return NULL;
}

/* Some key is not ASCII: fold and hash every key into the slots. */
static iam_status context_hash(const iam_request *req, iam_scratch *s, iam_error *err)
{
    if (++s->generation == 0) {
        /* Wrapped: old slots could look current. */
        memset(s->slots, 0, ((size_t)s->slot_mask + 1) * sizeof *s->slots);
        s->generation = 1;
    }
    for (size_t i = 0; i < req->context_count; i++) {
        const iam_context_entry *e = &req->context[i];
        uint64_t h = lit_hash_fold(e->key.ptr, e->key.len);
        ctx_slot *slot = find_slot(s, e->key.ptr, e->key.len, h);
        if (slot->generation == s->generation)
            return duplicate_key(err, &e->key);
        *slot = (ctx_slot){.hash = h, .generation = s->generation, .multivalued = e->multivalued != 0,
                           .key = e->key.ptr, .key_len = e->key.len, .values = e->values,
                           .value_count = e->value_count};
    }
    return IAM_OK;
}

iam_status request_prepare(const iam_request *req, iam_scratch *s, iam_error *err)
{
    if (req->principal.ptr == NULL || !prepare_principal(req, s))
        return bad_request(err, "unrecognised principal \"%.*s\": expected an IAM user, role, role session, "
                                "federated user or root ARN, or a service principal name [E-I1]",
                           req->principal.ptr, req->principal.len);
    if (req->action.ptr == NULL || !valid_action(req->action))
        return bad_request(err, "invalid action \"%.*s\": expected \"service:Action\" without wildcards [E-I1]",
                           req->action.ptr, req->action.len);
    if (req->resource.ptr == NULL || !valid_resource(req->resource))
        return bad_request(err, "invalid resource \"%.*s\": expected \"*\" or an ARN with six fields [M-N5]",
                           req->resource.ptr, req->resource.len);
    if (req->resource_account.ptr != NULL && !digits12(req->resource_account.ptr, req->resource_account.len))
        return bad_request(err, "invalid resource_account \"%.*s\": expected a 12-digit account ID [E-I1]",
                           req->resource_account.ptr, req->resource_account.len);
    if (req->context_count > s->limits.max_context_keys)
        return error_set(err, IAM_ERR_LIMIT, "", NULL, "", "%zu context keys, more than the limit of %u",
                         req->context_count, (unsigned)s->limits.max_context_keys);
    /* One pass validates the context and, while every key is ASCII, indexes
     * it; a duplicate is reported once every entry is known valid. */
    bool fast = req->context_count <= CTX_FAST_MAX_KEYS;
    const iam_str *duplicate = NULL;
    if (fast)
        memset(s->fast_slots, 0, sizeof s->fast_slots);
    for (size_t i = 0; i < req->context_count; i++) {
        const iam_context_entry *e = &req->context[i];
        if (e->key.ptr == NULL || e->key.len == 0)
            return bad_request(err, "%.*scontext key names must not be empty [C-K1]", "", 0);
        if (!e->multivalued && e->value_count != 1)
            return bad_request(err, "context key \"%.*s\" is single-valued but has no single value [C-K1]",
                               e->key.ptr, e->key.len);
        if (e->value_count && e->values == NULL)
            return bad_request(err, "context key \"%.*s\" has no values array", e->key.ptr, e->key.len);
        for (size_t v = 0; v < e->value_count; v++)
            if (e->values[v].ptr == NULL)
                return bad_request(err, "context key \"%.*s\" has a NULL value", e->key.ptr, e->key.len);
        uint64_t tail;
        if (fast && !ascii_key(e->key.ptr, e->key.len, &tail))
            fast = false;
        if (fast && duplicate == NULL)
            duplicate = fast_insert(s, req->context, i, tail);
    }
    s->context = req->context;
    s->context_count = req->context_count;
    s->derived_set[0] = s->derived_set[1] = s->derived_set[2] = false;
    s->context_hashed = !fast;
    if (fast && duplicate != NULL)
        return duplicate_key(err, duplicate);
    if (!fast) {
        iam_status st = context_hash(req, s, err);
        if (st != IAM_OK)
            return st;
    }
    const principal_info *p = &s->principal;
    if (p->kind == PK_SERVICE)
        return IAM_OK;
    iam_str arn = p->arn;
    if (p->kind == PK_SESSION) {
        /* A session's aws:PrincipalArn is its role's ARN [V-P]. */
        size_t need = 4 + p->partition.len + 6 + 12 + 6 + p->name.len;
        if (need < sizeof s->derived_arn) {
            char *d = s->derived_arn;
            size_t n = 0;
            memcpy(d + n, "arn:", 4), n += 4;
            memcpy(d + n, p->partition.ptr, p->partition.len), n += p->partition.len;
            memcpy(d + n, ":iam::", 6), n += 6;
            memcpy(d + n, p->account.ptr, 12), n += 12;
            memcpy(d + n, ":role/", 6), n += 6;
            memcpy(d + n, p->name.ptr, p->name.len), n += p->name.len;
            arn = (iam_str){d, n};
        } else {
            arn.ptr = NULL;
        }
    }
    if (arn.ptr != NULL)
        put_derived(s, arn, 0);
    put_derived(s, p->account, 1);
    if (p->kind == PK_USER)
        put_derived(s, p->name, 2);
    return IAM_OK;
}
