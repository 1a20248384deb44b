/*
 * report_markdown.c — the diff as a pull-request comment (GitHub-flavoured
 * Markdown): a heading with the verdict, a counts table, one table per
 * verdict, long impact lists folded into <details>. Every verdict carries
 * its word next to its coloured icon, so the comment reads the same in a
 * plain-text mail notification or with a screen reader.
 */
#include <string.h>

#include "report_internal.h"
#include "version.h"

/* Impact lists longer than this are folded. */
#define INLINE_IMPACTS 3

static const char *icon(ag_verdict v)
{
    switch (v) {
    case AG_VERDICT_BREAKING: return "\U0001F7E5";   /* red square */
    case AG_VERDICT_API_BREAK: return "\U0001F7E7";  /* orange square */
    case AG_VERDICT_RISKY: return "\U0001F7E8";      /* yellow square */
    case AG_VERDICT_COMPATIBLE: return "\U0001F7E9"; /* green square */
    case AG_VERDICT_HARMLESS: return "\u2B1C";       /* white square */
    default: return "\u2705";                        /* check mark: no change */
    }
}

/* Plain text in a table cell: Markdown punctuation escaped, HTML-special
   characters as entities, newlines folded (a cell is one line). */
static void md_text(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\n' || *s == '\r')
            fputc(' ', out);
        else if (*s == '<')
            fputs("&lt;", out);
        else if (*s == '>')
            fputs("&gt;", out);
        else if (*s == '&')
            fputs("&amp;", out);
        else if (strchr("\\`*_[]|#~", *s))
            fprintf(out, "\\%c", *s);
        else
            fputc(*s, out);
    }
}

/* A code span: fenced with one more backtick than the longest run inside;
   '|' still needs escaping inside a GFM table cell. */
static void md_code(FILE *out, const char *s)
{
    size_t run = 0, longest = 0;
    for (const char *p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    bool pad = s[0] == '`' || (s[0] && s[strlen(s) - 1] == '`');
    for (size_t i = 0; i <= longest; i++)
        fputc('`', out);
    if (pad)
        fputc(' ', out);
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", out);
        else
            fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
    }
    if (pad)
        fputc(' ', out);
    for (size_t i = 0; i <= longest; i++)
        fputc('`', out);
}

/* HTML-escaped text, for inside <details>. */
static void html_text(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '|': fputs("&#124;", out); break;
        case '\n': case '\r': fputc(' ', out); break;
        default: fputc(*s, out);
        }
    }
}

static void print_heading(const ag_diff *d, const ag_report_context *ctx, FILE *out)
{
    ag_verdict v = ag_diff_overall(d);
    if (v == AG_VERDICT_NONE)
        fprintf(out, "## %s ABI check: no ABI change\n\n", icon(v));
    else
        fprintf(out, "## %s ABI check: %s\n\n", icon(v), ag_verdict_name(v));
    md_code(out, rep_old_label(ctx));
    fputs(" \u2192 ", out);
    md_code(out, rep_new_label(ctx));
    fputs("\n\n", out);
}

static void print_counts(const ag_diff *d, FILE *out)
{
    fputs("| verdict | changes |\n| :-- | --: |\n", out);
    for (int v = AG_VERDICT_BREAKING; v >= AG_VERDICT_HARMLESS; v--)
        fprintf(out, "| %s %s | %zu |\n", icon((ag_verdict)v), ag_verdict_name((ag_verdict)v),
                d->counts[v]);
    fprintf(out, "| suppressed | %zu |\n\n", d->n_suppressed);
    fprintf(out, "**Interfaces:** functions %zu removed, %zu added, %zu changed; "
                 "variables %zu removed, %zu added, %zu changed\n",
            d->functions_removed, d->functions_added, d->functions_changed,
            d->variables_removed, d->variables_added, d->variables_changed);
}

static void print_detail_cell(const ag_change *c, FILE *out)
{
    if (c->detail) {
        md_text(out, c->detail);
    } else if (c->old_value && c->new_value) {
        md_code(out, c->old_value);
        fputs(" \u2192 ", out);
        md_code(out, c->new_value);
    } else if (c->old_value || c->new_value) {
        fputs(c->old_value ? "was " : "now ", out);
        md_code(out, c->old_value ? c->old_value : c->new_value);
    } else {
        md_text(out, rep_why(c));
    }
}

