/*
 * report_json.c — the diff as JSON for scripts, format "abiguard-diff/1"
 * (also docs/diff-json.md). Deterministic: keys sorted, changes in the
 * diff's order (most severe verdict first, then subject, then kind id),
 * two-space indentation, so a stored report diffs cleanly.
 *
 * {
 *   "format": "abiguard-diff/1",
 *   "old": "libfoo.so.1",            label of the old side (file, or NAME@VERSION)
 *   "new": "libfoo.so.2",
 *   "verdict": "breaking",           worst unsuppressed verdict, or "none"
 *   "counts": {                      unsuppressed changes per verdict
 *     "breaking": 3, "api-break": 1, "risky": 0, "compatible": 2, "harmless": 1
 *   },
 *   "suppressed": 2,                 changes matched by a suppression rule
 *   "interfaces": {
 *     "functions_removed": 1, "functions_added": 2, "functions_changed": 3,
 *     "variables_removed": 0, "variables_added": 0, "variables_changed": 1
 *   },
 *   "surface": {                     how each side's public surface was decided
 *     "old": { "method": "headers"|"inferred", "types_known": true,
 *              "public_headers": 12, "types": 80, "private_types": 41,
 *              "private_by_reason": { "source-file": 3, ... } },
 *     "new": { ... },
 *     "private_changes": 7,          changes inside private (opaque) types, left out
 *     "summary": "public headers (12 files): ...",
 *     "left_out": [ change ... ],    only with --show-private
 *     "private_type_list": [ { "type", "file", "reason" } ]   only with --show-private
 *   },
 *   "changes": [                     every change, suppressed ones included
 *     {
 *       "id": "struct-member-offset-changed",   stable kind id (`abiguard change-kinds`)
 *       "verdict": "breaking",           this change's verdict (may refine the kind's)
 *       "area": "types",                 symbols|functions|types|enums|callbacks|elf
 *       "subject": "struct ctx::p",      what changed
 *       "old": "8", "new": "16",         spelled old / new state, or null
 *       "detail": "member 'p' moved ...",one sentence about this case, or null
 *       "why": "...",                    the kind's sentence
 *       "upcall": false,                 reached through a callback type
 *       "suppressed": false,
 *       "location": { "file": "ctx.h", "line": 12, "url": URL? } | null,   line null if unknown;
 *                   url when the release records a source URL pattern and file is relative
 *       "impacted": [
 *         { "interface": "ctx_init",
 *           "path": "ctx_init() param 1 -> struct ctx -> member p" }
 *       ]
 *     }
 *   ]
 * }
 */
#include "report_internal.h"

#include <stdlib.h>
#include <string.h>

#define DIFF_FORMAT "abiguard-diff/1"

static json_t *counts_json(const ag_diff *d, bool *ok)
{
    json_t *o = json_object();
    for (int v = AG_VERDICT_HARMLESS; v < AG_VERDICT__COUNT; v++)
        rep_json_set(o, ag_verdict_name((ag_verdict)v), json_integer((json_int_t)d->counts[v]), ok);
    return o;
}

static json_t *interfaces_json(const ag_diff *d, bool *ok)
{
    json_t *o = json_object();
    rep_json_set(o, "functions_removed", json_integer((json_int_t)d->functions_removed), ok);
    rep_json_set(o, "functions_added", json_integer((json_int_t)d->functions_added), ok);
    rep_json_set(o, "functions_changed", json_integer((json_int_t)d->functions_changed), ok);
    rep_json_set(o, "variables_removed", json_integer((json_int_t)d->variables_removed), ok);
    rep_json_set(o, "variables_added", json_integer((json_int_t)d->variables_added), ok);
    rep_json_set(o, "variables_changed", json_integer((json_int_t)d->variables_changed), ok);
    return o;
}

/* pattern with {file} and {line} filled in (the file's bytes outside
   RFC 3986's unreserved set and '/' percent-encoded); without a line, the
   fragment that would hold it is dropped. NULL when out of memory. */
