/*
 * report_sarif.c — the diff as SARIF 2.1.0, for code-scanning views (GitHub
 * code scanning, IDE SARIF viewers): one run, one rule per change kind that
 * occurs (its description is the kind's why), one result per unsuppressed
 * change located at the declaration's file:line when the debug info gave
 * one. Suppressed changes appear only with show_suppressed, carrying a SARIF
 * "suppressions" entry so viewers hide them the standard way.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "version.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

static const char *level_of(ag_verdict v)
{
    if (v >= AG_VERDICT_API_BREAK)
        return "error";
    if (v == AG_VERDICT_RISKY)
        return "warning";
    return "note";
}

/* decl_file as a URI reference: relative paths stay relative (to the
   source root), absolute ones become file:// URIs; bytes outside the
   unreserved set and '/' are percent-encoded. */
static char *path_to_uri(const char *path)
{
    size_t len = strlen(path);
    char *uri = malloc(len * 3 + sizeof "file://");
    if (!uri)
        return NULL;
    char *w = uri;
    if (path[0] == '/')
        w += sprintf(w, "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (isalnum(*p) || strchr("-._~/", *p))
            *w++ = (char)*p;
        else
            w += sprintf(w, "%%%02X", *p);
    }
    *w = '\0';
    return uri;
}

static json_t *location_json(const char *file, uint32_t line, bool *ok)
{
    char *uri = path_to_uri(file);
    json_t *artifact = json_object();
    rep_json_set(artifact, "uri", uri ? rep_json_string(uri) : NULL, ok);
    free(uri);
    json_t *physical = json_object();
    rep_json_set(physical, "artifactLocation", artifact, ok);
    if (line) {
        json_t *region = json_object();
        rep_json_set(region, "startLine", json_integer(line), ok);
        rep_json_set(physical, "region", region, ok);
    }
    json_t *loc = json_object();
    rep_json_set(loc, "physicalLocation", physical, ok);
    json_t *locs = json_array();
    rep_json_append(locs, loc, ok);
    return locs;
}

static bool included(const ag_change *c, const ag_report_context *ctx)
{
    return rep_shown(c, ctx);
}

/* rule_index[k]: the rule's index for kind k, or -1 when k never occurs. */
static json_t *rules_json(const ag_diff *d, const ag_report_context *ctx,
                          int rule_index[AG_CK__COUNT], bool *ok)
{
    bool used[AG_CK__COUNT] = { false };
    for (size_t i = 0; i < d->n_changes; i++)
        if (included(&d->changes[i], ctx) && (unsigned)d->changes[i].kind < AG_CK__COUNT)
            used[d->changes[i].kind] = true;
    json_t *rules = json_array();
    int n = 0;
    for (int k = 0; k < AG_CK__COUNT; k++) {
        rule_index[k] = -1;
        const ag_change_kind_info *info = ag_change_kind_info_of((ag_change_kind)k);
        if (!used[k] || !info)
            continue;
        rule_index[k] = n++;
        json_t *rule = json_object(), *desc = json_object(), *config = json_object(),
               *props = json_object();
        rep_json_set(rule, "id", json_string(info->id), ok);
        rep_json_set(desc, "text", rep_json_string(info->why), ok);
        rep_json_set(rule, "shortDescription", desc, ok);
        rep_json_set(config, "level", json_string(level_of(info->verdict)), ok);
        rep_json_set(rule, "defaultConfiguration", config, ok);
        rep_json_set(props, "verdict", json_string(ag_verdict_name(info->verdict)), ok);
        rep_json_set(props, "area", json_string(ag_report_area_name(info->area)), ok);
        rep_json_set(rule, "properties", props, ok);
        rep_json_append(rules, rule, ok);
    }
    return rules;
}

