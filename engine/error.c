/* Filling the caller's iam_error, and the names of codes and decisions. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static void copy_truncated(char *dst, size_t size, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= size)
        n = size - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static void escape_controls(char *dst, size_t size, const char *src)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)src; *p && n + 1 < size; p++) {
        char esc[8];
        if (*p >= 0x20 && *p != 0x7f) {
            dst[n++] = (char)*p;
            continue;
        }
        if (*p == '\n')
            snprintf(esc, sizeof esc, "\\n");
        else if (*p == '\t')
            snprintf(esc, sizeof esc, "\\t");
        else if (*p == '\r')
            snprintf(esc, sizeof esc, "\\r");
        else
            snprintf(esc, sizeof esc, "\\x%02x", *p);
        size_t m = strlen(esc);
        if (n + m + 1 > size)
            break;
        memcpy(dst + n, esc, m);
        n += m;
    }
    dst[n] = '\0';
}

iam_status error_set(iam_error *err, iam_status code, const char *file,
                     const json_pos *pos, const char *path, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    err->code = code;
    copy_truncated(err->file, sizeof err->file, file);
    err->line = pos ? pos->line : 0;
    err->column = pos ? pos->column : 0;
    copy_truncated(err->path, sizeof err->path, path);
    char raw[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    /* Messages and paths quote names from the input: keep them one
     * printable line, control characters written as escapes. */
    escape_controls(err->message, sizeof err->message, raw);
    snprintf(raw, sizeof raw, "%s", err->path);
    escape_controls(err->path, sizeof err->path, raw);
    return code;
}

const char *iam_status_name(iam_status status)
{
    switch (status) {
    case IAM_OK: return "ok";
    case IAM_ERR_JSON: return "invalid JSON";
    case IAM_ERR_POLICY: return "invalid policy";
    case IAM_ERR_REQUEST: return "invalid request";
    case IAM_ERR_LIMIT: return "limit exceeded";
    case IAM_ERR_IO: return "cannot read";
    case IAM_ERR_NOMEM: return "out of memory";
    case IAM_ERR_ARGUMENT: return "invalid argument";
    }
    return "unknown status";
}

char *iam_error_format(const iam_error *err, char *buf, size_t size)
{
    if (buf == NULL || size == 0)
        return buf;
    if (err == NULL) {
        buf[0] = '\0';
        return buf;
    }
    const char *file = err->file[0] ? err->file : "<input>";
    int n;
    if (err->line)
        n = snprintf(buf, size, "%s:%u:%u: %s", file, (unsigned)err->line,
                     (unsigned)err->column, err->message);
    else
        n = snprintf(buf, size, "%s: %s", file, err->message);
    if (n >= 0 && (size_t)n < size && err->path[0])
        snprintf(buf + n, size - (size_t)n, " (at %s)", err->path);
    return buf;
}

const char *iam_decision_name(iam_decision decision)
{
    switch (decision) {
    case IAM_ALLOWED: return "allowed";
    case IAM_EXPLICIT_DENY: return "explicitDeny";
    case IAM_IMPLICIT_DENY: return "implicitDeny";
    }
    return "implicitDeny";
}

const char *iam_policy_type_name(iam_policy_type type)
{
    switch (type) {
    case IAM_POLICY_IDENTITY: return "identity";
    case IAM_POLICY_BOUNDARY: return "boundary";
    case IAM_POLICY_SESSION: return "session";
    case IAM_POLICY_RESOURCE: return "resource";
    case IAM_POLICY_SCP: return "scp";
    case IAM_POLICY_RCP: return "rcp";
    }
    return "unknown";
}

void iam_limits_init(iam_limits *limits)
{
    if (limits == NULL)
        return;
    limits->max_document_bytes = 1u << 20;
    limits->max_file_bytes = (size_t)256u << 20;
    limits->max_depth = 64;
    limits->max_statements = 10000;
    limits->max_values = 20000;
    limits->max_pattern_bytes = 4096;
    limits->max_wildcards = 128;
    limits->max_policies_per_layer = 10000;
    limits->max_levels = 16;
    limits->max_context_keys = 1024;
}

const iam_limits *limits_or_default(const iam_limits *limits, iam_limits *storage)
{
    if (limits != NULL)
        return limits;
    iam_limits_init(storage);
    return storage;
}

void join_path(char *dst, size_t size, const char *prefix, const char *suffix)
{
    size_t n = 0;
    for (const char *p = prefix; *p && n + 1 < size; p++)
        dst[n++] = *p;
    for (const char *p = suffix; *p && n + 1 < size; p++)
        dst[n++] = *p;
    dst[n] = '\0';
}
