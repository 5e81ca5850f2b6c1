/* iameval: decide AWS IAM authorization requests offline, as AWS would.
 *
 * Life-cycle
 *   1. Parse each policy document once:   iam_policy_parse / iam_policy_load_file.
 *      Parsing checks the whole grammar of its policy type and compiles its
 *      patterns and literals; a bad document yields an iam_error naming file,
 *      line, column and the JSON path of the offending element.
 *   2. Describe one principal's situation: iam_setup_create, iam_setup_add
 *      (identity policies, boundary, session policy, SCP and RCP levels,
 *      resource policy), then iam_policy_set_compile.
 *   3. Evaluate requests against the compiled set: iam_evaluate, with a
 *      per-thread iam_scratch. Evaluation allocates nothing and locks nothing.
 *
 * Ownership
 *   Every object returned through an `**out` parameter is the caller's and is
 *   released by its paired *_free function; *_free(NULL) does nothing.
 *   An iam_setup and an iam_policy_set borrow the iam_policy objects added to
 *   them: keep each policy alive until every set compiled from it is freed.
 *   Requests are views (pointer + length) into the caller's memory, read only
 *   during the call.
 *
 * Threads
 *   iam_policy and iam_policy_set are immutable once returned: any number of
 *   threads may evaluate against them at once. An iam_scratch belongs to one
 *   thread at a time. An iam_setup is not safe to modify from two threads.
 *   There is no global state.
 *
 * Errors
 *   Functions return IAM_OK (0) or an iam_status. Where they take an
 *   `iam_error *err`, it may be NULL; otherwise it is filled on failure (and
 *   left untouched on success). A decision is never an error: "denied" is a
 *   normal result of iam_evaluate.
 *
 * Strings are UTF-8. The spec this implements is shared/spec/iam-semantics.md;
 * rule ids such as [E-I1] refer to it.
 */
#ifndef IAMEVAL_H
#define IAMEVAL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define IAM_API
#elif defined(__GNUC__)
#define IAM_API __attribute__((visibility("default")))
#else
#define IAM_API
#endif

#define IAM_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------------ */
/* Status codes and errors                                                   */
/* ------------------------------------------------------------------------ */

typedef enum iam_status {
    IAM_OK = 0,
    IAM_ERR_JSON = 1,     /* not valid JSON: syntax, UTF-8, duplicate member, nesting */
    IAM_ERR_POLICY = 2,   /* valid JSON but not a valid policy of its type [G-M] */
    IAM_ERR_REQUEST = 3,  /* an impossible request or scenario [E-I1], [M-N5] */
    IAM_ERR_LIMIT = 4,    /* input beyond a bound of iam_limits */
    IAM_ERR_IO = 5,       /* a file could not be read */
    IAM_ERR_NOMEM = 6,    /* allocation failed */
    IAM_ERR_ARGUMENT = 7  /* API misuse: NULL where required, a second boundary, ... */
} iam_status;

/* Filled by a failing call; plain data, nothing to free. Strings are
 * NUL-terminated and truncated to fit. */
typedef struct iam_error {
    iam_status code;
    char file[256];       /* source name given to the call, or "" */
    uint32_t line;        /* 1-based; 0 when the error has no position */
    uint32_t column;      /* 1-based, in characters */
    char path[256];       /* JSON path of the element, e.g. "$.Statement[1].Effect", or "" */
    char message[256];    /* one line, no trailing newline */
} iam_error;

/* Name of a status code, e.g. "policy error". Never NULL. */
IAM_API const char *iam_status_name(iam_status status);

/* Writes "file:line:column: message (at path)" into buf (always
 * NUL-terminated when size > 0); returns buf. */
IAM_API char *iam_error_format(const iam_error *err, char *buf, size_t size);

/* ------------------------------------------------------------------------ */
/* Limits on untrusted input                                                 */
/* ------------------------------------------------------------------------ */

/* Bounds on what a document or request may build. Functions that take
 * `const iam_limits *` use iam_limits_init's defaults when it is NULL. */
