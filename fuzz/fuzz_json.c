/* Differential fuzzer of engine/json.c against jansson.
 *
 * Each input is parsed by both readers; they must accept and reject alike
 * and build the same value tree. Known differences are tolerated: jansson
 * rejects numbers overflowing int64/double, and nesting deeper than our
 * MAX_DEPTH is ours alone to reject (jansson allows 2048 levels). Every
 * position our reader reports is also checked against one computed
 * independently from its byte offset, and the depth limit by reparsing with
 * a smaller one.
 *
 * A disagreement prints the input in hex on stderr and aborts.
 * Build: see the Makefile (fuzz_json under libFuzzer, replay_json with
 * fuzz/replay.c for sanitizer builds without libFuzzer). */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Our reader's names carry the jv_ prefix, so jansson's header sits beside it. */
#include <jansson.h>

#include "json.h"
#include "../tests/jansson_diff.h"
#include "fuzz_common.h"

#define MAX_DEPTH 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *cur_data;
static size_t cur_size;

static void die(const char *what)
{
    fprintf(stderr, "fuzz_json: %s\ninput (%zu bytes):", what, cur_size);
    print_hex(cur_data, cur_size);
    abort();
}



/* Nesting of containers, ours; jansson's counts the scalar leaves too. */
static size_t depth(const json_value *v)
{
    size_t deepest = 0, n = 0;
    if (v->type == JV_ARRAY)
        n = v->u.array.count;
    else if (v->type == JV_OBJECT)
        n = v->u.object.count;
    else
        return 0;
    for (size_t k = 0; k < n; k++) {
        const json_value *c = v->type == JV_ARRAY ? v->u.array.items[k]
                                                    : v->u.object.members[k].value;
        size_t d = depth(c);
        deepest = d > deepest ? d : deepest;
    }
    return deepest + 1;
}

/* Line and column of every offset, computed the simple way. */
typedef struct oracle {
    const uint8_t *text;
    size_t len;
    uint32_t first_line;
    uint32_t *line, *col;
} oracle;

static void oracle_init(oracle *o, const uint8_t *text, size_t len, uint32_t first_line)
{
    o->text = text;
    o->len = len;
    o->first_line = first_line;
    o->line = malloc((len + 1) * sizeof *o->line);
    o->col = malloc((len + 1) * sizeof *o->col);
    if (!o->line || !o->col)
        die("out of memory in the harness");
    uint32_t line = first_line, col = 1;
    for (size_t k = 0; k <= len; k++) {
        o->line[k] = line;
        o->col[k] = col;
        if (k < len && text[k] == '\n') {
            line++;
            col = 1;
        } else if (k < len && (text[k] & 0xC0) != 0x80) {
            col++;
        }
    }
}

static void oracle_free(oracle *o)
{
    free(o->line);
    free(o->col);
}

static int pos_ok(const oracle *o, json_pos p, size_t limit)
{
    return p.offset <= limit && o->line[p.offset] == p.line && o->col[p.offset] == p.column;
}

static void check_positions(const oracle *o, const json_value *v)
{
    if (!pos_ok(o, v->pos, o->len - 1))
        die("value position differs from the oracle");
    unsigned char c = o->text[v->pos.offset];
    int ok = 0;
    switch (v->type) {
    case JV_NULL: ok = c == 'n'; break;
    case JV_FALSE: ok = c == 'f'; break;
    case JV_TRUE: ok = c == 't'; break;
    case JV_NUMBER: ok = c == '-' || (c >= '0' && c <= '9'); break;
    case JV_STRING: ok = c == '"'; break;
    case JV_ARRAY: ok = c == '['; break;
    case JV_OBJECT: ok = c == '{'; break;
    }
    if (!ok)
        die("value position is not on the value's first character");
    if (v->type == JV_ARRAY) {
        for (size_t k = 0; k < v->u.array.count; k++)
            check_positions(o, v->u.array.items[k]);
    } else if (v->type == JV_OBJECT) {
        for (size_t k = 0; k < v->u.object.count; k++) {
            const json_member *m = &v->u.object.members[k];
            if (!pos_ok(o, m->key_pos, o->len - 1) || o->text[m->key_pos.offset] != '"' ||
                m->key_pos.offset >= m->value->pos.offset)
                die("member name position");
            check_positions(o, m->value);
        }
    }
}

