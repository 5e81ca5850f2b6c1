/* IAM wildcard patterns (spec 2.1 [M-W], 2.4 [M-R4], 3.5.7 [C-O20]).
 *
 * A pattern is compiled once, when its policy is compiled, and matched many
 * times from many threads: an iam_glob is immutable after glob_compile.
 * Per-thread state (PCRE2 match data, the match context with its limits)
 * lives in a glob_scratch that the caller creates once per thread.
 *
 * Matching is always case-sensitive: callers that need the case-insensitive
 * variant [M-W3] fold both the pattern text and the subject with lit_fold
 * first, so that every path uses the same simple Unicode folding.
 *
 * Modes (which wildcards may consume ':'):
 *   GLOB_PLAIN     every '*' and '?' matches any character (StringLike, the
 *                  name part of actions).
 *   GLOB_RESOURCE  the Resource element [M-R4]: in the first five
 *                  colon-separated fields of the pattern (before its fifth ':'),
 *                  '*' and '?' do not match ':', except that a '*' immediately
 *                  followed by ':' (the last character of its field) matches
 *                  anything; in the sixth field everything matches anything.
 *   GLOB_ARN       the Arn* condition operators [C-O20]: like GLOB_RESOURCE
 *                  but no first-five-field wildcard ever matches ':'. (The
 *                  caller checks that both sides have six fields.)
 * '?' matches exactly one code point [M-W2]; subjects may be invalid UTF-8,
 * where each invalid byte counts as one character.
 *
 * Paths: an exact pattern (no wildcard) compares bytes; a pattern whose only
 * wildcard is one trailing unrestricted '*' compares a prefix; one whose
 * wildcards are all '*' (in the first five fields either all of them may
 * cross colons or none may) searches its literal segments field by field;
 * everything else runs PCRE2 (JIT when available), and when PCRE2 reports
 * an error such as its match limit, an allocation-free position-set matcher
 * over the same elements decides instead, so every pattern's cost is bounded.
 */
#ifndef IAMEVAL_MATCH_H
#define IAMEVAL_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum glob_mode { GLOB_PLAIN, GLOB_RESOURCE, GLOB_ARN } glob_mode;

/* One element of a pattern: a literal code point or a wildcard. */
typedef enum glob_elem_kind { GLOB_LITERAL, GLOB_ANY_ONE, GLOB_ANY_RUN } glob_elem_kind;

typedef struct glob_elem {
    uint8_t kind;              /* glob_elem_kind */
    uint8_t crosses_colon;     /* wildcard may consume ':' */
    uint32_t cp;               /* GLOB_LITERAL: the code point (or 0xDC00+byte) */
} glob_elem;

typedef struct iam_glob iam_glob;
typedef struct glob_scratch glob_scratch;

/* Largest number of elements glob_match_elems accepts (its position set
 * lives on the stack). Patterns are limited far below this by iam_limits. */
#define GLOB_MAX_ELEMS 8192

/* Compiles pattern[0..len) in the given mode. Returns NULL on allocation or
 * PCRE2 failure. The result owns its memory; free with glob_free. */
iam_glob *glob_compile(const char *pattern, size_t len, glob_mode mode);
void glob_free(iam_glob *g);

/* True when the pattern has no wildcard at all. */
bool glob_is_exact(const iam_glob *g);

/* Per-thread scratch; NULL on allocation failure. */
glob_scratch *glob_scratch_create(void);
void glob_scratch_free(glob_scratch *s);

/* Matches the whole subject. Allocates nothing once the scratch exists. */
bool glob_match(const iam_glob *g, const char *subject, size_t len, glob_scratch *s);

/* Patterns built at evaluation time (a Resource or StringLike value with a
 * policy variable, spec 4): the caller lays out elements, marking substituted
 * text as GLOB_LITERAL so it never acts as a wildcard [V-W5], and matches
 * with this position-set matcher. n <= GLOB_MAX_ELEMS. */
bool glob_match_elems(const glob_elem *elems, size_t n, const char *subject, size_t len);

/* Translates pattern text to elements in the given mode (what glob_compile
 * does first). Returns the element count, or (size_t)-1 if more than cap. */
size_t glob_parse(const char *pattern, size_t len, glob_mode mode, glob_elem *out, size_t cap);

/* A pattern assembled at evaluation time from pieces: pattern text (wildcards
 * active) and substituted values (literal == true: every character, '*' and
 * '?' included, becomes a GLOB_LITERAL). Field numbering for the modes counts
 * the ':' of every piece, literal or not, as if the pieces were one string; a
 * '*' that ends a pattern piece counts as followed by ':' when the next piece
 * starts with ':'. glob_parse(p, n, ...) equals glob_parse_pieces of the one
 * piece {p, n, false}. Returns the element count, or (size_t)-1 if over cap. */
typedef struct glob_piece {
    const char *ptr;
    size_t len;
    bool literal;
} glob_piece;

size_t glob_parse_pieces(const glob_piece *pieces, size_t n, glob_mode mode,
                         glob_elem *out, size_t cap);

/* glob_match_elems of what glob_parse_pieces(pieces, n, mode) would build,
 * answered by the field matcher of PATH_FIELDS when the pattern is one it
 * takes: no '*' or '?' in a literal piece, valid UTF-8, only '*' wildcards
 * that fit its plan. buf (cap bytes) receives the joined text. Returns 1 on
 * a match, 0 on none, -1 when the caller must parse and simulate instead.
 * Allocates nothing. */
int glob_match_pieces_fast(const glob_piece *pieces, size_t n, glob_mode mode,
                           const char *subject, size_t len, char *buf, size_t cap);

/* For the differential fuzz target and tests: force one path.
 * 0 = automatic, 1 = PCRE2 JIT, 2 = PCRE2 interpreter, 3 = element matcher,
 * 4 = the exact/prefix/field fast path (returns the automatic answer when the
 * pattern has no fast path). Paths 1 and 2 compile a fast-path pattern's
 * regex for the one call (allocating), so both paths can be compared. */
bool glob_match_path(const iam_glob *g, const char *subject, size_t len, glob_scratch *s, int path);

#endif
