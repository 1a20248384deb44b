/*
 * release_diff.c — pairing the binaries of two releases, diffing each pair
 * and writing one report with a section per binary (see release_diff.h).
 * Each section is the single-binary report of report.h, captured and
 * embedded: the text and Markdown reports as they are, the JSON report as
 * an object under "binaries", JUnit's test suites and SARIF's runs merged
 * into one document, so every format says what it says for one binary.
 */
#include "release_diff.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *file_name_of(const ag_release_binary *b)
{
    if (b->corpus->elf.file_name)
        return b->corpus->elf.file_name;
    const char *slash = b->inner_path ? strrchr(b->inner_path, '/') : NULL;
    return slash ? slash + 1 : (b->inner_path ? b->inner_path : "?");
}

/* What the report calls a binary: its SONAME, else its file name. */
static const char *display_name(const ag_release_pair *p)
{
    if (p->name)
        return p->name;
    const ag_release_binary *b = p->new_b ? p->new_b : p->old_b;
    return b->corpus->elf.soname ? b->corpus->elf.soname : file_name_of(b);
}

const char *ag_release_stem(const char *file_name, char *buf, size_t size)
{
    /* The name before ".so" (or all of it), without its version digits:
       "liblua5.3-c++.so.0" -> "liblua-c++", "libpython3.11.so.1" -> "libpython". */
    size_t n = strlen(file_name);
    for (const char *p = strstr(file_name, ".so"); p; p = strstr(p + 1, ".so"))
        if (p[3] == '\0' || p[3] == '.') {
            n = (size_t)(p - file_name);
            break;
        }
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < size; i++)
        if (!isdigit((unsigned char)file_name[i]) && file_name[i] != '.')
            buf[o++] = file_name[i];
    while (o > 1 && (buf[o - 1] == '-' || buf[o - 1] == '_'))
        o--;
    if (size)
        buf[o] = '\0';
    return buf;
}

static ag_release_pair *push_pair(ag_release_diff *d, ag_pair_status status, const ag_release_binary *o,
                                  const ag_release_binary *n, const char *by)
{
    ag_release_pair *p = &d->pairs[d->n_pairs++];
    memset(p, 0, sizeof *p);
    p->status = status;
    p->old_b = o;
    p->new_b = n;
    p->paired_by = by;
    return p;
}

/* The release's verdict: the worst of its pairs'. */
static void judge(ag_release_diff *d)
{
    d->verdict = AG_VERDICT_NONE;
    for (size_t i = 0; i < d->n_pairs; i++)
        if (d->pairs[i].verdict > d->verdict)
            d->verdict = d->pairs[i].verdict;
}