typedef struct iam_limits {
    size_t max_document_bytes;     /* one policy document: 1 MiB */
    size_t max_file_bytes;         /* one scenario or setup file: 256 MiB */
    uint32_t max_depth;            /* JSON nesting of arrays and objects: 64 */
    uint32_t max_statements;       /* statements in one policy: 10000 */
    uint32_t max_values;           /* values in one element or condition key: 20000 */
    uint32_t max_pattern_bytes;    /* one action, resource or condition value: 4096 */
    uint32_t max_wildcards;        /* '*' and '?' in one pattern: 128 */
    uint32_t max_policies_per_layer; /* identity policies, or policies of one SCP/RCP level: 10000 */
    uint32_t max_levels;           /* SCP or RCP levels: 16 */
    uint32_t max_context_keys;     /* keys in one request context: 1024 */
} iam_limits;

IAM_API void iam_limits_init(iam_limits *limits);

/* ------------------------------------------------------------------------ */
/* Policies                                                                  */
/* ------------------------------------------------------------------------ */

/* The type decides which elements a document may hold (spec 1.5). */
typedef enum iam_policy_type {
    IAM_POLICY_IDENTITY = 0,
    IAM_POLICY_BOUNDARY = 1,
    IAM_POLICY_SESSION = 2,
    IAM_POLICY_RESOURCE = 3,
    IAM_POLICY_SCP = 4,
    IAM_POLICY_RCP = 5
} iam_policy_type;

/* "identity", "boundary", "session", "resource", "scp", "rcp". */
IAM_API const char *iam_policy_type_name(iam_policy_type type);

typedef struct iam_policy iam_policy;

/* Parses and compiles one policy document from text[0..len) (no NUL needed).
 * source_name (may be NULL) names it in errors and explanations.
 * On success *out is a new policy; on failure *out is NULL and err says why
 * (IAM_ERR_JSON, IAM_ERR_POLICY, IAM_ERR_LIMIT or IAM_ERR_NOMEM). */
IAM_API iam_status iam_policy_parse(iam_policy **out, const char *text, size_t len,
                                    iam_policy_type type, const char *source_name,
                                    const iam_limits *limits, iam_error *err);

/* iam_policy_parse of a file's contents; IAM_ERR_IO if it cannot be read. */
IAM_API iam_status iam_policy_load_file(iam_policy **out, const char *path,
                                        iam_policy_type type,
                                        const iam_limits *limits, iam_error *err);

IAM_API void iam_policy_free(iam_policy *policy);

IAM_API iam_policy_type iam_policy_get_type(const iam_policy *policy);
IAM_API const char *iam_policy_get_name(const iam_policy *policy);  /* "" if none */
IAM_API size_t iam_policy_statement_count(const iam_policy *policy);

/* ------------------------------------------------------------------------ */
/* Setups and compiled policy sets                                           */
/* ------------------------------------------------------------------------ */

typedef struct iam_setup iam_setup;

IAM_API iam_status iam_setup_create(iam_setup **out);
IAM_API void iam_setup_free(iam_setup *setup);

/* Declares that SCPs (type IAM_POLICY_SCP) or RCPs (IAM_POLICY_RCP) are in
 * force with `levels` levels, organization root first (spec 5.1). Without
 * this call the account is in no organization for that type. Levels may stay
 * empty: an empty SCP level allows nothing [E-S2]; every RCP level implies
 * RCPFullAWSAccess [E-R2]. Calling it again changes the number of levels. */
IAM_API iam_status iam_setup_set_levels(iam_setup *setup, iam_policy_type type,
                                        unsigned levels, iam_error *err);

/* Adds a policy to the layer of its type. `level` selects the SCP or RCP
 * level (declared with iam_setup_set_levels) and must be 0 otherwise. A
 * second boundary, session or resource policy is IAM_ERR_ARGUMENT. */
IAM_API iam_status iam_setup_add(iam_setup *setup, const iam_policy *policy,
                                 unsigned level, iam_error *err);

typedef struct iam_policy_set iam_policy_set;

