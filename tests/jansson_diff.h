/* Our JSON reader's value tree compared with jansson's, for the
 * differential test (tests/test_json.c) and fuzz target (fuzz/fuzz_json.c).
 * Include after <jansson.h> and "json.h". */
#ifndef IAMEVAL_JANSSON_DIFF_H
#define IAMEVAL_JANSSON_DIFF_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int jis(const json_t *j, json_type t)
{
    return j && json_typeof(j) == t;
}

/* NULL when our tree and jansson's hold the same values, else what differs. */
static const char *tree_diff(const json_value *v, json_t *j)
{
    switch (v->type) {
    case JV_NULL:
        return jis(j, JSON_NULL) ? NULL : "null";
    case JV_TRUE:
        return jis(j, JSON_TRUE) ? NULL : "true";
    case JV_FALSE:
        return jis(j, JSON_FALSE) ? NULL : "false";
    case JV_NUMBER: {
        const char *t = v->u.text.ptr;
        if (strlen(t) != v->u.text.len)
            return "number length";
        int real = strpbrk(t, ".eE") != NULL;
        if (jis(j, JSON_INTEGER)) {
            if (real)
                return "number kind (jansson: integer)";
            errno = 0;
            long long x = strtoll(t, NULL, 10);
            if (errno || x != json_integer_value(j))
                return "integer value";
            return NULL;
        }
        if (jis(j, JSON_REAL)) {
            if (!real)
                return "number kind (jansson: real)";
            if (strtod(t, NULL) != json_real_value(j))
                return "real value";
            return NULL;
        }
        return "number";
    }
    case JV_STRING:
        if (!jis(j, JSON_STRING))
            return "string";
        if (json_string_length(j) != v->u.text.len ||
            memcmp(json_string_value(j), v->u.text.ptr, v->u.text.len) != 0)
            return "string bytes";
        if (strlen(v->u.text.ptr) != v->u.text.len)
            return "string length";
        return NULL;
    case JV_ARRAY:
        if (!jis(j, JSON_ARRAY))
            return "array";
        if (json_array_size(j) != v->u.array.count)
            return "array size";
        for (size_t k = 0; k < v->u.array.count; k++) {
            const char *why = tree_diff(v->u.array.items[k], json_array_get(j, k));
            if (why)
                return why;
        }
        return NULL;
    case JV_OBJECT: {
        if (!jis(j, JSON_OBJECT))
            return "object";
        if (json_object_size(j) != v->u.object.count)
            return "object size";
        void *it = json_object_iter(j);
        for (size_t k = 0; k < v->u.object.count; k++, it = json_object_iter_next(j, it)) {
            const json_member *m = &v->u.object.members[k];
            if (!it)
                return "object iteration";
            if (json_object_iter_key_len(it) != m->key_len ||
                memcmp(json_object_iter_key(it), m->key, m->key_len) != 0 ||
                strlen(m->key) != m->key_len)
                return "member name or order";
            if (jv_get(v, m->key) != m->value)
                return "jv_get";
            const char *why = tree_diff(m->value, json_object_iter_value(it));
            if (why)
                return why;
        }
        return NULL;
    }
    }
    return "type";
}

#endif
