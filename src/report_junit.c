/*
 * report_junit.c — the diff as JUnit XML, for CI test dashboards: one test
 * case per exported interface of the old release (functions and variables),
 * failing when an unsuppressed change at or above the fail-on verdict
 * reaches it (or removed it), plus one case "abi:symbols-and-elf" for the
 * changes that reach no interface (SONAME, version nodes, ELF properties).
 * A dashboard then shows exactly which entry points a release broke.
 */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "suppress.h"

#define ELF_CASE "abi:symbols-and-elf"

typedef struct bucket {
    size_t *v; /* change indices, in diff order (most severe first) */
    size_t n, cap;
} bucket;

typedef struct junit {
    const char **names;   /* sorted, unique interface names */
    size_t n_names, cap_names;
    bucket *buckets;      /* n_names + 1: the last one is ELF_CASE */
} junit;

/* ------------------------------------------------------------------ */
/* XML output                                                          */

/* Escaped text or attribute value: markup characters as entities, control
   characters XML 1.0 forbids and invalid UTF-8 as '?'. */
static void xml_text(FILE *out, const char *s, bool attr)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        size_t n = rep_utf8_len(p);
        if (n == 0 || (*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r')) {
            fputc('?', out);
            p++;
            continue;
        }
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs(attr ? "&quot;" : "\"", out); break;
        case '\'': fputs(attr ? "&apos;" : "'", out); break;
        case '\n': fputs(attr ? "&#10;" : "\n", out); break;
        case '\r': fputs("&#13;", out); break;
        case '\t': fputs(attr ? "&#9;" : "\t", out); break;
        default: fwrite(p, 1, n, out);
        }
        p += n;
    }
}

/* ------------------------------------------------------------------ */
/* Which test case each change belongs to                              */

static bool add_name(junit *j, const char *name)
{
    if (!name)
        return true;
    if (j->n_names == j->cap_names) {
        size_t cap = j->cap_names ? j->cap_names * 2 : 64;
        const char **v = realloc(j->names, cap * sizeof *v);
        if (!v)
            return false;
        j->names = v;
        j->cap_names = cap;
    }
    j->names[j->n_names++] = name;
    return true;
}

static bool is_interface_symbol(const ag_symbol *s)
{
    return s->type == AG_SYM_FUNC || s->type == AG_SYM_IFUNC || s->type == AG_SYM_OBJECT ||
           s->type == AG_SYM_TLS || s->type == AG_SYM_COMMON;
}

/* The old release's interfaces: DWARF-described functions and variables
   and every exported function or data symbol (some have no debug info).
   Without a corpus, the interfaces the changes name. */
static bool collect_names(junit *j, const ag_diff *d, const ag_corpus *old_c)
{
    bool ok = true;
    if (old_c) {
        for (size_t i = 0; i < old_c->n_functions; i++)
            ok = ok && add_name(j, old_c->functions[i].name);
        for (size_t i = 0; i < old_c->n_variables; i++)
            ok = ok && add_name(j, old_c->variables[i].name);
        for (size_t i = 0; i < old_c->n_exports; i++)
            if (is_interface_symbol(&old_c->exports[i]))
                ok = ok && add_name(j, old_c->exports[i].name);
        return ok;
    }
    for (size_t i = 0; i < d->n_changes; i++)
        for (size_t k = 0; k < d->changes[i].n_impacts; k++)
            ok = ok && add_name(j, d->changes[i].impacts[k].interface);
    return ok;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void sort_unique(junit *j)
{
    if (j->n_names == 0)
        return;
    qsort(j->names, j->n_names, sizeof *j->names, cmp_name);
    size_t w = 1;
    for (size_t r = 1; r < j->n_names; r++)
        if (strcmp(j->names[r], j->names[w - 1]) != 0)
            j->names[w++] = j->names[r];
    j->n_names = w;
}

/* Index of name among the interfaces, or n_names when absent. */
static size_t find_name(const junit *j, const char *name)
{
    if (!name || j->n_names == 0)
        return j->n_names;
    const char **hit = bsearch(&name, j->names, j->n_names, sizeof *j->names, cmp_name);
    return hit ? (size_t)(hit - j->names) : j->n_names;
}

static bool push(bucket *b, size_t change)
{
    if (b->n && b->v[b->n - 1] == change)
        return true; /* one interface impacted along several paths */
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4;
        size_t *v = realloc(b->v, cap * sizeof *v);
        if (!v)
            return false;
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n++] = change;
    return true;
}

