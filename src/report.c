/*
 * report.c — choosing a report format and the helpers every writer shares
 * (report_internal.h). The writers themselves live in report_<format>.c.
 */
#include "report_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const format_names[] = {
    [AG_FMT_TEXT] = "text",
    [AG_FMT_JSON] = "json",
    [AG_FMT_MARKDOWN] = "markdown",
    [AG_FMT_JUNIT] = "junit",
    [AG_FMT_SARIF] = "sarif",
};

#define N_FORMATS (sizeof format_names / sizeof format_names[0])

int ag_report_format_from_name(const char *name)
{
    for (size_t i = 0; name && i < N_FORMATS; i++)
        if (strcmp(name, format_names[i]) == 0)
            return (int)i;
    return -1;
}

const char *ag_report_format_name(ag_report_format fmt)
{
    return (unsigned)fmt < N_FORMATS ? format_names[fmt] : "unknown";
}

const char *ag_verdict_sgr(ag_verdict v)
{
    switch (v) {
    case AG_VERDICT_BREAKING: return "\033[1;31m";   /* bold red */
    case AG_VERDICT_API_BREAK: return "\033[35m";    /* magenta */
    case AG_VERDICT_RISKY: return "\033[33m";        /* yellow */
    case AG_VERDICT_COMPATIBLE: return "\033[32m";   /* green */
    case AG_VERDICT_HARMLESS: return "\033[2m";      /* dim */
    default: return "\033[32m";                      /* none: green */
    }
}

const char *ag_report_area_name(ag_change_area area)
{
    switch (area) {
    case AG_AREA_SYMBOLS: return "symbols";
    case AG_AREA_FUNCTIONS: return "functions";
    case AG_AREA_TYPES: return "types";
    case AG_AREA_ENUMS: return "enums";
    case AG_AREA_CALLBACKS: return "callbacks";
    case AG_AREA_ELF: return "elf";
    }
    return "unknown";
}

ag_status ag_report_write(const ag_diff *d, const ag_report_context *ctx,
                          ag_report_format fmt, FILE *out, ag_error *err)
{
    static ag_status (*const writers[])(const ag_diff *, const ag_report_context *, FILE *,
                                        ag_error *) = {
        [AG_FMT_TEXT] = ag_report_text,
        [AG_FMT_JSON] = ag_report_json,
        [AG_FMT_MARKDOWN] = ag_report_markdown,
        [AG_FMT_JUNIT] = ag_report_junit,
        [AG_FMT_SARIF] = ag_report_sarif,
    };
    if ((unsigned)fmt >= N_FORMATS)
        return ag_fail(err, AG_ERR_USAGE, "unknown report format %d", (int)fmt);
    ag_report_context defaults = { 0 };
    ag_status st = writers[fmt](d, ctx ? ctx : &defaults, out, err);
    if (st != AG_OK)
        return st;
    if (fflush(out) != 0 || ferror(out))
        return ag_fail(err, AG_ERR_IO, "cannot write report: %s", strerror(errno));
    return AG_OK;
}

/* ------------------------------------------------------------------ */
/* Shared helpers                                                      */

const char *rep_kind_id(const ag_change *c)
{
    const ag_change_kind_info *info = ag_change_kind_info_of(c->kind);
    return info ? info->id : "unknown";
}

const char *rep_why(const ag_change *c)
{
    const ag_change_kind_info *info = ag_change_kind_info_of(c->kind);
    return info && info->why ? info->why : "";
}

const char *rep_old_label(const ag_report_context *ctx)
{
    return ctx->old_label ? ctx->old_label : "old";
}

const char *rep_new_label(const ag_report_context *ctx)
{
    return ctx->new_label ? ctx->new_label : "new";
}

ag_verdict rep_fail_on(const ag_report_context *ctx)
{
    if (ctx->fail_on <= AG_VERDICT_NONE || ctx->fail_on >= AG_VERDICT__COUNT)
        return AG_VERDICT_BREAKING;
    return ctx->fail_on;
}

/* "public headers (12 files): 38 types private", "inferred (no headers
   given): 41 types treated as private: 3 in .c files, 38 outside ..." */