ag_status ag_release_diff_build(const ag_release_binary *old_bins, size_t n_old,
                                const ag_release_binary *new_bins, size_t n_new,
                                const ag_diff_options *opts, ag_release_diff **out, ag_error *err)
{
    *out = NULL;
    ag_release_diff *d = calloc(1, sizeof *d);
    size_t *match = malloc((n_old + 1) * sizeof *match);  /* old i -> new index, or SIZE_MAX */
    const char **by = malloc((n_old + 1) * sizeof *by);
    bool *taken = calloc(n_new + 1, sizeof *taken);
    if (d)
        d->pairs = calloc(n_old + n_new + 1, sizeof *d->pairs);
    if (!d || !match || !by || !taken || !d->pairs) {
        free(match);
        free(by);
        free(taken);
        ag_release_diff_free(d);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n_old; i++)
        match[i] = SIZE_MAX;
    /* By SONAME first, over everything, so a stem never steals a binary
       another one names exactly. */
    for (size_t i = 0; i < n_old; i++) {
        const char *so = old_bins[i].corpus->elf.soname;
        for (size_t j = 0; so && j < n_new; j++)
            if (!taken[j] && new_bins[j].corpus->elf.soname && strcmp(so, new_bins[j].corpus->elf.soname) == 0) {
                match[i] = j;
                by[i] = "soname";
                taken[j] = true;
                break;
            }
    }
    for (size_t i = 0; i < n_old; i++) {
        if (match[i] != SIZE_MAX)
            continue;
        char a[256], b[256];
        ag_release_stem(file_name_of(&old_bins[i]), a, sizeof a);
        for (size_t j = 0; j < n_new; j++)
            if (!taken[j] && strcmp(a, ag_release_stem(file_name_of(&new_bins[j]), b, sizeof b)) == 0) {
                match[i] = j;
                by[i] = "stem";
                taken[j] = true;
                break;
            }
    }
    /* One binary on each side, unpaired so far: it is the same library. */
    if (n_old == 1 && n_new == 1 && match[0] == SIZE_MAX) {
        match[0] = 0;
        by[0] = "only binary";
        taken[0] = true;
    }
    ag_status st = AG_OK;
    for (size_t i = 0; st == AG_OK && i < n_old; i++) {
        if (match[i] == SIZE_MAX) {
            push_pair(d, AG_PAIR_REMOVED, &old_bins[i], NULL, NULL)->verdict = AG_VERDICT_BREAKING;
            d->n_removed++;
            continue;
        }
        ag_release_pair *p = push_pair(d, AG_PAIR_DIFFED, &old_bins[i], &new_bins[match[i]], by[i]);
        st = ag_diff_corpora(old_bins[i].corpus, new_bins[match[i]].corpus, opts, &p->diff, err);
        if (st == AG_OK)
            p->verdict = ag_diff_overall(p->diff);
        d->n_diffed++;
    }
    for (size_t j = 0; st == AG_OK && j < n_new; j++)
        if (!taken[j]) {
            push_pair(d, AG_PAIR_ADDED, NULL, &new_bins[j], NULL)->verdict = AG_VERDICT_COMPATIBLE;
            d->n_added++;
        }
    judge(d);
    free(match);
    free(by);
    free(taken);
    if (st != AG_OK) {
        ag_release_diff_free(d);
        return st;
    }
    *out = d;
    return AG_OK;
}

void ag_release_diff_apply_suppressions(ag_release_diff *d, const ag_suppression *rules, size_t n)
{
    for (size_t i = 0; i < d->n_pairs; i++) {
        ag_release_pair *p = &d->pairs[i];
        if (p->status == AG_PAIR_DIFFED && p->diff) {
            ag_diff_apply_suppressions(p->diff, rules, n);
            p->verdict = ag_diff_overall(p->diff);
        }
    }
    judge(d);
}

void ag_release_diff_free(ag_release_diff *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_pairs; i++)
        ag_diff_free(d->pairs[i].diff);
    free(d->pairs);
    free(d->owned[0]);
    free(d->owned[1]);
    free(d);
}

int ag_release_diff_exit_status(const ag_release_diff *d, ag_verdict fail_on)
{
    if (fail_on == AG_VERDICT_NONE)
        fail_on = AG_VERDICT_BREAKING;
    if (d->verdict < AG_VERDICT_COMPATIBLE)
        return 0;
    return d->verdict >= fail_on ? 12 : 4;
}

/* ------------------------------------------------------------------ */
/* Reports                                                             */

static const char *status_name(ag_pair_status s)
{
    return s == AG_PAIR_ADDED ? "added" : s == AG_PAIR_REMOVED ? "removed" : "diffed";
}

/* The single-binary report of pair p, in memory. */
static ag_status capture(const ag_release_pair *p, const ag_report_context *ctx, ag_report_format fmt,
                         char **text, size_t *len, ag_error *err)
{
    char *old_label = NULL, *new_label = NULL;
    const char *ol = ctx->old_label ? ctx->old_label : "old", *nl = ctx->new_label ? ctx->new_label : "new";
    const char *ob = p->old_b->label ? p->old_b->label : p->old_b->inner_path;
    const char *nb = p->new_b->label ? p->new_b->label : p->new_b->inner_path;
    if (asprintf(&old_label, "%s:%s", ol, ob ? ob : "?") < 0)
        old_label = NULL;
    if (asprintf(&new_label, "%s:%s", nl, nb ? nb : "?") < 0)
        new_label = NULL;
    ag_report_context c = *ctx;
    c.old_label = old_label;
    c.new_label = new_label;
    c.old_c = p->old_b->corpus;
    c.new_c = p->new_b->corpus;
    *text = NULL;
    *len = 0;
    FILE *f = open_memstream(text, len);
    ag_status st = (!old_label || !new_label || !f) ? ag_fail(err, AG_ERR_NOMEM, "out of memory")
                                                     : ag_report_write(p->diff, &c, fmt, f, err);
    if (f && fclose(f) != 0 && st == AG_OK)
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    free(old_label);
    free(new_label);
    if (st != AG_OK) {
        free(*text);
        *text = NULL;
    }
    return st;
}

