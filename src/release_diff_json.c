/*
 * release_diff_json.c — see release_diff_json.h. The inverse of
 * release_diff.c's JSON writer: each binary's section and its own
 * abiguard-diff/1 report, read by diff_json.c; the counts and the overall
 * verdict are recomputed from the pairs rather than trusted.
 */
#include "release_diff_json.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "change_kinds.h"
#include "diff_json.h"

/* A string field, or NULL when absent or null; *ok false when it is
   something else. */
static const char *str_field(json_t *obj, const char *key, bool *ok)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v))
        *ok = false;
    return json_string_value(v);
}

/* What label has after "release:", or NULL. */
static const char *after_release(const char *label, const char *release)
{
    size_t n = release ? strlen(release) : 0;
    return label && release && strncmp(label, release, n) == 0 && label[n] == ':' ? label + n + 1 : NULL;
}

/* The strings a pair keeps, in the order pair_strings() copies them. */
enum { S_NAME, S_OLD_PATH, S_NEW_PATH, S_PAIRED_BY, S_OLD_LABEL, S_NEW_LABEL, N_STRINGS };

static bool pair_strings(json_t *b, const char *old_rel, const char *new_rel, const char *s[N_STRINGS])
{
    bool ok = json_is_object(b);
    if (!ok)
        return false;
    s[S_NAME] = str_field(b, "name", &ok);
    s[S_OLD_PATH] = str_field(b, "old_path", &ok);
    s[S_NEW_PATH] = str_field(b, "new_path", &ok);
    s[S_PAIRED_BY] = str_field(b, "paired_by", &ok);
    json_t *d = json_object_get(b, "diff");
    s[S_OLD_LABEL] = d ? after_release(str_field(d, "old", &ok), old_rel) : NULL;
    s[S_NEW_LABEL] = d ? after_release(str_field(d, "new", &ok), new_rel) : NULL;
    return ok && s[S_NAME];
}

static ag_status read_pair(json_t *b, size_t i, const char *s[N_STRINGS], ag_release_pair *p, ag_error *err)
{
    const char *status = json_string_value(json_object_get(b, "status"));
    const char *verdict = json_string_value(json_object_get(b, "verdict"));
    int v = verdict ? ag_verdict_from_name(verdict) : -1;
    if (!status || v < 0)
        return ag_fail(err, AG_ERR_FORMAT, "binaries[%zu]: no status or verdict", i);
    p->status = !strcmp(status, "diffed") ? AG_PAIR_DIFFED : !strcmp(status, "added") ? AG_PAIR_ADDED
              : !strcmp(status, "removed") ? AG_PAIR_REMOVED : (ag_pair_status)-1;
    if ((int)p->status < 0 || (p->status != AG_PAIR_ADDED && !s[S_OLD_PATH]) ||
        (p->status != AG_PAIR_REMOVED && !s[S_NEW_PATH]))
        return ag_fail(err, AG_ERR_FORMAT, "binaries[%zu]: status '%s' without its paths", i, status);
    p->verdict = (ag_verdict)v; /* (a diffed pair's is its diff's: judged again below) */
    if (p->status != AG_PAIR_DIFFED)
        return AG_OK;
    json_t *d = json_object_get(b, "diff");
    char *text = json_is_object(d) ? json_dumps(d, JSON_COMPACT) : NULL;
    if (!text)
        return ag_fail(err, AG_ERR_FORMAT, "binaries[%zu]: a diffed binary without its diff", i);
    ag_status st = ag_diff_from_json(text, strlen(text), &p->diff, err);
    free(text);
    return st;
}

ag_status ag_release_diff_from_json(const char *text, size_t len, ag_release_diff **out, ag_error *err)
{
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    if (!root)
        return ag_fail(err, AG_ERR_FORMAT, "line %d column %d: %s", jerr.line, jerr.column, jerr.text);
    const char *format = json_string_value(json_object_get(root, "format"));
    const char *old_rel = json_string_value(json_object_get(root, "old"));
    const char *new_rel = json_string_value(json_object_get(root, "new"));
    json_t *bins = json_object_get(root, "binaries");
    ag_status st = AG_OK;
    ag_release_diff *d = NULL;
    if (!format || strcmp(format, "abiguard-release-diff/1") != 0 || !json_is_array(bins)) {
        st = ag_fail(err, AG_ERR_FORMAT, "not an abiguard-release-diff/1 report");
        goto out;
    }
    size_t n = json_array_size(bins), bytes = 0;
    const char *s[N_STRINGS];
    for (size_t i = 0; i < n; i++) {
        if (!pair_strings(json_array_get(bins, i), old_rel, new_rel, s)) {
            st = ag_fail(err, AG_ERR_FORMAT, "binaries[%zu]: not a binary's section", i);
            goto out;
        }
        for (int k = 0; k < N_STRINGS; k++)
            bytes += s[k] ? strlen(s[k]) + 1 : 0;
    }
    /* The pairs' binaries (two a pair) and one block for their strings,
       freed with the result. */
    d = calloc(1, sizeof *d);
    ag_release_binary *rb = d ? calloc(2 * (n ? n : 1), sizeof *rb) : NULL;
    char *arena = rb ? malloc(bytes ? bytes : 1) : NULL;
    if (d) {
        d->owned[0] = rb;
        d->owned[1] = arena;
    }
    if (!arena || !(d->pairs = calloc(n ? n : 1, sizeof *d->pairs))) {
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
        goto out;
    }
    char *at = arena;
    for (size_t i = 0; i < n && st == AG_OK; i++) {
        json_t *b = json_array_get(bins, i);
        pair_strings(b, old_rel, new_rel, s);
        const char *copy[N_STRINGS];
        for (int k = 0; k < N_STRINGS; k++) {
            copy[k] = s[k] ? strcpy(at, s[k]) : NULL;
            at += s[k] ? strlen(s[k]) + 1 : 0;
        }
        ag_release_pair *p = &d->pairs[d->n_pairs++];
        st = read_pair(b, i, s, p, err);
        if (st != AG_OK)
            break;
        p->name = copy[S_NAME];
        p->paired_by = copy[S_PAIRED_BY];
        if (p->status != AG_PAIR_ADDED) {
            rb[2 * i] = (ag_release_binary){ .inner_path = copy[S_OLD_PATH], .label = copy[S_OLD_LABEL] };
            p->old_b = &rb[2 * i];
        }
        if (p->status != AG_PAIR_REMOVED) {
            rb[2 * i + 1] = (ag_release_binary){ .inner_path = copy[S_NEW_PATH], .label = copy[S_NEW_LABEL] };
            p->new_b = &rb[2 * i + 1];
        }
        d->n_diffed += p->status == AG_PAIR_DIFFED;
        d->n_added += p->status == AG_PAIR_ADDED;
        d->n_removed += p->status == AG_PAIR_REMOVED;
    }
    if (st == AG_OK)
        ag_release_diff_apply_suppressions(d, NULL, 0); /* the verdicts, from the changes */
out:
    json_decref(root);
    if (st != AG_OK) {
        ag_release_diff_free(d);
        return st;
    }
    *out = d;
    return AG_OK;
}