static size_t describe_side(const ag_surface_summary *s, char *buf, size_t len)
{
    if (!s->types_known)
        return (size_t)snprintf(buf, len, "types unknown (no debug info)");
    size_t n;
    if (s->method == AG_SURFACE_HEADERS)
        n = (size_t)snprintf(buf, len, "public headers (%zu file%s): ", s->n_public_headers,
                             s->n_public_headers == 1 ? "" : "s");
    else
        n = (size_t)snprintf(buf, len, "inferred (no headers given): ");
    if (n >= len)
        return n;
    if (s->n_private == 0)
        n += (size_t)snprintf(buf + n, len - n, "no type private");
    else
        n += (size_t)snprintf(buf + n, len - n, "%zu type%s %s", s->n_private, s->n_private == 1 ? "" : "s",
                              s->method == AG_SURFACE_HEADERS ? "private" : "treated as private");
    if (s->method == AG_SURFACE_HEADERS) {
        if (s->n_internal_exports && n < len)
            n += (size_t)snprintf(buf + n, len - n, ", %zu export%s no header declares", s->n_internal_exports,
                                  s->n_internal_exports == 1 ? "" : "s");
        return n;
    }
    if (s->n_private == 0)
        return n;
    const char *sep = ": ";
    for (int v = AG_VIS_PUBLIC + 1; v < AG_VIS__COUNT && n < len; v++) {
        if (!s->by_reason[v])
            continue;
        n += (size_t)snprintf(buf + n, len - n, "%s%zu %s", sep, s->by_reason[v],
                              ag_visibility_reason((ag_visibility)v));
        sep = ", ";
    }
    return n;
}

void rep_surface_sentence(const ag_diff *d, char *buf, size_t len)
{
    const ag_surface_summary *o = &d->surface_old, *n = &d->surface_new;
    size_t used = 0;
    buf[0] = '\0';
    if (o->method != n->method || o->types_known != n->types_known) {
        used += (size_t)snprintf(buf, len, "old: ");
        if (used < len)
            used += describe_side(o, buf + used, len - used);
        if (used < len)
            used += (size_t)snprintf(buf + used, len - used, "; new: ");
    }
    if (used < len)
        used += describe_side(n, buf + used, len - used);
    if (used < len && d->n_private_changes)
        snprintf(buf + used, len - used, "; %zu change%s inside private types%s left out", d->n_private_changes,
                 d->n_private_changes == 1 ? "" : "s",
                 d->surface_old.n_internal_exports || d->surface_new.n_internal_exports ? " and internal exports"
                                                                                         : "");
}

bool rep_surface_inferred(const ag_diff *d)
{
    return (d->surface_old.types_known && d->surface_old.method == AG_SURFACE_INFERRED) ||
           (d->surface_new.types_known && d->surface_new.method == AG_SURFACE_INFERRED);
}

bool rep_shown(const ag_change *c, const ag_report_context *ctx)
{
    return !c->suppressed || ctx->show_suppressed;
}

size_t rep_utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (n == 0 || s[0] > 0xf4)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    /* Overlong 3- and 4-byte forms, surrogates, and beyond U+10FFFF. */
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
        return 0;
    return n;
}

/* Copy of s with each byte of an invalid UTF-8 sequence replaced by '?'. */
static char *utf8_clean(const char *s)
{
    char *copy = strdup(s);
    if (!copy)
        return NULL;
    for (unsigned char *p = (unsigned char *)copy; *p;) {
        size_t n = rep_utf8_len(p);
        if (n == 0)
            *p++ = '?';
        else
            p += n;
    }
    return copy;
}

json_t *rep_json_string(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    char *clean = utf8_clean(s);
    if (!clean)
        return NULL;
    j = json_string(clean);
    free(clean);
    return j;
}

void rep_json_set(json_t *obj, const char *key, json_t *value, bool *ok)
{
    if (!obj || !value || json_object_set_new(obj, key, value) != 0) {
        if (!obj)
            json_decref(value);
        *ok = false;
    }
}

void rep_json_append(json_t *arr, json_t *value, bool *ok)
{
    if (!arr || !value || json_array_append_new(arr, value) != 0) {
        if (!arr)
            json_decref(value);
        *ok = false;
    }
}
