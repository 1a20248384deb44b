/*
 * report_text.c — the terminal report: one summary line a CI log can grep,
 * interface counts, then each change grouped by verdict (most severe
 * first) with why it matters, what changed and which interfaces it reaches.
 * Like `abidiff --leaf-changes-only`: each change once, where it happened.
 */
#include <ctype.h>
#include <string.h>

#include "report_internal.h"

/* How many impact paths to list before "... and N more". */
#define MAX_PATHS 10

/* The verdict's word, coloured when asked. */
static void put_verdict(const char *word, ag_verdict v, bool color, FILE *out)
{
    if (color)
        fprintf(out, "%s%s%s", ag_verdict_sgr(v), word, AG_SGR_RESET);
    else
        fputs(word, out);
}

static void print_counts(const ag_diff *d, FILE *out)
{
    static const ag_verdict order[] = {
        AG_VERDICT_BREAKING, AG_VERDICT_API_BREAK, AG_VERDICT_RISKY,
        AG_VERDICT_COMPATIBLE, AG_VERDICT_HARMLESS,
    };
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        fprintf(out, "%s%zu %s", i ? ", " : "", d->counts[order[i]], ag_verdict_name(order[i]));
}

static void print_summary(const ag_diff *d, const ag_report_context *ctx, FILE *out)
{
    fprintf(out, "ABI diff %s -> %s: ", rep_old_label(ctx), rep_new_label(ctx));
    ag_verdict v = ag_diff_overall(d);
    if (v == AG_VERDICT_NONE) {
        fputs("no ABI change", out);
    } else {
        fputs("verdict ", out);
        char word[32];
        size_t k = 0;
        for (const char *p = ag_verdict_name(v); *p && k + 1 < sizeof word; p++)
            word[k++] = (char)toupper((unsigned char)*p);
        word[k] = '\0';
        put_verdict(word, v, ctx->color, out);
        fputs(" \u2014 ", out);
        print_counts(d, out);
    }
    if (d->n_suppressed)
        fprintf(out, " (%zu suppressed)", d->n_suppressed);
    fputc('\n', out);
}

static void print_interfaces(const ag_diff *d, FILE *out)
{
    fprintf(out, "functions: %zu removed, %zu added, %zu changed\n",
            d->functions_removed, d->functions_added, d->functions_changed);
    fprintf(out, "variables: %zu removed, %zu added, %zu changed\n",
            d->variables_removed, d->variables_added, d->variables_changed);
}

/* A path from the interface straight to the type ("f() param 1 -> T"). */
static bool is_direct(const ag_impact *im)
{
    const char *arrow = im->path ? strstr(im->path, " -> ") : NULL;
    return !arrow || !strstr(arrow + 4, " -> ");
}

/* Impacts come shortest path first; every direct one is listed, then
   longer ones up to MAX_PATHS in all. */
static void print_impacts(const ag_change *c, FILE *out)
{
    if (c->n_impacts == 0)
        return;
    fprintf(out, "  impacted interfaces (%zu):\n", c->n_impacts);
    size_t shown = 0;
    for (size_t i = 0; i < c->n_impacts; i++) {
        const ag_impact *im = &c->impacts[i];
        if (shown >= MAX_PATHS && !is_direct(im))
            continue;
        fprintf(out, "    %s\n", im->path ? im->path : im->interface ? im->interface : "?");
        shown++;
    }
    if (c->n_impacts > shown)
        fprintf(out, "    ... and %zu more\n", c->n_impacts - shown);
}

static void print_change(const ag_change *c, bool left_out, bool color, FILE *out)
{
    fputs("\n[", out);
    put_verdict(ag_verdict_name(c->verdict), c->verdict, color && !c->suppressed && !left_out, out);
    fprintf(out, "%s%s] %s  %s%s\n",
            c->suppressed ? ", suppressed" : "", left_out ? ", private" : "", rep_kind_id(c),
            c->subject ? c->subject : "?", c->upcall ? "  [upcall surface]" : "");
    fprintf(out, "  why: %s\n", rep_why(c));
    if (c->detail)
        fprintf(out, "  detail: %s\n", c->detail);
    if (c->old_value && c->new_value)
        fprintf(out, "  old: %s  new: %s\n", c->old_value, c->new_value);
    else if (c->old_value)
        fprintf(out, "  old: %s\n", c->old_value);
    else if (c->new_value)
        fprintf(out, "  new: %s\n", c->new_value);
    print_impacts(c, out);
}

/* The changes of one verdict, suppressed or not as asked. */
static void print_group(const ag_diff *d, ag_verdict v, bool suppressed, bool color, FILE *out)
{
    for (size_t i = 0; i < d->n_changes; i++) {
        const ag_change *c = &d->changes[i];
        if (c->verdict == v && c->suppressed == suppressed)
            print_change(c, false, color, out);
    }
}

/* How the surface was decided; when inferred, how to make it exact. */
static void print_surface(const ag_diff *d, const ag_report_context *ctx, FILE *out)
{
    char sentence[1024];
    rep_surface_sentence(d, sentence, sizeof sentence);
    fprintf(out, "public surface: %s%s\n", sentence,
            d->n_private_changes && !ctx->show_private ? " (--show-private lists them)" : "");
    if (rep_surface_inferred(d))
        fputs("  for an exact surface give the installed headers: --headers-dir PREFIX/include "
              "(to extract, add, import, push or diff)\n", out);
}

/* --show-private: what the surface left out, changes and types. */
static void print_private(const ag_diff *d, FILE *out)
{
    fprintf(out, "\n== left out as private (%zu change%s) ==\n", d->n_private_changes,
            d->n_private_changes == 1 ? "" : "s");
    for (size_t i = 0; i < d->n_private_listed; i++)
        print_change(&d->private_changes[i], true, false, out);
    if (d->n_private_types) {
        fprintf(out, "\nprivate types (%zu):\n", d->n_private_types);
        for (size_t i = 0; i < d->n_private_types; i++) {
            const ag_private_type *t = &d->private_types[i];
            fprintf(out, "  %s  (%s%s%s)\n", t->name, ag_visibility_reason(t->reason), t->decl_file ? ": " : "",
                    t->decl_file ? t->decl_file : "");
        }
    }
}

ag_status ag_report_text(const ag_diff *d, const ag_report_context *ctx, FILE *out, ag_error *err)
{
    (void)err;
    print_summary(d, ctx, out);
    print_interfaces(d, out);
    print_surface(d, ctx, out);
    for (int v = AG_VERDICT_BREAKING; v >= AG_VERDICT_NONE; v--) {
        if (d->counts[v] == 0)
            continue;
        fputs("\n== ", out);
        put_verdict(ag_verdict_name((ag_verdict)v), (ag_verdict)v, ctx->color, out);
        fprintf(out, " (%zu) ==\n", d->counts[v]);
        print_group(d, (ag_verdict)v, false, ctx->color, out);
    }
    if (d->n_suppressed && ctx->show_suppressed) {
        fprintf(out, "\n== suppressed (%zu) ==\n", d->n_suppressed);
        for (int v = AG_VERDICT_BREAKING; v >= AG_VERDICT_NONE; v--)
            print_group(d, (ag_verdict)v, true, false, out);
    } else if (d->n_suppressed) {
        fprintf(out, "\n%zu suppressed change%s not listed\n", d->n_suppressed,
                d->n_suppressed == 1 ? "" : "s");
    }
    if (ctx->show_private)
        print_private(d, out);
    return AG_OK;
}