static void print_impacts_cell(const ag_change *c, FILE *out)
{
    if (c->n_impacts == 0) {
        fputs("\u2014", out);
        return;
    }
    if (c->n_impacts <= INLINE_IMPACTS) {
        for (size_t i = 0; i < c->n_impacts; i++) {
            fputs(i ? ", " : "", out);
            md_code(out, c->impacts[i].interface ? c->impacts[i].interface : "?");
        }
        return;
    }
    /* Folded: one path per line, so the table row stays short. */
    fprintf(out, "<details><summary>%zu interfaces</summary>", c->n_impacts);
    for (size_t i = 0; i < c->n_impacts; i++) {
        const ag_impact *im = &c->impacts[i];
        fputs(i ? "<br>" : "", out);
        fputs("<code>", out);
        html_text(out, im->path ? im->path : im->interface);
        fputs("</code>", out);
    }
    fputs("</details>", out);
}

static void print_row(const ag_change *c, FILE *out)
{
    fputs("| ", out);
    md_code(out, rep_kind_id(c));
    fputs(" | ", out);
    md_code(out, c->subject ? c->subject : "?");
    if (c->upcall)
        fputs(" *(upcall surface)*", out);
    fputs(" | ", out);
    print_detail_cell(c, out);
    fputs(" | ", out);
    print_impacts_cell(c, out);
    fputs(" |\n", out);
}

static void print_table(const ag_diff *d, ag_verdict v, bool suppressed, FILE *out)
{
    fputs("| kind | subject | detail | impacted interfaces |\n| --- | --- | --- | --- |\n", out);
    for (size_t i = 0; i < d->n_changes; i++) {
        const ag_change *c = &d->changes[i];
        if (c->suppressed == suppressed && (suppressed || c->verdict == v))
            print_row(c, out);
    }
}

static void print_surface(const ag_diff *d, const ag_report_context *ctx, FILE *out)
{
    char sentence[1024];
    rep_surface_sentence(d, sentence, sizeof sentence);
    fputs("\n**Public surface:** ", out);
    md_text(out, sentence);
    if (rep_surface_inferred(d))
        fputs(". Give the installed headers (`--headers-dir PREFIX/include`) for an exact surface", out);
    fputs("\n", out);
    if (!ctx->show_private || d->n_private_listed == 0)
        return;
    fprintf(out, "\n<details><summary>%zu change%s left out as private</summary>\n\n", d->n_private_listed,
            d->n_private_listed == 1 ? "" : "s");
    fputs("| kind | subject | detail | impacted interfaces |\n| --- | --- | --- | --- |\n", out);
    for (size_t i = 0; i < d->n_private_listed; i++)
        print_row(&d->private_changes[i], out);
    fputs("\n</details>\n", out);
}

static void print_suppressed(const ag_diff *d, const ag_report_context *ctx, FILE *out)
{
    if (d->n_suppressed == 0)
        return;
    const char *s = d->n_suppressed == 1 ? "" : "s";
    if (!ctx->show_suppressed) {
        fprintf(out, "\n_%zu suppressed change%s not listed._\n", d->n_suppressed, s);
        return;
    }
    fprintf(out, "\n<details><summary>%zu suppressed change%s</summary>\n\n", d->n_suppressed, s);
    print_table(d, AG_VERDICT_NONE, true, out);
    fputs("\n</details>\n", out);
}

ag_status ag_report_markdown(const ag_diff *d, const ag_report_context *ctx, FILE *out,
                             ag_error *err)
{
    (void)err;
    print_heading(d, ctx, out);
    print_counts(d, out);
    print_surface(d, ctx, out);
    for (int v = AG_VERDICT_BREAKING; v >= AG_VERDICT_NONE; v--) {
        if (d->counts[v] == 0)
            continue;
        fprintf(out, "\n### %s %s (%zu)\n\n", icon((ag_verdict)v), ag_verdict_name((ag_verdict)v),
                d->counts[v]);
        print_table(d, (ag_verdict)v, false, out);
    }
    print_suppressed(d, ctx, out);
    fprintf(out, "\n<sub>Reported by abiguard %s; fails on %s. "
                 "`abiguard change-kinds` explains every kind.</sub>\n",
            ABIGUARD_VERSION, ag_verdict_name(rep_fail_on(ctx)));
    return AG_OK;
}