static void check_error(const oracle *o, const json_error *e)
{
    size_t n = strnlen(e->message, sizeof e->message);
    if (n == 0 || n == sizeof e->message)
        die("error message empty or not terminated");
    if (!pos_ok(o, e->pos, o->len))
        die("error position differs from the oracle");
}

/* jansson loses a NUL byte that directly follows a number or a literal: its
 * lexer ungets the byte into a NUL-terminated buffer, where it then reads as
 * "empty" and the next byte is fetched instead. Where jansson accepts such an
 * input, ours is compared on the input with those NULs taken out. */
static int jansson_lost_nul(const uint8_t *text, size_t len, const json_error *e)
{
    size_t k = e->pos.offset;
    if (k == 0 || k >= len || text[k] != 0)
        return 0;
    unsigned char prev = text[k - 1];
    return (prev >= '0' && prev <= '9') || (prev >= 'a' && prev <= 'z');
}

static int is_nesting_error(const json_error *e)
{
    return strncmp(e->message, "nesting deeper than ", 20) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cur_data = data;
    cur_size = size;

    json_error e;
    json_error_t je;
    json_doc *d = jv_parse((const char *)data, size, 1, MAX_DEPTH, &e);
    json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                           &je);
    oracle o;
    oracle_init(&o, data, size, 1);

    uint8_t *cleaned = NULL;
    if (!d && j && jansson_lost_nul(data, size, &e)) {
        check_error(&o, &e);
        cleaned = malloc(size);
        if (!cleaned)
            die("out of memory in the harness");
        memcpy(cleaned, data, size);
        size_t len = size;
        while (!d && jansson_lost_nul(cleaned, len, &e)) {
            memmove(cleaned + e.pos.offset, cleaned + e.pos.offset + 1, len - e.pos.offset - 1);
            len--;
            d = jv_parse((const char *)cleaned, len, 1, MAX_DEPTH, &e);
        }
        oracle_free(&o);
        oracle_init(&o, cleaned, len, 1);
        if (d) { /* the checks below hold for the cleaned input */
            json_error_t je2;
            json_t *j2 = json_loadb((const char *)cleaned, len,
                                    JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je2);
            if (!j2)
                die("jansson rejects the input without the NULs it lost");
            json_decref(j2);
            data = cleaned;
            size = len;
        }
    }

    if (d) {
        check_positions(&o, jv_root(d));
        if (j) {
            const char *why = tree_diff(jv_root(d), j);
            if (why)
                die(why);
        } else {
            if (json_error_code(&je) != json_error_numeric_overflow) {
                fprintf(stderr, "jansson: %s at %d:%d\n", je.text, je.line, je.column);
                die("only our reader accepts");
            }
        }
    } else {
        check_error(&o, &e);
        if (j && !is_nesting_error(&e)) {
            fprintf(stderr, "ours: %s at %u:%u\n", e.message, (unsigned)e.pos.line,
                    (unsigned)e.pos.column);
            die("only jansson accepts");
        }
    }

    /* Again with a small depth limit and another first line: the limit
     * must bite exactly above the document's depth, and lines shift. */
    unsigned small = size ? data[size - 1] % 6 : 0;
    json_error e2;
    json_doc *d2 = jv_parse((const char *)data, size, 1000, small, &e2);
    if (d) {
        size_t deep = depth(jv_root(d));
        if ((d2 != NULL) != (deep <= small))
            die("depth limit not applied exactly");
        if (d2 && (jv_root(d2)->pos.line != jv_root(d)->pos.line + 999 ||
                   jv_root(d2)->pos.column != jv_root(d)->pos.column))
            die("first_line not applied");
        if (!d2 && !is_nesting_error(&e2))
            die("unexpected error with a small depth limit");
    } else if (!is_nesting_error(&e)) {
        if (d2)
            die("accepted with a smaller depth limit");
    }
    if (!d2 && e2.pos.line < 1000)
        die("error line ignores first_line");

    jv_doc_free(d2);
    jv_doc_free(d);
    json_decref(j);
    oracle_free(&o);
    free(cleaned);
    return 0;
}