/* Compiles the setup into an immutable, indexed policy set. The setup may be
 * changed or freed afterwards; the policies it names must outlive the set. */
IAM_API iam_status iam_policy_set_compile(iam_policy_set **out, const iam_setup *setup,
                                          const iam_limits *limits, iam_error *err);
IAM_API void iam_policy_set_free(iam_policy_set *set);

/* ------------------------------------------------------------------------ */
/* Requests and decisions                                                    */
/* ------------------------------------------------------------------------ */

/* A view into caller memory; ptr == NULL means "absent". */
typedef struct iam_str {
    const char *ptr;
    size_t len;
} iam_str;

/* One context key: a single string (multivalued == 0, value_count == 1) or a
 * list of any length, including 0 or 1 (multivalued != 0) [C-K3]. */
typedef struct iam_context_entry {
    iam_str key;
    const iam_str *values;
    size_t value_count;
    int multivalued;
} iam_context_entry;

typedef struct iam_request {
    iam_str principal;          /* ARN of the caller, or a service principal name */
    iam_str action;             /* "service:Action" */
    iam_str resource;           /* resource ARN or "*" */
    iam_str resource_account;   /* absent: from the ARN, else the principal's [M-N6] */
    const iam_context_entry *context;
    size_t context_count;
    iam_str management_account; /* optional [E-X5] */
    iam_str federated_by;       /* optional [M-P7]: IAM user ARN behind a federated user */
} iam_request;

typedef enum iam_decision {
    IAM_IMPLICIT_DENY = 0,
    IAM_ALLOWED = 1,
    IAM_EXPLICIT_DENY = 2
} iam_decision;

/* "implicitDeny", "allowed", "explicitDeny" (the AWS policy simulator's words). */
IAM_API const char *iam_decision_name(iam_decision decision);

/* Per-thread working memory for iam_evaluate. Create one per thread, reuse it
 * for every request; sized by limits (NULL: defaults). */
typedef struct iam_scratch iam_scratch;

IAM_API iam_status iam_scratch_create(iam_scratch **out, const iam_limits *limits);
IAM_API void iam_scratch_free(iam_scratch *scratch);

/* Decides req against set (spec section 5). On IAM_OK *decision holds the
 * result. An invalid request (unrecognised principal, action or resource,
 * context keys equal ignoring case, policies the principal cannot have:
 * [E-I1]) returns IAM_ERR_REQUEST and no decision. Allocates nothing. */
IAM_API iam_status iam_evaluate(const iam_policy_set *set, const iam_request *req,
                                iam_scratch *scratch, iam_decision *decision,
                                iam_error *err);

/* ------------------------------------------------------------------------ */
/* Explanations (spec section 6)                                             */
/* ------------------------------------------------------------------------ */

/* Why a request was decided: each layer's verdict, every statement that was
 * evaluated (whether its action, resource, principal and conditions matched,
 * and for a failed condition the operator, key, request and policy values),
 * the decisive statements, and the context keys that conditions referenced
 * but the request did not supply (AWS's MissingContextValues). Caller-owned
 * and reusable; filling one allocates, plain iam_evaluate never does. */
typedef struct iam_explanation iam_explanation;

IAM_API iam_status iam_explanation_create(iam_explanation **out);
IAM_API void iam_explanation_free(iam_explanation *explanation);

/* iam_evaluate, also filling `explanation` (replacing what it held). The
 * explanation refers to `set`: keep the set alive while reading it. The
 * decision is always the one iam_evaluate gives. */
IAM_API iam_status iam_evaluate_explain(const iam_policy_set *set, const iam_request *req,
                                        iam_scratch *scratch, iam_decision *decision,
                                        iam_explanation *explanation, iam_error *err);

IAM_API iam_decision iam_explanation_decision(const iam_explanation *explanation);

/* A statement named by an explanation (spec [D-X1]). Strings are owned by
 * the explanation's policy set. */