/* "subject: detail", or the subject alone. */
static json_t *message_json(const ag_change *c, bool *ok)
{
    const char *subject = c->subject ? c->subject : "?";
    size_t len = strlen(subject) + (c->detail ? strlen(c->detail) + 2 : 0) + 1;
    char *text = malloc(len);
    if (text)
        snprintf(text, len, "%s%s%s", subject, c->detail ? ": " : "", c->detail ? c->detail : "");
    json_t *msg = json_object();
    rep_json_set(msg, "text", text ? rep_json_string(text) : NULL, ok);
    free(text);
    return msg;
}

static json_t *result_props(const ag_change *c, bool *ok)
{
    json_t *props = json_object(), *impacted = json_array();
    rep_json_set(props, "verdict", json_string(ag_verdict_name(c->verdict)), ok);
    rep_json_set(props, "upcall", json_boolean(c->upcall), ok);
    for (size_t i = 0; i < c->n_impacts; i++)
        rep_json_append(impacted, rep_json_string(c->impacts[i].path ? c->impacts[i].path
                                                                      : c->impacts[i].interface), ok);
    rep_json_set(props, "impacted", impacted, ok);
    return props;
}

static json_t *result_json(const ag_change *c, int rule_index, bool *ok)
{
    json_t *r = json_object();
    rep_json_set(r, "ruleId", json_string(rep_kind_id(c)), ok);
    if (rule_index >= 0)
        rep_json_set(r, "ruleIndex", json_integer(rule_index), ok);
    rep_json_set(r, "level", json_string(level_of(c->verdict)), ok);
    rep_json_set(r, "message", message_json(c, ok), ok);
    if (c->decl_file)
        rep_json_set(r, "locations", location_json(c->decl_file, c->decl_line, ok), ok);
    rep_json_set(r, "properties", result_props(c, ok), ok);
    if (c->suppressed) {
        json_t *s = json_object(), *list = json_array();
        rep_json_set(s, "kind", json_string("external"), ok);
        rep_json_set(s, "justification", json_string("matched an abiguard suppression rule"), ok);
        rep_json_append(list, s, ok);
        rep_json_set(r, "suppressions", list, ok);
    }
    return r;
}

static json_t *run_json(const ag_diff *d, const ag_report_context *ctx, bool *ok)
{
    int rule_index[AG_CK__COUNT];
    json_t *driver = json_object(), *tool = json_object(), *run = json_object(),
           *results = json_array(), *props = json_object();
    rep_json_set(driver, "name", json_string("abiguard"), ok);
    rep_json_set(driver, "version", json_string(ABIGUARD_VERSION), ok);
    rep_json_set(driver, "rules", rules_json(d, ctx, rule_index, ok), ok);
    rep_json_set(tool, "driver", driver, ok);
    rep_json_set(run, "tool", tool, ok);
    for (size_t i = 0; i < d->n_changes; i++) {
        const ag_change *c = &d->changes[i];
        if (included(c, ctx))
            rep_json_append(results, result_json(c, (unsigned)c->kind < AG_CK__COUNT
                                                        ? rule_index[c->kind] : -1, ok), ok);
    }
    rep_json_set(run, "results", results, ok);
    rep_json_set(props, "old", rep_json_string(rep_old_label(ctx)), ok);
    rep_json_set(props, "new", rep_json_string(rep_new_label(ctx)), ok);
    rep_json_set(props, "verdict", json_string(ag_verdict_name(ag_diff_overall(d))), ok);
    char sentence[1024];
    rep_surface_sentence(d, sentence, sizeof sentence);
    rep_json_set(props, "publicSurface", rep_json_string(sentence), ok);
    rep_json_set(props, "privateChangesLeftOut", json_integer((json_int_t)d->n_private_changes), ok);
    rep_json_set(run, "properties", props, ok);
    return run;
}

ag_status ag_report_sarif(const ag_diff *d, const ag_report_context *ctx, FILE *out, ag_error *err)
{
    bool ok = true;
    json_t *root = json_object(), *runs = json_array();
    rep_json_set(root, "$schema", json_string(SARIF_SCHEMA), &ok);
    rep_json_set(root, "version", json_string("2.1.0"), &ok);
    rep_json_append(runs, run_json(d, ctx, &ok), &ok);
    rep_json_set(root, "runs", runs, &ok);
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