/* Puts change i into the bucket of each interface it reaches; a change
   without impacts about one symbol (a removal) into that symbol's; the
   rest into ELF_CASE. */
static bool assign(junit *j, const ag_change *c, size_t i)
{
    bool placed = false;
    for (size_t k = 0; k < c->n_impacts; k++) {
        size_t at = find_name(j, c->impacts[k].interface);
        if (at < j->n_names) {
            if (!push(&j->buckets[at], i))
                return false;
            placed = true;
        }
    }
    char name[1024];
    if (!placed && ag_change_subject_symbol(c, name, sizeof name)) {
        size_t at = find_name(j, name);
        if (at < j->n_names) {
            if (!push(&j->buckets[at], i))
                return false;
            placed = true;
        }
    }
    return placed || push(&j->buckets[j->n_names], i);
}

static void junit_free(junit *j)
{
    for (size_t i = 0; j->buckets && i <= j->n_names; i++)
        free(j->buckets[i].v);
    free(j->buckets);
    free(j->names);
}

static bool junit_build(junit *j, const ag_diff *d, const ag_corpus *old_c)
{
    if (!collect_names(j, d, old_c))
        return false;
    sort_unique(j);
    j->buckets = calloc(j->n_names + 1, sizeof *j->buckets);
    if (!j->buckets)
        return false;
    for (size_t i = 0; i < d->n_changes; i++)
        if (!assign(j, &d->changes[i], i))
            return false;
    return true;
}

/* ------------------------------------------------------------------ */
/* Test cases                                                          */

static bool fails(const ag_change *c, ag_verdict fail_on)
{
    return !c->suppressed && c->verdict >= fail_on;
}

static size_t count_failing(const ag_diff *d, const bucket *b, ag_verdict fail_on)
{
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++)
        n += fails(&d->changes[b->v[i]], fail_on);
    return n;
}

/* The path by which this change reaches the interface, if any. */
static const char *path_to(const ag_change *c, const char *interface)
{
    for (size_t k = 0; interface && k < c->n_impacts; k++)
        if (c->impacts[k].interface && strcmp(c->impacts[k].interface, interface) == 0)
            return c->impacts[k].path;
    return NULL;
}

static void print_change(FILE *out, const ag_change *c, const char *interface)
{
    fprintf(out, "[%s%s] ", ag_verdict_name(c->verdict), c->suppressed ? ", suppressed" : "");
    xml_text(out, rep_kind_id(c), false);
    fputs("  ", out);
    xml_text(out, c->subject, false);
    if (c->upcall)
        fputs("  [upcall surface]", out);
    fputs("\n  why: ", out);
    xml_text(out, rep_why(c), false);
    if (c->detail) {
        fputs("\n  detail: ", out);
        xml_text(out, c->detail, false);
    }
    const char *path = path_to(c, interface);
    if (path) {
        fputs("\n  via: ", out);
        xml_text(out, path, false);
    }
    fputc('\n', out);
}

static void print_failure(FILE *out, const ag_diff *d, const bucket *b, const char *interface,
                          ag_verdict fail_on, size_t n_failing)
{
    const ag_change *first = NULL;
    for (size_t i = 0; i < b->n && !first; i++)
        if (fails(&d->changes[b->v[i]], fail_on))
            first = &d->changes[b->v[i]];
    fputs("      <failure message=\"", out);
    fprintf(out, "%s %s: ", ag_verdict_name(first->verdict), rep_kind_id(first));
    xml_text(out, first->subject, true);
    if (n_failing > 1)
        fprintf(out, " (and %zu more)", n_failing - 1);
    fprintf(out, "\" type=\"%s\">", ag_verdict_name(first->verdict));
    for (size_t i = 0; i < b->n; i++)
        if (fails(&d->changes[b->v[i]], fail_on))
            print_change(out, &d->changes[b->v[i]], interface);
    fputs("</failure>\n", out);
}