static char *source_link(const char *pattern, const char *file, uint32_t line)
{
    char *url = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&url, &len);
    if (!m)
        return NULL;
    const char *line_at = strstr(pattern, "{line}");
    const char *hash = line_at ? memrchr(pattern, '#', (size_t)(line_at - pattern)) : NULL;
    for (const char *p = pattern; *p;) {
        if (!line && hash && p == hash)
            break;
        if (strncmp(p, "{file}", 6) == 0) {
            for (const unsigned char *f = (const unsigned char *)file; *f; f++)
                if ((*f >= 'a' && *f <= 'z') || (*f >= 'A' && *f <= 'Z') || (*f >= '0' && *f <= '9') ||
                    strchr("-._~/", *f))
                    fputc(*f, m);
                else
                    fprintf(m, "%%%02X", *f);
            p += 6;
        } else if (strncmp(p, "{line}", 6) == 0) {
            fprintf(m, "%u", (unsigned)line);
            p += 6;
        } else {
            fputc(*p++, m);
        }
    }
    if (fclose(m) != 0) {
        free(url);
        return NULL;
    }
    return url;
}

/* A removed function or variable is declared on the old side only. */
static bool located_in_old(const ag_change *c)
{
    return c->kind == AG_CK_FN_REMOVED || c->kind == AG_CK_VAR_REMOVED || c->kind == AG_CK_SYMBOL_VERSION_REMOVED;
}

static json_t *location_json(const ag_change *c, const ag_report_context *ctx, bool *ok)
{
    if (!c->decl_file)
        return json_null();
    json_t *o = json_object();
    rep_json_set(o, "file", rep_json_string(c->decl_file), ok);
    rep_json_set(o, "line", c->decl_line ? json_integer(c->decl_line) : json_null(), ok);
    const char *pattern = located_in_old(c) ? ctx->old_source_url : ctx->new_source_url;
    /* Only a path relative to the source root names a file of the sources. */
    if (pattern && c->decl_file[0] != '/' && strncmp(c->decl_file, "../", 3) != 0) {
        char *url = source_link(pattern, c->decl_file, c->decl_line);
        if (url)
            rep_json_set(o, "url", json_string(url), ok);
        else
            *ok = false;
        free(url);
    }
    return o;
}

static json_t *impacts_json(const ag_change *c, bool *ok)
{
    json_t *a = json_array();
    for (size_t i = 0; i < c->n_impacts; i++) {
        json_t *o = json_object();
        rep_json_set(o, "interface", rep_json_string(c->impacts[i].interface), ok);
        rep_json_set(o, "path", rep_json_string(c->impacts[i].path), ok);
        rep_json_append(a, o, ok);
    }
    return a;
}

static json_t *change_json(const ag_change *c, const ag_report_context *ctx, bool *ok)
{
    const ag_change_kind_info *info = ag_change_kind_info_of(c->kind);
    json_t *o = json_object();
    rep_json_set(o, "id", json_string(rep_kind_id(c)), ok);
    rep_json_set(o, "verdict", json_string(ag_verdict_name(c->verdict)), ok);
    rep_json_set(o, "area", json_string(info ? ag_report_area_name(info->area) : "unknown"), ok);
    rep_json_set(o, "subject", rep_json_string(c->subject), ok);
    rep_json_set(o, "old", rep_json_string(c->old_value), ok);
    rep_json_set(o, "new", rep_json_string(c->new_value), ok);
    rep_json_set(o, "detail", rep_json_string(c->detail), ok);
    rep_json_set(o, "why", rep_json_string(rep_why(c)), ok);
    rep_json_set(o, "upcall", json_boolean(c->upcall), ok);
    rep_json_set(o, "suppressed", json_boolean(c->suppressed), ok);
    rep_json_set(o, "location", location_json(c, ctx, ok), ok);
    rep_json_set(o, "impacted", impacts_json(c, ok), ok);
    return o;
}