typedef struct iam_statement_ref {
    const char *layer;          /* "rcp", "scp", "resource", "identity", "boundary", "session" */
    uint32_t level;             /* SCP/RCP level (0 = organization root); 0 otherwise */
    uint32_t policy_index;      /* index in identity_policies, or within the level */
    const char *policy_name;    /* the policy's source name (file), "" if none */
    const char *policy_path;    /* JSON path of the policy in its source */
    uint32_t statement_index;   /* 0-based; a single-object Statement is 0 */
    const char *sid;            /* NULL when the statement has none */
    int allow;                  /* 1 Allow, 0 Deny */
    uint32_t line, column;      /* of the statement object */
    const char *grant_class;    /* resource-policy Allows: "DIRECT", "WILDCARD", "PARENT",
                                   "ACCOUNT" or "SERVICE" (spec 5.5); NULL otherwise */
} iam_statement_ref;

/* The decisive statements ([D-X2]-[D-X4]), in AWS's layer order and
 * document order: every applicable Deny for explicitDeny; the statements of
 * the grant path and one Allow per SCP level for allowed; none for
 * implicitDeny (its reasons say which allow is missing). */
IAM_API size_t iam_explanation_decisive_count(const iam_explanation *explanation);
IAM_API iam_status iam_explanation_decisive(const iam_explanation *explanation, size_t i,
                                            iam_statement_ref *out);

IAM_API size_t iam_explanation_missing_count(const iam_explanation *explanation);
IAM_API const char *iam_explanation_missing_key(const iam_explanation *explanation, size_t i);

/* The whole explanation as one JSON document (schema in README.md) or as a
 * readable report (ANSI colours when `color`). Owned by the explanation,
 * valid until it is filled again or freed; NULL if memory runs out. */
IAM_API const char *iam_explanation_json(iam_explanation *explanation);
IAM_API const char *iam_explanation_text(iam_explanation *explanation, int color);

/* ------------------------------------------------------------------------ */
/* Scenario files (shared/conformance/FORMAT.md)                             */
/* ------------------------------------------------------------------------ */

/* A scenario file: one scenario object, an array of them, or JSONL (by the
 * ".jsonl" suffix). Each scenario is loaded on its own: a malformed policy or
 * request makes that scenario's input invalid (iam_scenario_run reports it),
 * while a file that is not readable or not JSON fails the whole load. */
typedef struct iam_scenario_file iam_scenario_file;
typedef struct iam_scenario iam_scenario;

typedef enum iam_expect {
    IAM_EXPECT_NONE = -1,
    IAM_EXPECT_IMPLICIT_DENY = IAM_IMPLICIT_DENY,
    IAM_EXPECT_ALLOWED = IAM_ALLOWED,
    IAM_EXPECT_EXPLICIT_DENY = IAM_EXPLICIT_DENY,
    IAM_EXPECT_ERROR = 3
} iam_expect;

IAM_API iam_status iam_scenario_file_load(iam_scenario_file **out, const char *path,
                                          const iam_limits *limits, iam_error *err);
/* The same from memory: text[0..len) is JSON (jsonl == 0) or JSONL;
 * source_name (may be NULL) names it in errors. text may be freed after. */
IAM_API iam_status iam_scenario_file_parse(iam_scenario_file **out, const char *text, size_t len,
                                           int jsonl, const char *source_name,
                                           const iam_limits *limits, iam_error *err);
IAM_API void iam_scenario_file_free(iam_scenario_file *file);

IAM_API size_t iam_scenario_file_count(const iam_scenario_file *file);
/* The i-th scenario (i < count), owned by the file. */
IAM_API const iam_scenario *iam_scenario_file_get(const iam_scenario_file *file, size_t i);

IAM_API const char *iam_scenario_name(const iam_scenario *scenario);   /* "" if none */
IAM_API iam_expect iam_scenario_expect(const iam_scenario *scenario);
/* Where the scenario object starts in its file. */
IAM_API uint32_t iam_scenario_line(const iam_scenario *scenario);
IAM_API uint32_t iam_scenario_column(const iam_scenario *scenario);

/* Decides the scenario. Returns IAM_OK with *decision, or the error that
 * makes its input invalid (the load error of one of its policies, or the
 * request's), copied into err. */
