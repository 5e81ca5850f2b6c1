/* A strict RFC 8259 JSON reader that remembers where every value stood.
 *
 * jansson, the reference parser, reports positions only for syntax errors;
 * explanations and `iameval check` need the line and column of every element,
 * so the loader reads JSON with this reader. It is held against jansson by
 * tests/test_json.c and fuzz/fuzz_json.c: same acceptance, same values.
 *
 * Acceptance rules (jansson's strict mode, JSON_REJECT_DUPLICATES):
 *  - exactly one value, optional surrounding whitespace (space, \t, \n, \r);
 *  - strings are valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF), no raw
 *    control characters (< 0x20), escapes \" \\ \/ \b \f \n \r \t \uXXXX with
 *    surrogate pairs combined; a lone or mismatched surrogate escape and \u0000
 *    are errors (a C string cannot hold NUL);
 *  - numbers follow the RFC grammar (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)
 *    and are kept as the exact text written (IAM keeps "1.50" as "1.50"); no
 *    magnitude limit (jansson rejects integers beyond 64 bits: a known difference);
 *  - a member name repeated within one object is an error naming the member;
 *  - nesting deeper than max_depth arrays/objects is an error.
 *
 * Positions: line is 1-based; column is 1-based and counts UTF-8 code points
 * (what an editor shows); offset is the 0-based byte offset.
 */
#ifndef IAMEVAL_JSON_H
#define IAMEVAL_JSON_H

#include <stddef.h>
#include <stdint.h>

typedef enum jv_type {
    JV_NULL,
    JV_FALSE,
    JV_TRUE,
    JV_NUMBER,
    JV_STRING,
    JV_ARRAY,
    JV_OBJECT
} jv_type;

typedef struct json_pos {
    uint32_t line;
    uint32_t column;
    uint32_t offset;
} json_pos;

typedef struct json_value json_value;

typedef struct json_member {
    const char *key;      /* decoded, NUL-terminated */
    size_t key_len;
    json_pos key_pos;     /* position of the opening quote of the name */
    json_value *value;
} json_member;

struct json_value {
    jv_type type;
    json_pos pos;         /* position of the value's first character */
    union {
        struct {          /* JV_STRING: decoded UTF-8; JV_NUMBER: text as written */
            const char *ptr;  /* NUL-terminated */
            size_t len;
        } text;
        struct {
            json_value **items;
            size_t count;
        } array;
        struct {
            json_member *members;  /* in document order */
            size_t count;
        } object;
    } u;
};

typedef struct json_doc json_doc;   /* owns every value it hands out */

typedef struct json_error {
    json_pos pos;         /* where the problem was found */
    char message[160];    /* e.g. "duplicate member \"Effect\"", "invalid UTF-8 in string" */
} json_error;

/* Parses text[0..len). Lines are counted from first_line (1 for a whole file;
 * the line number of a JSONL line otherwise). Returns NULL with *err filled on
 * any error (err may be NULL); an allocation failure is reported as an error
 * with message "out of memory". text need not be NUL-terminated. */
json_doc *jv_parse(const char *text, size_t len, uint32_t first_line,
                     unsigned max_depth, json_error *err);

const json_value *jv_root(const json_doc *doc);

/* Frees the document and every value in it; NULL is a no-op. */
void jv_doc_free(json_doc *doc);

/* The member of obj named key (exact bytes), or NULL. obj must be an object. */
const json_value *jv_get(const json_value *obj, const char *key);

#endif