static json_t *side_surface_json(const ag_surface_summary *s, bool *ok)
{
    json_t *o = json_object();
    rep_json_set(o, "method", json_string(s->method == AG_SURFACE_HEADERS ? "headers" : "inferred"), ok);
    rep_json_set(o, "types_known", json_boolean(s->types_known), ok);
    rep_json_set(o, "public_headers", json_integer((json_int_t)s->n_public_headers), ok);
    rep_json_set(o, "types", json_integer((json_int_t)s->n_types), ok);
    rep_json_set(o, "private_types", json_integer((json_int_t)s->n_private), ok);
    rep_json_set(o, "internal_exports", json_integer((json_int_t)s->n_internal_exports), ok);
    json_t *reasons = json_object();
    for (int v = AG_VIS_PUBLIC + 1; v < AG_VIS__COUNT; v++)
        if (s->by_reason[v])
            rep_json_set(reasons, ag_visibility_id((ag_visibility)v), json_integer((json_int_t)s->by_reason[v]), ok);
    rep_json_set(o, "private_by_reason", reasons, ok);
    return o;
}

/* How the public surface was decided; with --show-private, what it left
   out: the changes inside private types and the private types. */
static json_t *surface_json(const ag_diff *d, const ag_report_context *ctx, bool *ok)
{
    json_t *o = json_object();
    char sentence[1024];
    rep_surface_sentence(d, sentence, sizeof sentence);
    rep_json_set(o, "old", side_surface_json(&d->surface_old, ok), ok);
    rep_json_set(o, "new", side_surface_json(&d->surface_new, ok), ok);
    rep_json_set(o, "private_changes", json_integer((json_int_t)d->n_private_changes), ok);
    rep_json_set(o, "summary", rep_json_string(sentence), ok);
    if (!ctx->show_private)
        return o;
    json_t *left_out = json_array();
    for (size_t i = 0; i < d->n_private_listed; i++)
        rep_json_append(left_out, change_json(&d->private_changes[i], ctx, ok), ok);
    rep_json_set(o, "left_out", left_out, ok);
    json_t *types = json_array();
    for (size_t i = 0; i < d->n_private_types; i++) {
        const ag_private_type *t = &d->private_types[i];
        json_t *e = json_object();
        rep_json_set(e, "type", rep_json_string(t->name), ok);
        rep_json_set(e, "file", rep_json_string(t->decl_file), ok);
        rep_json_set(e, "reason", json_string(ag_visibility_id(t->reason)), ok);
        rep_json_append(types, e, ok);
    }
    rep_json_set(o, "private_type_list", types, ok);
    return o;
}

static json_t *diff_json(const ag_diff *d, const ag_report_context *ctx, bool *ok)
{
    json_t *root = json_object();
    rep_json_set(root, "format", json_string(DIFF_FORMAT), ok);
    rep_json_set(root, "old", rep_json_string(rep_old_label(ctx)), ok);
    rep_json_set(root, "new", rep_json_string(rep_new_label(ctx)), ok);
    rep_json_set(root, "verdict", json_string(ag_verdict_name(ag_diff_overall(d))), ok);
    rep_json_set(root, "counts", counts_json(d, ok), ok);
    rep_json_set(root, "suppressed", json_integer((json_int_t)d->n_suppressed), ok);
    rep_json_set(root, "interfaces", interfaces_json(d, ok), ok);
    rep_json_set(root, "surface", surface_json(d, ctx, ok), ok);
    json_t *changes = json_array();
    for (size_t i = 0; i < d->n_changes; i++)
        rep_json_append(changes, change_json(&d->changes[i], ctx, ok), ok);
    rep_json_set(root, "changes", changes, ok);
    return root;
}

ag_status ag_report_json(const ag_diff *d, const ag_report_context *ctx, FILE *out, ag_error *err)
{
    bool ok = true;
    json_t *root = diff_json(d, ctx, &ok);
    if (!ok || !root) {
        json_decref(root);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    int rc = json_dumpf(root, out, JSON_SORT_KEYS | JSON_INDENT(2));
    json_decref(root);
    if (rc != 0)
        return ag_fail(err, AG_ERR_IO, "cannot write report");
    fputc('\n', out);
    return AG_OK;
}