IAM_API iam_status iam_scenario_run(const iam_scenario *scenario, iam_scratch *scratch,
                                    iam_decision *decision, iam_error *err);

/* iam_scenario_run that also fills an explanation (valid while the scenario
 * file is loaded). */
IAM_API iam_status iam_scenario_explain(const iam_scenario *scenario, iam_scratch *scratch,
                                        iam_decision *decision, iam_explanation *explanation,
                                        iam_error *err);

/* ------------------------------------------------------------------------ */
/* Newly granted access: iameval diff                                        */
/* ------------------------------------------------------------------------ */

/* Two setups (each a JSON object with a scenario's policy fields, policies
 * inline or {"file": ...} references, and optionally "request" with a
 * "principal"), decided on the same requests; the requests whose decision
 * changed are kept, newly allowed first. Without a request file the requests
 * are generated from both setups' statements: every action of the shipped AWS
 * action catalog that an Action pattern (or a NotAction complement) can
 * match, resources instantiated from the Resource patterns, and contexts
 * drawn from the condition values. That is a thorough sample, not a proof. */
typedef struct iam_diff iam_diff;

typedef struct iam_diff_options {
    const char *principal;      /* the caller; NULL: OLD's (or NEW's) "request.principal",
                                   else arn:aws:sts::111122223333:assumed-role/iameval-diff/session */
    const char *requests_path;  /* JSONL of {"request": {...}} lines to use instead; NULL: generate */
    size_t max_requests;        /* bound on generated requests; 0: 2,000,000 */
} iam_diff_options;

IAM_API iam_status iam_diff_run(iam_diff **out, const char *old_path, const char *new_path,
                                const iam_diff_options *options, const iam_limits *limits,
                                iam_error *err);
IAM_API void iam_diff_free(iam_diff *diff);

IAM_API size_t iam_diff_request_count(const iam_diff *diff);   /* requests decided */
IAM_API int iam_diff_truncated(const iam_diff *diff);          /* max_requests was reached */
IAM_API const char *iam_diff_principal(const iam_diff *diff);

typedef struct iam_diff_change {
    iam_decision before, after;
    const char *action;
    const char *resource;
    const char *context_json;   /* the request's context as a JSON object; valid until the
                                   next iam_diff_change_get on this diff */
} iam_diff_change;

/* Changes in report order: newly allowed, then newly denied, then one kind of
 * deny turned into the other; by action and resource within each. */
IAM_API size_t iam_diff_change_count(const iam_diff *diff);
IAM_API iam_status iam_diff_change_get(iam_diff *diff, size_t i, iam_diff_change *out);

/* ------------------------------------------------------------------------ */
/* Batches (shared/conformance/FORMAT.md, section Batches)                   */
/* ------------------------------------------------------------------------ */

/* A SETUP: the policy fields of a scenario plus an optional map
 * "resource_policies" of id -> resource policy, compiled once (one policy
 * set per resource policy). Immutable once loaded: threads share it. A
 * malformed policy anywhere in it fails the load [D-V4]. */
typedef struct iam_batch_setup iam_batch_setup;

IAM_API iam_status iam_batch_setup_load(iam_batch_setup **out, const char *path,
                                        const iam_limits *limits, iam_error *err);
IAM_API iam_status iam_batch_setup_parse(iam_batch_setup **out, const char *text, size_t len,
                                         const char *source_name, const iam_limits *limits,
                                         iam_error *err);
IAM_API void iam_batch_setup_free(iam_batch_setup *setup);

/* Per-thread state for reading and deciding lines (it holds an iam_scratch
 * and the decoded strings of the current line). */
typedef struct iam_batch_reader iam_batch_reader;

IAM_API iam_status iam_batch_reader_create(iam_batch_reader **out, const iam_limits *limits);
IAM_API void iam_batch_reader_free(iam_batch_reader *reader);