static const char *path_or_dash(const ag_release_binary *b)
{
    return b && b->inner_path ? b->inner_path : "-";
}

static ag_status write_text(const ag_release_diff *d, const ag_report_context *ctx, bool markdown, FILE *out,
                            ag_error *err)
{
    const char *ol = ctx->old_label ? ctx->old_label : "old", *nl = ctx->new_label ? ctx->new_label : "new";
    if (markdown) {
        fprintf(out, "## abiguard release diff: `%s` → `%s`\n\n", ol, nl);
        fprintf(out, "**Overall verdict: %s** — %zu binaries diffed, %zu added, %zu removed.\n\n",
                ag_verdict_name(d->verdict), d->n_diffed, d->n_added, d->n_removed);
        fprintf(out, "| binary | status | verdict | old path | new path |\n| --- | --- | --- | --- | --- |\n");
    } else {
        fprintf(out, "release diff %s -> %s\n", ol, nl);
        fprintf(out, "overall verdict: %s (%zu binaries diffed, %zu added, %zu removed)\n\n",
                ag_verdict_name(d->verdict), d->n_diffed, d->n_added, d->n_removed);
    }
    for (size_t i = 0; i < d->n_pairs; i++) {
        const ag_release_pair *p = &d->pairs[i];
        if (markdown)
            fprintf(out, "| `%s` | %s | %s | `%s` | `%s` |\n", display_name(p), status_name(p->status),
                    ag_verdict_name(p->verdict), path_or_dash(p->old_b), path_or_dash(p->new_b));
        else
            fprintf(out, "  %-10s %-8s %-32s %s -> %s\n", ag_verdict_name(p->verdict), status_name(p->status),
                    display_name(p), path_or_dash(p->old_b), path_or_dash(p->new_b));
    }
    fputc('\n', out);
    for (size_t i = 0; i < d->n_pairs; i++) {
        const ag_release_pair *p = &d->pairs[i];
        if (markdown)
            fprintf(out, "### `%s`\n\n", display_name(p));
        else
            fprintf(out, "=== %s ===\n", display_name(p));
        if (p->status == AG_PAIR_REMOVED) {
            fprintf(out, "%sremoved: %s is in %s but not in %s; binaries that need it no longer load (breaking)\n\n",
                    markdown ? "" : "  ", path_or_dash(p->old_b), ol, nl);
            continue;
        }
        if (p->status == AG_PAIR_ADDED) {
            fprintf(out, "%sadded: %s is new in %s (compatible)\n\n", markdown ? "" : "  ", path_or_dash(p->new_b), nl);
            continue;
        }
        char *text;
        size_t len;
        ag_status st = capture(p, ctx, markdown ? AG_FMT_MARKDOWN : AG_FMT_TEXT, &text, &len, err);
        if (st != AG_OK)
            return st;
        fwrite(text, 1, len, out);
        if (len == 0 || text[len - 1] != '\n')
            fputc('\n', out);
        fputc('\n', out);
        free(text);
    }
    return ferror(out) ? ag_fail(err, AG_ERR_IO, "cannot write the report") : AG_OK;
}

static json_t *pair_json(const ag_release_pair *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(display_name(p)));
    json_object_set_new(o, "status", json_string(status_name(p->status)));
    json_object_set_new(o, "verdict", json_string(ag_verdict_name(p->verdict)));
    json_object_set_new(o, "old_path", p->old_b ? json_string(path_or_dash(p->old_b)) : json_null());
    json_object_set_new(o, "new_path", p->new_b ? json_string(path_or_dash(p->new_b)) : json_null());
    if (p->paired_by)
        json_object_set_new(o, "paired_by", json_string(p->paired_by));
    return o;
}

