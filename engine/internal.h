/* The engine's private data model: documents (what the loader read, with
 * positions), compiled policies (what evaluation reads) and the per-thread
 * scratch. Only engine/ includes this. */
#ifndef IAMEVAL_INTERNAL_H
#define IAMEVAL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "iameval.h"
#include "json.h"
#include "literal.h"
#include "match.h"

/* ---- errors (error.c) --------------------------------------------------- */

/* Fills err (if not NULL) and returns code. pos may be NULL. */
iam_status error_set(iam_error *err, iam_status code, const char *file,
                     const json_pos *pos, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* limits itself, or the defaults written to storage when it is NULL. */
const iam_limits *limits_or_default(const iam_limits *limits, iam_limits *storage);

/* prefix + suffix into dst (always NUL-terminated), truncated to fit. */
void join_path(char *dst, size_t size, const char *prefix, const char *suffix);

/* ---- documents (load.c) ------------------------------------------------- */

/* A string element as written, with where it stood. */
typedef struct doc_value {
    const char *text;      /* NUL-terminated; for JSON numbers the written text */
    size_t len;
    json_pos pos;
    uint8_t jv_type;     /* jv_type of the source value (string, number, true, false) */
} doc_value;

typedef struct doc_list {
    doc_value *items;
    size_t count;
    json_pos pos;          /* of the element's value */
    bool is_array;         /* written as an array (matters for JSON paths) */
} doc_list;

typedef enum principal_map_key { PKEY_AWS, PKEY_SERVICE, PKEY_FEDERATED, PKEY_CANONICAL } principal_map_key;

typedef struct doc_principal {
    bool star;             /* the string form "*" */
    doc_list lists[4];     /* by principal_map_key; count 0 when absent */
    json_pos pos;
} doc_principal;

typedef struct doc_condition_key {
    doc_value key;         /* the key name */
    doc_list values;
} doc_condition_key;

typedef struct doc_condition_op {
    doc_value op;          /* the operator name */
    doc_condition_key *keys;
    size_t key_count;
} doc_condition_op;

typedef enum element_flag {
    EL_SID = 1u << 0,
    EL_PRINCIPAL = 1u << 1,
    EL_NOT_PRINCIPAL = 1u << 2,
    EL_ACTION = 1u << 3,
    EL_NOT_ACTION = 1u << 4,
    EL_RESOURCE = 1u << 5,
    EL_NOT_RESOURCE = 1u << 6,
    EL_CONDITION = 1u << 7
} element_flag;

typedef struct doc_statement {
    json_pos pos;
    unsigned present;      /* element_flag bits */
    doc_value sid;
    bool allow;
    json_pos effect_pos;
    doc_principal principal;   /* Principal or NotPrincipal, by present bits */
    doc_list actions;          /* Action or NotAction */
    doc_list resources;        /* Resource or NotResource (count 0: neither) */
    doc_condition_op *conditions;
    size_t condition_count;
    json_pos condition_pos;
} doc_statement;

typedef enum policy_version { VERSION_NONE, VERSION_2008, VERSION_2012 } policy_version;

typedef struct doc_policy {
    policy_version version;
    doc_value id;
    doc_statement *statements;
    size_t statement_count;
    bool statement_is_array;
    json_pos pos;
} doc_policy;

/* Reads a policy document of the given type from a parsed JSON value: every
 * structural rule of spec 1.1-1.6 that needs no literal parsing. Strings stay
 * owned by the JSON document; the doc_* arrays come from `a`. path_prefix is
 * prepended to JSON paths in errors ("$" for a standalone document). */
iam_status doc_load(doc_policy *out, const json_value *root, iam_policy_type type,
                    const char *file, const char *path_prefix, const iam_limits *limits,
                    arena *a, iam_error *err);

/* How a policy names a request context key, prepared at compile time so a
 * lookup needs neither hashing nor folding of the policy's side. */
typedef struct ctx_key {
    uint64_t hash;         /* lit_hash_fold of the name */
    uint64_t tail;         /* ctx_tail8 of the folded name, when fast */
    uint32_t folded_len;
    bool fast;             /* the folded name is ASCII: only then can it equal an ASCII key */
    bool ascii;            /* the name itself is ASCII: its folding is its lower case */
    uint8_t fast_slot;     /* where an ASCII context's table starts looking */
    int8_t derived;        /* the derived key it names [V-D], or -1 */
} ctx_key;

/* ---- policy variables (variables.c) ------------------------------------- */

typedef enum tmpl_part_kind {
    TP_PATTERN,            /* policy text: '*' and '?' act as wildcards where the operator has them */
    TP_LITERAL,            /* ${*}, ${?}, ${$}: a literal character */
    TP_VARIABLE            /* ${key} or ${key, 'default'} */
} tmpl_part_kind;

typedef struct tmpl_part {
    uint8_t kind;
    bool has_default;
    const char *text;      /* TP_PATTERN/TP_LITERAL text; TP_VARIABLE key name */
    uint32_t len;
    ctx_key key;           /* TP_VARIABLE */
    const char *default_text;
    uint32_t default_len;
} tmpl_part;

typedef struct iam_template {
    tmpl_part *parts;
    uint32_t count;
    uint32_t variable_count;
    /* The pattern text holds no wildcard, or only one '*' that ends it (the
     * common home/${aws:username}/ and a star): after substitution it
     * matches by comparing bytes, without building a pattern. */
    bool literal_only;
    bool trailing_star;
} iam_template;

/* For a template with literal_only: whether subject matches the resolved
 * pieces (all literal but a trailing '*' piece end when trailing_star). */
bool template_match_literal(const iam_template *t, const glob_piece *pieces, size_t n,
                            const char *subject, size_t len);

/* Splits text at its policy variables. Only text from byte `from` on is
 * scanned (Resource patterns substitute only in the sixth ARN field [V-W2]).
 * Returns NULL in *out when the text holds no variable; IAM_ERR_NOMEM on
 * allocation failure. */
iam_status template_parse(iam_template **out, const char *text, size_t len, size_t from, arena *a);

/* ---- compiled policies (compile.c) --------------------------------------- */

typedef enum cond_base {
    OP_STRING_EQUALS, OP_STRING_NOT_EQUALS, OP_STRING_EQUALS_IC, OP_STRING_NOT_EQUALS_IC,
    OP_STRING_LIKE, OP_STRING_NOT_LIKE,
    OP_NUMERIC_EQUALS, OP_NUMERIC_NOT_EQUALS, OP_NUMERIC_LT, OP_NUMERIC_LE, OP_NUMERIC_GT, OP_NUMERIC_GE,
    OP_DATE_EQUALS, OP_DATE_NOT_EQUALS, OP_DATE_LT, OP_DATE_LE, OP_DATE_GT, OP_DATE_GE,
    OP_BOOL, OP_BINARY_EQUALS, OP_IP_ADDRESS, OP_NOT_IP_ADDRESS,
    OP_ARN_EQUALS, OP_ARN_LIKE, OP_ARN_NOT_EQUALS, OP_ARN_NOT_LIKE,
    OP_NULL,
    OP_COUNT
} cond_base;

typedef enum cond_qualifier { QUAL_NONE, QUAL_FOR_ALL_VALUES, QUAL_FOR_ANY_VALUE } cond_qualifier;

typedef enum value_type { VT_STRING, VT_NUMBER, VT_DATE, VT_BOOL, VT_BINARY, VT_IP, VT_ARN, VT_NULL } value_type;

typedef struct cond_operator_info {
    const char *name;
    uint8_t type;          /* value_type */
    bool negated;
    uint8_t positive;      /* cond_base of the positive counterpart */
    bool variables;        /* policy variables substituted in values [V-W3] */
} cond_operator_info;

extern const cond_operator_info cond_operators[OP_COUNT];

typedef struct cond_value {
    const char *text;      /* as text [G-J5] */
    uint32_t len;
    json_pos pos;
    const iam_template *tmpl;  /* non-NULL: resolved at evaluation */
    iam_glob *glob;        /* Like/Arn operators without variables */
    bool arn_ok;           /* Arn operators: the value has six fields */
    union {
        lit_number number;
        lit_instant instant;
        lit_ip ip;
        bool boolean;      /* Bool, Null */
        struct {
            uint8_t *bytes;
            size_t len;
        } binary;
    } typed;
} cond_value;

typedef struct cond_pair {
    uint8_t base;          /* cond_base */
    uint8_t qualifier;     /* cond_qualifier */
    bool if_exists;
    const char *op_text;   /* the operator as written */
    const char *key;       /* as written */
    uint32_t key_len;
    ctx_key key_info;
    cond_value *values;
    uint32_t value_count;
    json_pos pos;          /* of the key */
} cond_pair;

typedef enum action_kind { AP_ANY, AP_EXACT, AP_PREFIX, AP_GLOB } action_kind;

/* Most action patterns name one action or end with their only '*'
 * ("s3:Get*"): those compare bytes of the folded text and carry no glob
 * (a set of all AWS managed policies holds ~59,000 action patterns). */
typedef struct action_pattern {
    bool any;              /* "*" */
    uint8_t kind;          /* action_kind */
    uint32_t prefix_len;   /* AP_PREFIX: folded bytes before the trailing '*'s */
    iam_glob *glob;        /* AP_GLOB: over the folded "service:name" */
    const char *text;      /* as written */
    uint32_t len;
    const char *folded;    /* folded text, for the exact-name index */
    uint32_t folded_len;
    uint32_t service_len;  /* bytes of the folded service prefix */
} action_pattern;

typedef struct resource_pattern {
    bool any;              /* "*" */
    const char *text;      /* as written, after padding [M-R3] */
    uint32_t len;
    iam_glob *glob;        /* when there is no variable */
    const iam_template *tmpl;  /* sixth-field variables */
    iam_glob *service_glob;    /* [M-R7]: folded SERVICE field, when RESOURCE is exactly "*" */
    json_pos pos;
} resource_pattern;

typedef enum principal_entry_kind {
    PE_ANY, PE_ACCOUNT, PE_USER, PE_ROLE, PE_SESSION, PE_FEDERATED_USER, PE_SERVICE, PE_NEVER
} principal_entry_kind;

typedef struct principal_entry {
    uint8_t kind;
    const char *text;      /* as written */
    uint32_t len;
    const char *partition; /* ARN forms; NULL for the 12-digit shorthand */
    uint32_t partition_len;
    const char *account;   /* 12 digits */
    const char *role_name; /* PE_ROLE: last path element */
    uint32_t role_name_len;
} principal_entry;

typedef struct statement {
    bool allow;
    bool not_action, not_resource, not_principal;
    bool has_principal;    /* Principal or NotPrincipal present */
    bool any_resource;     /* no Resource element (resource policies) */
    action_pattern *actions;
    uint32_t action_count;
    resource_pattern *resources;
    uint32_t resource_count;
    principal_entry *principals;
    uint32_t principal_count;
    cond_pair *conditions;
    uint32_t condition_count;
    /* for explanations */
    uint32_t index;        /* 0-based in its policy */
    const char *sid;       /* NULL when absent */
    json_pos pos;
} statement;

struct iam_policy {
    arena arena;
    iam_policy_type type;
    policy_version version;
    const char *name;      /* source name (file) */
    const char *path;      /* JSON path of the policy in its source, e.g. "$[2].identity_policies[0]" */
    statement *statements;
    uint32_t statement_count;
    void *globs;           /* every iam_glob the policy owns (compile.c) */
};

/* How many ':' s[0..len) holds. */
unsigned colon_count(const char *s, size_t len);

/* Splits an ARN at its first five colons [M-N1]; false with fewer than five. */
bool arn_split(const char *s, size_t len, iam_str fields[6]);

/* Whether the folded action[0..len) matches the pattern. */
bool action_pattern_matches(const action_pattern *ap, const char *action, size_t len, glob_scratch *gs);

/* Compiles a loaded document into `policy` (whose arena and json are set). */
iam_status policy_compile(iam_policy *policy, const doc_policy *doc, const char *file,
                          const char *path_prefix, const iam_limits *limits, iam_error *err);

/* Parses a policy from a JSON value that belongs to a larger document (a
 * scenario file): positions and paths are those of the file. The policy
 * copies what it needs: `root`'s document may be freed afterwards. */
iam_status policy_from_json(iam_policy **out, const json_value *root, iam_policy_type type,
                            const char *file, const char *path_prefix,
                            const iam_limits *limits, iam_error *err);

/* Reads a whole file (at most max bytes) into a malloc'd buffer. */
iam_status file_read_all(const char *path, size_t max, char **out, size_t *out_len, iam_error *err);

/* ---- setups and sets ------------------------------------------------------ */

typedef struct policy_list {
    const iam_policy **items;
    size_t count;
    size_t capacity;
} policy_list;

#define IAM_MAX_LEVELS_HARD 64

/* Layers in the order AWS lists them (spec 5.4), which is also the order
 * explanations name them in. */
typedef enum layer_id {
    LAYER_RCP, LAYER_SCP, LAYER_RESOURCE, LAYER_IDENTITY, LAYER_BOUNDARY, LAYER_SESSION, LAYER_COUNT
} layer_id;

typedef struct stmt_ref {
    const statement *st;
    const iam_policy *policy;
    uint8_t layer;           /* layer_id */
    uint8_t level;           /* SCP/RCP level */
    uint32_t policy_index;   /* within the layer (identity) or the level */
} stmt_ref;

/* Action index (index.c): which statements can match an action, so that
 * evaluation follows the statements that can apply, not the set's size. */
typedef struct index_slot {
    const char *key;         /* folded action name (exact) or service prefix */
    uint32_t key_len;
    uint32_t first;          /* range in ids (exact) or wild (service) */
    uint32_t count;
    uint64_t hash;
} index_slot;

typedef struct wild_entry {
    uint32_t stmt;
    const action_pattern *pattern;
} wild_entry;

/* Exact names and per-service wildcard patterns of a group of statements. */
typedef struct action_table {
    index_slot *exact;       /* hash of exact folded actions */
    uint32_t exact_mask;
    uint32_t *exact_ids;
    index_slot *service;     /* hash of folded service prefixes */
    uint32_t service_mask;
    wild_entry *wild;
} action_table;

typedef struct action_index {
    uint32_t *always;        /* "*" or NotAction statements: candidates for every action... */
    uint32_t always_count;
    action_table not_action; /* ...less the NotAction ones whose list names it */
    action_table action;     /* Action statements, by the names they list */
} action_index;

/* Builds set->index over set->stmts, in the set's arena. */
iam_status index_build(iam_policy_set *set);
/* The statements whose Action or NotAction element matches a folded action,
 * in ascending order without duplicates, written to out (capacity cap; tmp
 * has the same capacity). Returns the count, or (size_t)-1 if cap is too
 * small (the caller then checks every statement itself). */
size_t index_candidates(const iam_policy_set *set, const char *action, size_t len, size_t service_len,
                        glob_scratch *gs, uint32_t *out, uint32_t *tmp, size_t cap);

struct iam_setup {
    policy_list identity;
    const iam_policy *boundary;
    const iam_policy *session;
    const iam_policy *resource;
    bool scps_present, rcps_present;
    unsigned scp_levels, rcp_levels;
    policy_list *scp;      /* scp_levels lists */
    policy_list *rcp;
};

struct iam_policy_set {
    arena arena;
    const iam_policy **identity;
    uint32_t identity_count;
    const iam_policy *boundary;
    const iam_policy *session;
    const iam_policy *resource;
    bool scps_present, rcps_present;
    uint32_t scp_levels, rcp_levels;
    const iam_policy ***scp;   /* per level, a list */
    uint32_t *scp_counts;
    const iam_policy ***rcp;
    uint32_t *rcp_counts;
    /* Every statement of the set, in AWS's layer order (RCP, SCP, resource,
     * identity, boundary, session) and document order within a layer. */
    stmt_ref *stmts;
    uint32_t stmt_count;
    action_index index;
};

/* ---- policy fields of scenarios and batch setups (bundle.c) ------------ */

typedef struct policy_bundle {
    iam_policy **policies;   /* owned */
    size_t count;
    size_t capacity;
    iam_setup *setup;        /* owned */
} policy_bundle;

/* Policy files named by {"file": ...} references, each loaded and compiled
 * once per (path, type, name) however often it is referenced. */
typedef struct policy_cache_entry {
    char *path;
    char *name;              /* member of the file's object, or NULL */
    iam_policy_type type;
    iam_policy *policy;
    json_doc *doc;           /* kept when the policy was a member of a larger file */
} policy_cache_entry;

typedef struct policy_cache {
    policy_cache_entry *entries;
    size_t count;
    size_t capacity;
} policy_cache;

void policy_cache_free(policy_cache *c);

typedef struct bundle_source {
    const char *file;
    const char *prefix;      /* JSON path of the object the fields belong to */
    const iam_limits *limits;
    iam_error *err;
    policy_cache *cache;     /* NULL: references are not allowed */
} bundle_source;

/* Parses the policy fields of obj (FORMAT.md) into b's policies and setup;
 * resource_policy: whether the "resource_policy" field is read too. */
iam_status bundle_load_fields(policy_bundle *b, const bundle_source *src, const json_value *obj,
                              bool resource_policy);
/* Parses one policy of obj's document and adds it to the setup (when there is one). */
iam_status bundle_add_policy(policy_bundle *b, const bundle_source *src, const json_value *v,
                             iam_policy_type type, unsigned level, const char *suffix,
                             const iam_policy **added);
void bundle_free(policy_bundle *b);

/* The request of a loaded scenario, or NULL (with err) when its input is invalid. */
const iam_request *scenario_request(const iam_scenario *sc, iam_error *err);

/* ---- requests and scratch (request.c) ------------------------------------ */

typedef enum principal_kind {
    PK_USER, PK_ROLE, PK_SESSION, PK_FEDERATED, PK_ROOT, PK_SERVICE
} principal_kind;

typedef struct principal_info {
    principal_kind kind;
    iam_str arn;           /* the request string */
    iam_str partition;
    iam_str account;       /* empty for services */
    iam_str name;          /* user name, role name, session's role name, federated name */
    iam_str role_path;     /* PK_ROLE: path between "role/" and the name, with slashes */
    bool service_linked;   /* [E-F4] */
} principal_info;

/* An ASCII context of up to CTX_FAST_MAX_KEYS keys is indexed by a table of
 * CTX_FAST_SLOTS bytes hashed on each key's length and last eight bytes. */
#define CTX_FAST_MAX_KEYS 64
#define CTX_FAST_SLOTS 128

typedef struct ctx_slot {
    uint64_t hash;
    uint32_t generation;
    bool multivalued;
    const char *key;
    size_t key_len;
    const iam_str *values;
    size_t value_count;
} ctx_slot;

/* What conditions look up: a key's state [C-K3]. */
typedef struct ctx_lookup {
    bool present;
    bool multivalued;
    const iam_str *values;
    size_t count;
} ctx_lookup;

struct iam_scratch {
    iam_limits limits;
    glob_scratch *glob;
    ctx_slot *slots;
    uint32_t slot_mask;
    uint32_t generation;
    /* The request's context: when every key is ASCII (the usual case) it is
     * searched in place, as a policy looks up only a few keys; otherwise
     * the keys are hashed into slots, folding and all. */
    bool context_hashed;
    const iam_context_entry *context;
    size_t context_count;
    uint8_t fast_slots[CTX_FAST_SLOTS];     /* entry index + 1, 0 = empty */
    uint64_t fast_tails[CTX_FAST_MAX_KEYS];
    char derived_arn[512];   /* aws:PrincipalArn of a session */
    iam_str derived_values[3];
    bool derived_set[3];
    uint64_t derived_hashes[3];  /* of the derived keys' names, computed once */
    /* The last request's principal: a run of requests by one caller parses it once. */
    char *last_principal;
    size_t last_principal_len;
    size_t last_principal_cap;
    principal_info cached_principal;   /* its parse, pointing into last_principal */
    glob_elem *elems;        /* patterns built from templates */
    size_t elem_cap;
    glob_piece *pieces;
    size_t piece_cap;
    char *join;              /* a template's pieces joined, for glob_match_pieces_fast */
    size_t join_cap;
    uint32_t *candidates;     /* statement ids from the action index */
    uint32_t *candidates_tmp;
    size_t candidate_cap;
    principal_info principal;
};

/* Parses the request principal; false when it is no recognised kind. */
bool principal_parse(const char *s, size_t len, principal_info *out);

/* Validates req, loads its context (and the derived keys [V-D]) into the
 * scratch. */
iam_status request_prepare(const iam_request *req, iam_scratch *scratch, iam_error *err);

/* Fills k for the key name[0..len) of a policy. */
void ctx_key_init(ctx_key *k, const char *name, size_t len);

ctx_lookup context_get(const iam_scratch *scratch, const char *name, size_t len, const ctx_key *k);

/* ---- conditions (condition.c) -------------------------------------------- */

/* Evaluates one (operator, key) pair; sets *limit_hit (and returns false)
 * when a substituted pattern exceeds the scratch's capacity. */
bool condition_pair_holds(const cond_pair *pair, iam_scratch *scratch, bool *limit_hit);

/* Resolves a template against the context into pieces (scratch->pieces).
 * Returns the piece count, 0 with *unresolved when a variable has no value
 * and no default, or (size_t)-1 past capacity. */
size_t template_resolve(const iam_template *t, iam_scratch *scratch, bool *unresolved);

/* Matches subject against the n pieces template_resolve left in the
 * scratch, read as a pattern in the given mode: 1 or 0, or -1 when the
 * pattern exceeds the scratch's element capacity. */
int template_glob_match(iam_scratch *scratch, size_t n, glob_mode mode, const char *subject, size_t len);

/* ---- explanations (explain.c) -------------------------------------------- */

typedef enum reason_code {
    RC_CALLER_IDENTITY,           /* [E-K4] */
    RC_SESSION_TOKEN_ALLOWED,     /* [E-K5] */
    RC_SESSION_TOKEN_DENIED,      /* [E-K5] */
    RC_EXPLICIT_DENY,             /* [E-D1] */
    RC_SCP_LEVEL_NO_ALLOW,        /* [E-S1] (level) */
    RC_SERVICE_NO_GRANT,          /* [E-X2] */
    RC_CROSS_RESOURCE_NO_GRANT,   /* [E-CA1] */
    RC_IDENTITY_NO_ALLOW,         /* [E-SA] path c, [E-CA2] */
    RC_BOUNDARY_NO_ALLOW,
    RC_SESSION_NO_ALLOW,
    RC_FEDERATED_NO_SESSION_POLICY, /* [E-SP] */
    RC_RESOURCE_POLICY_REQUIRED,  /* [E-K2] */
    RC_ALLOWED_DIRECT,            /* path a */
    RC_ALLOWED_PARENT,            /* path b */
    RC_ALLOWED_IDENTITY,          /* path c */
    RC_ALLOWED_ROOT,              /* path c for the root user [E-X1] */
    RC_ALLOWED_CROSS_ACCOUNT,     /* [E-CA1] + [E-CA2] */
    RC_ALLOWED_SERVICE            /* [E-X2] */
} reason_code;

typedef struct stmt_trace {
    uint32_t stmt;            /* id in set->stmts */
    bool action, resource, conditions, applies;
    int8_t principal;         /* -1: no principal part; 0/1 */
    bool conditions_evaluated;
    bool not_principal_by_boundary;   /* [M-NP3] */
    uint8_t grant;            /* grant class of an applicable resource-policy Allow */
    int32_t failed_pair;      /* first condition pair that failed, or -1 */
    bool failed_missing;      /* its key was missing */
    const iam_str *failed_values;   /* copies of the request's values for it */
    size_t failed_value_count;
} stmt_trace;

typedef struct explain_reason {
    uint8_t code;             /* reason_code */
    uint32_t level;
} explain_reason;

struct iam_explanation {
    arena arena;              /* everything below, reset per evaluation */
    const iam_policy_set *set;
    iam_decision decision;
    const char *principal, *action, *resource;
    bool layer_applies[LAYER_COUNT];
    bool same_account;
    stmt_trace *traces;
    size_t trace_count, trace_cap;
    explain_reason reasons[24];
    size_t reason_count;
    const char **missing;
    size_t missing_count, missing_cap;
    char *json, *text;        /* rendered on demand */
    int text_color;
};

/* Starts a new explanation of req against set (drops the previous one). */
iam_status explain_begin(iam_explanation *x, const iam_policy_set *set, const iam_request *req);
/* NULL when memory runs out. */
stmt_trace *explain_trace(iam_explanation *x, uint32_t stmt);
void explain_reason_add(iam_explanation *x, reason_code code, uint32_t level);
void explain_missing_key(iam_explanation *x, const char *key, size_t len);
const iam_str *explain_copy_values(iam_explanation *x, const iam_str *values, size_t n);

const char *grant_class_name(int grant_class);
const char *layer_name(int layer);

#endif