/* The outcome of one line. */
typedef struct iam_batch_result {
    iam_status status;      /* IAM_OK: decision holds; otherwise the line's input is
                               invalid, it is decided "error", and error says why */
    iam_decision decision;
    iam_expect expect;      /* IAM_EXPECT_NONE when the line has no "expect" */
    iam_str name;           /* the line's "name" (decoded; ptr NULL when absent),
                               valid until the reader's next call */
    iam_error error;
} iam_batch_result;

/* Reads one JSONL request line (line[0..len), no newline needed) and decides
 * it against the setup: {"name": ..., "request": {...}, "resource_policy": ID,
 * "expect": ...}. A line's own problems are reported in out->status, and the
 * call still returns IAM_OK; it returns an error only for API misuse.
 * Allocates nothing. */
IAM_API iam_status iam_batch_decide(const iam_batch_setup *setup, const char *line, size_t len,
                                    iam_batch_reader *reader, iam_batch_result *out);

/* ------------------------------------------------------------------------ */
/* Policy validation                                                         */
/* ------------------------------------------------------------------------ */

/* iam_policy_check reports what is wrong with one policy document, as a
 * list of findings for a validator in CI (`iameval check`):
 *  - errors: the document would be rejected (the first error that
 *    iam_policy_parse reports, with a stable code derived from the rule it
 *    breaks); a document with an error gets no warnings;
 *  - warnings, on a valid document: size over AWS's quota for its type,
 *    risky grants, and names no AWS service defines, checked against the
 *    catalog of actions and condition keys built into the library (dated by
 *    iam_catalog_date).
 * Codes and meanings are listed by iam_check_rules and in README.md. */

typedef enum iam_severity {
    IAM_SEVERITY_ERROR = 0,
    IAM_SEVERITY_WARNING = 1
} iam_severity;

/* One finding; its strings belong to the iam_findings it came from and
 * live until iam_findings_free. */
typedef struct iam_finding {
    iam_severity severity;
    const char *code;       /* stable, e.g. "E-EFFECT", "W-ACTION-UNKNOWN" */
    const char *file;       /* the source_name given to the check, or "" */
    uint32_t line;          /* 1-based; 0 when the finding has no position */
    uint32_t column;        /* 1-based, in characters */
    const char *path;       /* JSON path of the element, e.g. "$.Statement[0].Action[2]", or "" */
    const char *message;    /* one line (control characters escaped), valid UTF-8 */
} iam_finding;

/* A finding code: its identifier, severity and one-line summary. */
typedef struct iam_check_rule {
    const char *code;
    iam_severity severity;
    const char *summary;
} iam_check_rule;

typedef struct iam_findings iam_findings;

/* Checks the policy text[0..len) as a policy of the given type. Returns
 * IAM_OK with *out holding the findings (none for a clean policy), whether
 * or not the document is valid; it fails only for IAM_ERR_ARGUMENT (out or
 * text NULL, unknown type) and IAM_ERR_NOMEM, with *out NULL. Findings are
 * in document order. source_name (may be NULL) is the finding's file;
 * limits as for iam_policy_parse (NULL: defaults). Thread-safe: the catalog
 * is constant data. */
IAM_API iam_status iam_policy_check(iam_findings **out, const char *text, size_t len,
                                    iam_policy_type type, const char *source_name,
                                    const iam_limits *limits, iam_error *err);
IAM_API void iam_findings_free(iam_findings *findings);

IAM_API size_t iam_findings_count(const iam_findings *findings);
IAM_API size_t iam_findings_error_count(const iam_findings *findings);
/* Fills *out with the i-th finding (i < count); IAM_ERR_ARGUMENT otherwise. */
IAM_API iam_status iam_findings_get(const iam_findings *findings, size_t i, iam_finding *out);

/* Every code iam_policy_check can report, errors first; *count receives the
 * number of entries. Static data, never NULL. */
IAM_API const iam_check_rule *iam_check_rules(size_t *count);

/* The date of AWS's data behind the built-in catalog, "YYYY-MM-DD". */
IAM_API const char *iam_catalog_date(void);

#ifdef __cplusplus
}
#endif

#endif