static ag_status write_json(const ag_release_diff *d, const ag_report_context *ctx, FILE *out, ag_error *err)
{
    json_t *root = json_object(), *bins = json_array();
    json_object_set_new(root, "format", json_string("abiguard-release-diff/1"));
    json_object_set_new(root, "old", json_string(ctx->old_label ? ctx->old_label : "old"));
    json_object_set_new(root, "new", json_string(ctx->new_label ? ctx->new_label : "new"));
    json_object_set_new(root, "verdict", json_string(ag_verdict_name(d->verdict)));
    json_t *counts = json_object();
    json_object_set_new(counts, "diffed", json_integer((json_int_t)d->n_diffed));
    json_object_set_new(counts, "added", json_integer((json_int_t)d->n_added));
    json_object_set_new(counts, "removed", json_integer((json_int_t)d->n_removed));
    json_object_set_new(root, "counts", counts);
    json_object_set_new(root, "binaries", bins);
    ag_status st = AG_OK;
    for (size_t i = 0; st == AG_OK && i < d->n_pairs; i++) {
        json_t *o = pair_json(&d->pairs[i]);
        json_array_append_new(bins, o);
        if (d->pairs[i].status != AG_PAIR_DIFFED)
            continue;
        char *text;
        size_t len;
        st = capture(&d->pairs[i], ctx, AG_FMT_JSON, &text, &len, err);
        if (st != AG_OK)
            break;
        json_error_t je;
        json_t *one = json_loadb(text, len, 0, &je);
        free(text);
        if (!one)
            st = ag_fail(err, AG_ERR_FORMAT, "the diff report of %s is not JSON: %s", display_name(&d->pairs[i]), je.text);
        else
            json_object_set_new(o, "diff", one);
    }
    if (st == AG_OK && (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 || fputc('\n', out) == EOF))
        st = ag_fail(err, AG_ERR_IO, "cannot write the report");
    json_decref(root);
    return st;
}

static void xml_escaped(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out);
        }
    }
}

/* The <testsuite> elements of a captured JUnit document. */
static void write_inner_suites(const char *text, FILE *out)
{
    const char *start = strstr(text, "<testsuites");
    start = start ? strchr(start, '\n') : NULL;
    const char *end = strstr(text, "</testsuites>");
    if (start && end && end > start)
        fwrite(start + 1, 1, (size_t)(end - start - 1), out);
}

static ag_status write_junit(const ag_release_diff *d, const ag_report_context *ctx, FILE *out, ag_error *err)
{
    char **texts = calloc(d->n_pairs + 1, sizeof *texts);
    if (!texts)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    ag_status st = AG_OK;
    for (size_t i = 0; st == AG_OK && i < d->n_pairs; i++) {
        size_t len;
        if (d->pairs[i].status == AG_PAIR_DIFFED)
            st = capture(&d->pairs[i], ctx, AG_FMT_JUNIT, &texts[i], &len, err);
    }
    if (st == AG_OK) {
        size_t tests = 0, failures = 0;
        for (size_t i = 0; i < d->n_pairs; i++) {
            if (!texts[i]) {
                tests++;
                failures += d->pairs[i].status == AG_PAIR_REMOVED;
                continue;
            }
            const char *t = strstr(texts[i], "<testsuites");
            const char *tp = t ? strstr(t, " tests=\"") : NULL, *fp = t ? strstr(t, " failures=\"") : NULL;
            tests += tp ? strtoul(tp + 8, NULL, 10) : 0;
            failures += fp ? strtoul(fp + 11, NULL, 10) : 0;
        }
        fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        fprintf(out, "<testsuites name=\"abiguard\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n", tests, failures);
        for (size_t i = 0; i < d->n_pairs; i++) {
            const ag_release_pair *p = &d->pairs[i];
            if (texts[i]) {
                write_inner_suites(texts[i], out);
                continue;
            }
            fputs("  <testsuite name=\"binary ", out);
            xml_escaped(out, display_name(p));
            fprintf(out, "\" tests=\"1\" failures=\"%d\" errors=\"0\" skipped=\"0\">\n", p->status == AG_PAIR_REMOVED);
            fputs("    <testcase classname=\"", out);
            xml_escaped(out, display_name(p));
            fprintf(out, "\" name=\"library-%s\"", status_name(p->status));
            if (p->status == AG_PAIR_REMOVED) {
                fputs(">\n      <failure message=\"breaking library-removed: ", out);
                xml_escaped(out, path_or_dash(p->old_b));
                fputs("\" type=\"breaking\">the library is no longer shipped: binaries that need it no longer load</failure>\n    </testcase>\n", out);
            } else {
                fputs("/>\n", out);
            }
            fputs("  </testsuite>\n", out);
        }
        fputs("</testsuites>\n", out);
        if (ferror(out))
            st = ag_fail(err, AG_ERR_IO, "cannot write the report");
    }
    for (size_t i = 0; i < d->n_pairs; i++)
        free(texts[i]);
    free(texts);
    return st;
}

