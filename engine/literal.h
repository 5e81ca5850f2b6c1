/* Typed condition literals (spec 3.5, 3.9): numbers, instants, IP ranges,
 * base64 and Unicode case folding. Policy values are parsed once when a
 * policy is compiled (a value that does not parse is a load error, M14);
 * request values are parsed at evaluation, so every function here works on
 * (pointer, length) views, allocates nothing and keeps no state. */
#ifndef IAMEVAL_LITERAL_H
#define IAMEVAL_LITERAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Numbers [C-O5], [C-O6] ----------------------------------------------
 * Syntax: optional '-' or '+', one or more digits, optionally '.' and one or
 * more digits. Nothing else: no exponent, hex, whitespace, "10." or ".5".
 * Compared exactly by value ("10" == "10.0" == "+010", "-0" == "0"), with no
 * precision limit: the digits are views into the parsed text, which must
 * outlive the lit_number. */
typedef struct lit_number {
    bool negative;             /* false for any zero */
    const char *int_digits;    /* leading zeros stripped; int_len may be 0 */
    size_t int_len;
    const char *frac_digits;   /* trailing zeros stripped; frac_len may be 0 */
    size_t frac_len;
} lit_number;

bool lit_number_parse(const char *s, size_t len, lit_number *out);
/* <0, 0, >0 as a is less than, equal to, greater than b. */
int lit_number_compare(const lit_number *a, const lit_number *b);

/* ---- Instants [C-O8], [C-O9] ---------------------------------------------
 * Accepted: YYYY, YYYY-MM, YYYY-MM-DD (start of the period, UTC);
 * YYYY-MM-DDThh:mm[:ss[.f+]][TZD] with TZD = Z | +hh:mm | -hh:mm (absent:
 * UTC); or epoch seconds (1 to 18 decimal digits, no sign, no fraction).
 * Fields are range-checked (month 1-12, day within the month with leap years,
 * hour 0-23, minute 0-59, second 0-59, offset hours 0-23). Fraction digits
 * past the ninth are accepted and truncated. */
typedef struct lit_instant {
    int64_t seconds;           /* since 1970-01-01T00:00:00Z, may be negative */
    uint32_t nanos;            /* 0 .. 999999999 */
} lit_instant;

bool lit_instant_parse(const char *s, size_t len, lit_instant *out);
int lit_instant_compare(const lit_instant *a, const lit_instant *b);

/* ---- IP addresses [C-O15] - [C-O18] --------------------------------------
 * IPv4: four dotted decimal parts 0-255 without leading zeros ("010" is not
 * an address). IPv6: RFC 4291 text, hex digits of either case, one "::",
 * an optional dotted IPv4 tail. A range adds "/prefix" (decimal, no leading
 * zeros, <= 32 or <= 128); no prefix means /32 or /128; host bits beyond the
 * prefix are cleared. IPv4-mapped IPv6 (::ffff:1.2.3.4) stays IPv6. */
typedef struct lit_ip {
    uint8_t family;            /* 4 or 6 */
    uint8_t prefix;            /* range: prefix length; address: 32 or 128 */
    uint8_t bytes[16];         /* IPv4 uses bytes[0..3] */
} lit_ip;

bool lit_ip_parse_address(const char *s, size_t len, lit_ip *out); /* no "/" */
bool lit_ip_parse_range(const char *s, size_t len, lit_ip *out);   /* "/" optional */
/* True when addr (from lit_ip_parse_address) lies in range; false across families. */
bool lit_ip_in_range(const lit_ip *range, const lit_ip *addr);

/* ---- Base64 [C-O14] ------------------------------------------------------
 * Standard alphabet (A-Z a-z 0-9 + /), length a multiple of 4, '=' padding
 * only at the end (at most two), no whitespace. The empty string decodes to
 * zero bytes. */
bool lit_base64_valid(const char *s, size_t len);
/* Decodes valid base64 into out (capacity cap >= lit_base64_decoded_len);
 * returns the number of bytes written. */
size_t lit_base64_decoded_len(const char *s, size_t len);
size_t lit_base64_decode(const char *s, size_t len, uint8_t *out, size_t cap);
/* True when s is valid base64 whose decoded bytes equal bytes[0..n), decoding
 * on the fly (request values can be long; nothing is allocated). */
bool lit_base64_equals(const char *s, size_t len, const uint8_t *bytes, size_t n);

/* ---- Booleans [C-O11] ----------------------------------------------------
 * "true" or "false" in any letter case. */
bool lit_bool_parse(const char *s, size_t len, bool *out);

/* ---- Case folding [C-O2], [M-A2], [C-K2] ---------------------------------
 * Simple (one-to-one) Unicode lowercase mapping per code point, no
 * normalisation, no multi-character folds (U+00DF stays itself). */
uint32_t lit_fold_codepoint(uint32_t cp);

/* Decodes one UTF-8 sequence at s[0..len): returns its byte length (>= 1) and
 * stores the code point; an invalid sequence counts as one byte whose "code
 * point" is 0xDC00 + byte (never equal to a valid character). len must be > 0. */
size_t lit_utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Appends the UTF-8 encoding of cp to out (room for 4 bytes); returns bytes. */
size_t lit_utf8_encode(uint32_t cp, char *out);

/* Equality after folding both sides code point by code point. */
bool lit_equal_fold(const char *a, size_t alen, const char *b, size_t blen);
/* Writes the folded form of s to out (cap bytes); returns the folded length, or
 * (size_t)-1 when it would not fit. Folding may change a character's byte
 * length, so callers size out generously (4 * len is always enough). */
size_t lit_fold(const char *s, size_t len, char *out, size_t cap);
/* Hash of the folded form (its UTF-8 bytes, eight at a time), equal for any
 * two strings that lit_equal_fold calls equal. Used for context-key lookup. */
uint64_t lit_hash_fold(const char *s, size_t len);

#endif
