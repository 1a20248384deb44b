/*
 * diff_json.c — see diff_json.h. The inverse of report_json.c: every field
 * that writer emits for a change comes back (the "why" and "area" are
 * re-derived from the kind id, as the writer derived them), counts are
 * recomputed from the changes rather than trusted.
 */
#include "diff_json.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static char *dup_field(json_t *obj, const char *key, bool *ok)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        *ok = false;
        return NULL;
    }
    char *s = strdup(json_string_value(v));
    if (!s)
        *ok = false;
    return s;
}

static ag_status read_impacts(json_t *arr, ag_change *c, ag_error *err, size_t idx)
{
    if (!json_is_array(arr))
        return ag_fail(err, AG_ERR_FORMAT, "changes[%zu].impacted: not an array", idx);
    size_t n = json_array_size(arr);
    c->impacts = calloc(n ? n : 1, sizeof *c->impacts);
    if (!c->impacts)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_t *im = json_array_get(arr, i);
        bool ok = json_is_object(im);
        c->impacts[i].interface = ok ? dup_field(im, "interface", &ok) : NULL;
        c->impacts[i].path = ok ? dup_field(im, "path", &ok) : NULL;
        c->n_impacts = i + 1;
        if (!ok || !c->impacts[i].interface || !c->impacts[i].path)
            return ag_fail(err, AG_ERR_FORMAT, "changes[%zu].impacted[%zu]: malformed", idx, i);
    }
    return AG_OK;
}

static ag_status read_change(json_t *o, ag_change *c, ag_error *err, size_t idx)
{
    if (!json_is_object(o))
        return ag_fail(err, AG_ERR_FORMAT, "changes[%zu]: not an object", idx);
    int kind = ag_change_kind_from_id(json_string_value(json_object_get(o, "id")));
    int verdict = ag_verdict_from_name(json_string_value(json_object_get(o, "verdict")));
    if (kind < 0 || verdict <= AG_VERDICT_NONE)
        return ag_fail(err, AG_ERR_FORMAT, "changes[%zu]: unknown change kind or verdict", idx);
    c->kind = (ag_change_kind)kind;
    c->verdict = (ag_verdict)verdict;
    bool ok = true;
    c->subject = dup_field(o, "subject", &ok);
    c->old_value = dup_field(o, "old", &ok);
    c->new_value = dup_field(o, "new", &ok);
    c->detail = dup_field(o, "detail", &ok);
    c->upcall = json_is_true(json_object_get(o, "upcall"));
    c->suppressed = json_is_true(json_object_get(o, "suppressed"));
    json_t *loc = json_object_get(o, "location");
    if (json_is_object(loc)) {
        c->decl_file = dup_field(loc, "file", &ok);
        json_t *line = json_object_get(loc, "line");
        c->decl_line = json_is_integer(line) ? (uint32_t)json_integer_value(line) : 0;
    }
    if (!ok || !c->subject)
        return ag_fail(err, AG_ERR_FORMAT, "changes[%zu]: malformed fields", idx);
    return read_impacts(json_object_get(o, "impacted"), c, err, idx);
}

static size_t interface_count(json_t *interfaces, const char *key)
{
    json_t *v = json_object_get(interfaces, key);
    return json_is_integer(v) && json_integer_value(v) > 0 ? (size_t)json_integer_value(v) : 0;
}

static void read_side_surface(json_t *o, ag_surface_summary *s)
{
    if (!json_is_object(o))
        return;
    const char *method = json_string_value(json_object_get(o, "method"));
    s->method = method && strcmp(method, "headers") == 0 ? AG_SURFACE_HEADERS : AG_SURFACE_INFERRED;
    s->types_known = json_is_true(json_object_get(o, "types_known"));
    s->n_public_headers = interface_count(o, "public_headers");
    s->n_types = interface_count(o, "types");
    s->n_private = interface_count(o, "private_types");
    s->n_internal_exports = interface_count(o, "internal_exports");
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(o, "private_by_reason"), key, v) {
        int r = ag_visibility_from_id(key);
        if (r > AG_VIS_PUBLIC && json_is_integer(v) && json_integer_value(v) > 0)
            s->by_reason[r] = (size_t)json_integer_value(v);
    }
}

/* "surface": the summaries always; the changes left out when listed. */
static ag_status read_surface(json_t *o, ag_diff *d, ag_error *err)
{
    if (!json_is_object(o))
        return AG_OK; /* a report from before the surface was recorded */
    read_side_surface(json_object_get(o, "old"), &d->surface_old);
    read_side_surface(json_object_get(o, "new"), &d->surface_new);
    d->n_private_changes = interface_count(o, "private_changes");
    json_t *left_out = json_object_get(o, "left_out");
    if (!json_is_array(left_out))
        return AG_OK;
    size_t n = json_array_size(left_out);
    d->private_changes = calloc(n ? n : 1, sizeof *d->private_changes);
    if (!d->private_changes)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    ag_status st = AG_OK;
    for (size_t i = 0; i < n && st == AG_OK; i++) {
        d->n_private_listed = i + 1;
        st = read_change(json_array_get(left_out, i), &d->private_changes[i], err, i);
    }
    return st;
}

ag_status ag_diff_from_json(const char *text, size_t len, ag_diff **out, ag_error *err)
{
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    if (!root)
        return ag_fail(err, AG_ERR_FORMAT, "line %d column %d: %s", jerr.line, jerr.column, jerr.text);
    ag_status st = AG_OK;
    ag_diff *d = calloc(1, sizeof *d);
    json_t *changes = json_object_get(root, "changes");
    const char *format = json_string_value(json_object_get(root, "format"));
    if (!d) {
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (!format || strcmp(format, "abiguard-diff/1") != 0 || !json_is_array(changes)) {
        st = ag_fail(err, AG_ERR_FORMAT, "not an abiguard-diff/1 report");
        goto out;
    }
    size_t n = json_array_size(changes);
    d->changes = calloc(n ? n : 1, sizeof *d->changes);
    if (!d->changes) {
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n && st == AG_OK; i++) {
        d->n_changes = i + 1;
        st = read_change(json_array_get(changes, i), &d->changes[i], err, i);
        if (st == AG_OK) {
            if (d->changes[i].suppressed)
                d->n_suppressed++;
            else
                d->counts[d->changes[i].verdict]++;
        }
    }
    json_t *ifc = json_object_get(root, "interfaces");
    d->functions_removed = interface_count(ifc, "functions_removed");
    d->functions_added = interface_count(ifc, "functions_added");
    d->functions_changed = interface_count(ifc, "functions_changed");
    d->variables_removed = interface_count(ifc, "variables_removed");
    d->variables_added = interface_count(ifc, "variables_added");
    d->variables_changed = interface_count(ifc, "variables_changed");
    if (st == AG_OK)
        st = read_surface(json_object_get(root, "surface"), d, err);
out:
    json_decref(root);
    if (st != AG_OK) {
        ag_diff_free(d);
        return st;
    }
    *out = d;
    return AG_OK;
}