static ag_status write_sarif(const ag_release_diff *d, const ag_report_context *ctx, FILE *out, ag_error *err)
{
    json_t *root = NULL, *runs = NULL, *extra = json_array();
    ag_status st = AG_OK;
    for (size_t i = 0; st == AG_OK && i < d->n_pairs; i++) {
        const ag_release_pair *p = &d->pairs[i];
        if (p->status != AG_PAIR_DIFFED) {
            json_t *r = json_object();
            json_object_set_new(r, "ruleId", json_string(p->status == AG_PAIR_REMOVED ? "library-removed" : "library-added"));
            json_object_set_new(r, "level", json_string(p->status == AG_PAIR_REMOVED ? "error" : "note"));
            char *msg = NULL;
            if (asprintf(&msg, "%s %s: %s", display_name(p), status_name(p->status),
                         path_or_dash(p->old_b ? p->old_b : p->new_b)) < 0)
                msg = NULL;
            json_t *m = json_object();
            json_object_set_new(m, "text", json_string(msg ? msg : "library added or removed"));
            free(msg);
            json_object_set_new(r, "message", m);
            json_array_append_new(extra, r);
            continue;
        }
        char *text;
        size_t len;
        st = capture(p, ctx, AG_FMT_SARIF, &text, &len, err);
        if (st != AG_OK)
            break;
        json_error_t je;
        json_t *one = json_loadb(text, len, 0, &je);
        free(text);
        if (!one) {
            st = ag_fail(err, AG_ERR_FORMAT, "the SARIF report of %s is not JSON: %s", display_name(p), je.text);
            break;
        }
        json_t *one_runs = json_object_get(one, "runs");
        if (!root) {
            root = one;
            runs = one_runs;
            continue;
        }
        size_t k;
        json_t *run;
        json_array_foreach(one_runs, k, run)
            json_array_append(runs, run);
        json_decref(one);
    }
    if (st == AG_OK && !root) {
        root = json_object();
        json_object_set_new(root, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json"));
        json_object_set_new(root, "version", json_string("2.1.0"));
        runs = json_array();
        json_object_set_new(root, "runs", runs);
    }
    if (st == AG_OK && json_array_size(extra) > 0) {
        json_t *run = json_object(), *tool = json_object(), *driver = json_object();
        json_object_set_new(driver, "name", json_string("abiguard"));
        json_object_set_new(tool, "driver", driver);
        json_object_set_new(run, "tool", tool);
        json_object_set(run, "results", extra);
        json_array_append_new(runs, run);
    }
    if (st == AG_OK && (json_dumpf(root, out, JSON_INDENT(2) | JSON_SORT_KEYS) != 0 || fputc('\n', out) == EOF))
        st = ag_fail(err, AG_ERR_IO, "cannot write the report");
    json_decref(extra);
    json_decref(root);
    return st;
}

ag_status ag_release_report_write(const ag_release_diff *d, const ag_report_context *ctx,
                                  ag_report_format fmt, FILE *out, ag_error *err)
{
    switch (fmt) {
    case AG_FMT_TEXT: return write_text(d, ctx, false, out, err);
    case AG_FMT_MARKDOWN: return write_text(d, ctx, true, out, err);
    case AG_FMT_JSON: return write_json(d, ctx, out, err);
    case AG_FMT_JUNIT: return write_junit(d, ctx, out, err);
    case AG_FMT_SARIF: return write_sarif(d, ctx, out, err);
    }
    return ag_fail(err, AG_ERR_USAGE, "unknown report format");
}