/* Changes below the threshold (or suppressed and asked for) as context. */
static void print_system_out(FILE *out, const ag_diff *d, const bucket *b, const char *interface,
                             const ag_report_context *ctx)
{
    bool any = false;
    for (size_t i = 0; i < b->n; i++) {
        const ag_change *c = &d->changes[b->v[i]];
        if (fails(c, rep_fail_on(ctx)) || !rep_shown(c, ctx))
            continue;
        fputs(any ? "" : "      <system-out>", out);
        any = true;
        print_change(out, c, interface);
    }
    if (any)
        fputs("</system-out>\n", out);
}

/* The library label without its directory: dashboards split classnames
   into packages, and the path says nothing about the library. */
static const char *class_name(const ag_report_context *ctx)
{
    const char *label = rep_old_label(ctx);
    const char *slash = strrchr(label, '/');
    return slash && slash[1] ? slash + 1 : label;
}

static void print_case(FILE *out, const ag_diff *d, const ag_report_context *ctx,
                       const char *name, const bucket *b)
{
    fputs("    <testcase classname=\"", out);
    xml_text(out, class_name(ctx), true);
    fputs("\" name=\"", out);
    xml_text(out, name, true);
    size_t n_failing = count_failing(d, b, rep_fail_on(ctx));
    size_t n_shown = 0;
    for (size_t i = 0; i < b->n; i++)
        n_shown += rep_shown(&d->changes[b->v[i]], ctx);
    if (n_failing == 0 && n_shown == 0) {
        fputs("\"/>\n", out);
        return;
    }
    fputs("\">\n", out);
    if (n_failing)
        print_failure(out, d, b, name, rep_fail_on(ctx), n_failing);
    print_system_out(out, d, b, name, ctx);
    fputs("    </testcase>\n", out);
}

static void print_suite(FILE *out, const ag_diff *d, const ag_report_context *ctx, const junit *j)
{
    size_t tests = j->n_names + 1, failures = 0;
    for (size_t i = 0; i < tests; i++)
        failures += count_failing(d, &j->buckets[i], rep_fail_on(ctx)) > 0;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out, "<testsuites name=\"abiguard\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
            tests, failures);
    fputs("  <testsuite name=\"ABI ", out);
    xml_text(out, rep_old_label(ctx), true);
    fputs(" -&gt; ", out);
    xml_text(out, rep_new_label(ctx), true);
    fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n",
            tests, failures);
    char sentence[1024];
    rep_surface_sentence(d, sentence, sizeof sentence);
    fputs("    <properties>\n      <property name=\"public-surface\" value=\"", out);
    xml_text(out, sentence, true);
    fprintf(out, "\"/>\n      <property name=\"private-changes-left-out\" value=\"%zu\"/>\n    </properties>\n",
            d->n_private_changes);
    for (size_t i = 0; i < j->n_names; i++)
        print_case(out, d, ctx, j->names[i], &j->buckets[i]);
    print_case(out, d, ctx, ELF_CASE, &j->buckets[j->n_names]);
    fputs("  </testsuite>\n</testsuites>\n", out);
}

ag_status ag_report_junit(const ag_diff *d, const ag_report_context *ctx, FILE *out, ag_error *err)
{
    junit j = { 0 };
    bool ok = junit_build(&j, d, ctx->old_c);
    if (ok)
        print_suite(out, d, ctx, &j);
    junit_free(&j);
    return ok ? AG_OK : ag_fail(err, AG_ERR_NOMEM, "out of memory");
}
