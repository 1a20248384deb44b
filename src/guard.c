/*
 * guard.c — the plan behind `abiguard stub`: the symbols a binding uses,
 * their fingerprints, and every stored release of the library classified as
 * known compatible or known incompatible with the baseline for those
 * symbols (see guard.h for the rule).
 */
#include "guard_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "fingerprint.h"

static bool exports_name(const ag_corpus *c, const char *name, const char *version)
{
    for (size_t i = 0; i < c->n_exports; i++)
        if (strcmp(c->exports[i].name, name) == 0 &&
            (!version || (c->exports[i].version && strcmp(c->exports[i].version, version) == 0)))
            return true;
    return false;
}

static const ag_guard_symbol *plan_symbol(const ag_guard_plan *p, const char *name)
{
    for (size_t i = 0; i < p->n_symbols; i++)
        if (strcmp(p->symbols[i].name, name) == 0)
            return &p->symbols[i];
    return NULL;
}

static ag_status add_symbol(ag_guard_plan *p, size_t *cap, const char *name, const char *version,
                            ag_error *err)
{
    for (size_t i = 0; i < p->n_symbols; i++)
        if (strcmp(p->symbols[i].name, name) == 0 &&
            ((!version && !p->symbols[i].version) ||
             (version && p->symbols[i].version && strcmp(version, p->symbols[i].version) == 0)))
            return AG_OK;
    if (p->n_symbols == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        ag_guard_symbol *g = realloc(p->symbols, nc * sizeof *g);
        if (!g)
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
        p->symbols = g;
        *cap = nc;
    }
    ag_guard_symbol *s = &p->symbols[p->n_symbols];
    memset(s, 0, sizeof *s);
    s->name = strdup(name);
    s->version = version ? strdup(version) : NULL;
    if (!s->name || (version && !s->version)) {
        free(s->name);
        free(s->version);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    p->n_symbols++;
    const ag_corpus *c = p->corpus;
    s->is_function = ag_corpus_find_function(c, name) != NULL;
    for (size_t i = 0; i < c->n_exports; i++) {
        const ag_symbol *e = &c->exports[i];
        if (strcmp(e->name, name) != 0 || (version && (!e->version || strcmp(e->version, version) != 0)))
            continue;
        if (!s->is_function)
            s->is_function = e->type == AG_SYM_FUNC || e->type == AG_SYM_IFUNC;
        if (e->type == AG_SYM_OBJECT || e->type == AG_SYM_TLS || e->type == AG_SYM_COMMON) {
            s->is_object = true;
            s->size = e->size;
        }
        if (!version || e->is_default)
            break;
    }
    bool found;
    return ag_fingerprint_symbol(c, name, &s->fingerprint, &found, err);
}

static int cmp_symbol(const void *a, const void *b)
{
    const ag_guard_symbol *x = a, *y = b;
    int r = strcmp(x->name, y->name);
    if (r)
        return r;
    return strcmp(x->version ? x->version : "", y->version ? y->version : "");
}

/* The baseline's default version of name, or NULL (unversioned). */
static const char *default_version(const ag_corpus *c, const char *name)
{
    for (size_t i = 0; i < c->n_exports; i++)
        if (strcmp(c->exports[i].name, name) == 0 && c->exports[i].version && c->exports[i].is_default)
            return c->exports[i].version;
    return NULL;
}

static ag_status collect_named(ag_guard_plan *p, const ag_guard_used *used, size_t *cap, ag_error *err)
{
    const ag_corpus *c = p->corpus;
    ag_status st = AG_OK;
    for (size_t i = 0; i < used->n_names && st == AG_OK; i++) {
        const char *at = strchr(used->names[i], '@');
        char *name = at ? strndup(used->names[i], (size_t)(at - used->names[i])) : strdup(used->names[i]);
        if (!name)
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
        const char *version = at && at[1] ? at + 1 : NULL;
        if (!exports_name(c, name, version)) {
            if (used->exact)
                st = ag_fail(err, AG_ERR_USAGE, "%s is not exported by %s@%s", used->names[i], p->library,
                             p->baseline);
        } else {
            st = add_symbol(p, cap, name, version ? version : default_version(c, name), err);
        }
        free(name);
    }
    return st;
}

static ag_status collect_symbols(ag_guard_plan *p, const ag_guard_used *used, ag_error *err)
{
    size_t cap = 0;
    const ag_corpus *c = p->corpus;
    ag_status st = AG_OK;
    if (used && (used->binding || used->n_names)) {
        for (size_t i = 0; used->binding && i < used->binding->n_imports && st == AG_OK; i++) {
            const ag_symbol *imp = &used->binding->imports[i];
            if (!exports_name(c, imp->name, NULL))
                continue;
            const char *v = imp->version && exports_name(c, imp->name, imp->version) ? imp->version : NULL;
            st = add_symbol(p, &cap, imp->name, v, err);
        }
        if (st == AG_OK)
            st = collect_named(p, used, &cap, err);
        if (st == AG_OK && p->n_symbols == 0)
            return ag_fail(err, AG_ERR_USAGE, "names no symbol that %s@%s exports", p->library, p->baseline);
    } else {
        for (size_t i = 0; i < c->n_exports && st == AG_OK; i++) {
            const ag_symbol *e = &c->exports[i];
            if (e->version && !e->is_default)
                continue; /* an old hidden version: nothing links to it any more */
            if (e->type != AG_SYM_FUNC && e->type != AG_SYM_IFUNC && e->type != AG_SYM_OBJECT &&
                e->type != AG_SYM_TLS && e->type != AG_SYM_COMMON)
                continue;
            st = add_symbol(p, &cap, e->name, e->version, err);
        }
        if (st == AG_OK && p->n_symbols == 0)
            return ag_fail(err, AG_ERR_USAGE, "%s@%s exports no function or variable", p->library,
                           p->baseline);
    }
    if (st == AG_OK)
        qsort(p->symbols, p->n_symbols, sizeof *p->symbols, cmp_symbol);
    return st;
}

/* "shape_area()" / "shape_area@V" / "shape_area" -> whether it names an
   export of c; *name_len gets the symbol part's length. */
static bool subject_symbol(const ag_corpus *c, const char *subject, size_t *name_len)
{
    size_t n = strcspn(subject, "(@");
    char *name = n ? strndup(subject, n) : NULL; /* (a C++ symbol's name may be long) */
    if (!name)
        return false;
    *name_len = n;
    bool exported = exports_name(c, name, NULL);
    free(name);
    return exported;
}

/* Whether change ch matters to the plan's symbols; *via gets the used
   interface it reaches (or NULL). */
static bool change_matters(const ag_guard_plan *p, const ag_change *ch, const char **via)
{
    *via = NULL;
    if (ch->suppressed || ch->verdict < AG_VERDICT_BREAKING)
        return false;
    if (ch->n_impacts) {
        for (size_t i = 0; i < ch->n_impacts; i++)
            if (plan_symbol(p, ch->impacts[i].interface)) {
                *via = ch->impacts[i].interface;
                return true;
            }
        return false;
    }
    size_t n = 0;
    if (ch->subject && subject_symbol(p->corpus, ch->subject, &n)) {
        for (size_t i = 0; i < p->n_symbols; i++)
            if (strlen(p->symbols[i].name) == n && strncmp(p->symbols[i].name, ch->subject, n) == 0) {
                *via = p->symbols[i].name;
                return true;
            }
        return false;
    }
    return true; /* not about one symbol (SONAME, ...): it concerns every user */
}

static char *describe_break(const ag_change *ch, const char *via)
{
    const ag_change_kind_info *k = ag_change_kind_info_of(ch->kind);
    const char *what = ch->detail ? ch->detail : k ? k->why : "changed", *arrow = "";
    const char *old = "", *new = "";
    if (!ch->detail && (ch->old_value || ch->new_value)) {
        what = "";
        old = ch->old_value ? ch->old_value : "(none)";
        arrow = " -> ";
        new = ch->new_value ? ch->new_value : "(none)";
    }
    char *out = NULL;
    if (asprintf(&out, "%s: %s%s%s%s (%s%s%s)", ch->subject ? ch->subject : "?", what, old, arrow, new,
                 k ? k->id : "change", via ? ", used by " : "", via ? via : "") < 0)
        return NULL;
    return out;
}

/* ref: the version as the store names the binary ("V", or "V:SONAME" in a
   release of several binaries). */
static ag_status classify(ag_store *s, ag_guard_plan *p, ag_guard_release *r, const char *ref, ag_error *err)
{
    if (strcmp(ref, p->baseline) == 0 || strcmp(r->version, p->baseline) == 0) {
        r->compatible = true;
        return AG_OK;
    }
    ag_corpus *c = NULL;
    ag_status st = ag_store_load(s, p->library, ref, &c, err);
    if (st != AG_OK)
        return st;
    ag_diff *d = NULL;
    /* Judged for one binding, as `check` judges it: a size change of a
       type the used symbols reach only through pointers is risky for it
       (the guard has no evidence that the binding allocates or embeds the
       type), breaking when they reach it by value. */
    ag_diff_options opts = { .binding_view = true };
    st = ag_diff_corpora(p->corpus, c, &opts, &d, err);
    ag_corpus_free(c);
    if (st != AG_OK)
        return st;
    r->compatible = true;
    /* Member-level changes first: they name what moved. */
    char *buf = NULL;
    size_t len = 0, shown = 0, more = 0;
    FILE *w = open_memstream(&buf, &len);
    if (!w) {
        ag_diff_free(d);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < d->n_changes; i++) {
            const ag_change *ch = &d->changes[i];
            const char *via = NULL;
            bool member = ch->subject && strstr(ch->subject, "::");
            if (member != (pass == 0) || !change_matters(p, ch, &via))
                continue;
            r->compatible = false;
            if (shown == AG_GUARD_WHY_MAX) {
                more++;
                continue;
            }
            char *one = describe_break(ch, via);
            if (!one) {
                st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
                break;
            }
            fprintf(w, "%s%s", shown ? "; " : "", one);
            free(one);
            shown++;
        }
    }
    if (more)
        fprintf(w, "; and %zu more", more);
    if (fclose(w) != 0 && st == AG_OK)
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    if (st == AG_OK && !r->compatible)
        r->why = buf;
    else
        free(buf);
    ag_diff_free(d);
    return st;
}

static ag_status classify_releases(ag_store *s, ag_guard_plan *p, ag_error *err)
{
    ag_store_release *rels = NULL;
    size_t n = 0;
    ag_status st = ag_store_list_releases(s, p->library, &rels, &n, err);
    if (st != AG_OK)
        return st;
    p->releases = calloc(n ? n : 1, sizeof *p->releases);
    if (!p->releases)
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n && st == AG_OK; i++) {
        /* A release of several binaries (an artifact's): the one with the
           baseline's SONAME is this library's build; none, no build. */
        const char *build_id = rels[i].build_id;
        char *ref = NULL;
        ag_store_binary *bins = NULL;
        size_t nb = 0;
        if (rels[i].n_binaries > 1) {
            st = ag_store_list_binaries(s, p->library, rels[i].version, &bins, &nb, err);
            build_id = NULL;
            for (size_t b = 0; st == AG_OK && b < nb && !build_id; b++)
                if (p->soname && bins[b].soname && strcmp(bins[b].soname, p->soname) == 0) {
                    build_id = bins[b].build_id;
                    if (asprintf(&ref, "%s:%s", rels[i].version, p->soname) < 0)
                        st = ag_fail(err, AG_ERR_NOMEM, "out of memory"), ref = NULL;
                }
        }
        if (st == AG_OK && build_id && *build_id) {
            ag_guard_release *r = &p->releases[p->n_releases++];
            r->version = strdup(rels[i].version);
            r->build_id = strdup(build_id);
            if (!r->version || !r->build_id)
                st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
            else
                st = classify(s, p, r, ref ? ref : rels[i].version, err);
        }
        free(ref);
        ag_store_binaries_free(bins, nb);
    }
    ag_store_releases_free(rels, n);
    return st;
}

static ag_status plan_build(ag_store *s, const char *library, const char *version,
                            const ag_guard_used *used, bool classify,
                            ag_guard_plan **out, ag_error *err)
{
    *out = NULL;
    ag_guard_plan *p = calloc(1, sizeof *p);
    if (!p)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    p->library = strdup(library);
    p->baseline = strdup(version);
    if (!p->library || !p->baseline) {
        ag_guard_plan_free(p);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    ag_status st = ag_store_load(s, library, version, &p->corpus, err);
    if (st == AG_OK) {
        const ag_elf_info *e = &p->corpus->elf;
        p->soname = e->soname ? strdup(e->soname) : NULL;
        p->file_name = strdup(e->file_name ? e->file_name : "");
        if ((e->soname && !p->soname) || !p->file_name)
            st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    if (st == AG_OK)
        st = collect_symbols(p, used, err);
    if (st == AG_OK)
        st = ag_guard_collect_layouts(p, err);
    if (st == AG_OK && classify)
        st = classify_releases(s, p, err);
    if (st != AG_OK) {
        ag_guard_plan_free(p);
        return st;
    }
    *out = p;
    return AG_OK;
}

ag_status ag_guard_plan_build(ag_store *s, const char *library, const char *version,
                              const ag_guard_used *used, ag_guard_plan **out, ag_error *err)
{
    return plan_build(s, library, version, used, true, out, err);
}

ag_status ag_guard_plan_symbols(ag_store *s, const char *library, const char *version,
                                const ag_guard_used *used, ag_guard_plan **out, ag_error *err)
{
    return plan_build(s, library, version, used, false, out, err);
}

void ag_guard_plan_free(ag_guard_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_symbols; i++) {
        free(p->symbols[i].name);
        free(p->symbols[i].version);
    }
    free(p->symbols);
    for (size_t i = 0; i < p->n_releases; i++) {
        free(p->releases[i].version);
        free(p->releases[i].build_id);
        free(p->releases[i].why);
    }
    free(p->releases);
    ag_guard_layouts_free(p);
    ag_corpus_free(p->corpus);
    free(p->library);
    free(p->baseline);
    free(p->soname);
    free(p->file_name);
    free(p);
}

char *ag_guard_fingerprint_text(const ag_guard_plan *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fprintf(f, "# %s %s@%s\n", AG_FINGERPRINT_FORMAT, p->library, p->baseline);
    for (size_t i = 0; i < p->n_symbols; i++)
        fprintf(f, "%016llx %s%s%s\n", (unsigned long long)p->symbols[i].fingerprint, p->symbols[i].name,
                p->symbols[i].version ? "@" : "", p->symbols[i].version ? p->symbols[i].version : "");
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

char *ag_guard_ident(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n + 2);
    if (!out)
        return NULL;
    size_t j = 0;
    if (n == 0 || isdigit((unsigned char)s[0]))
        out[j++] = '_';
    for (size_t i = 0; i < n; i++)
        out[j++] = isalnum((unsigned char)s[i]) ? s[i] : '_';
    out[j] = '\0';
    return out;
}

char *ag_guard_camel(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n + 2);
    if (!out)
        return NULL;
    size_t j = 0;
    bool up = true;
    if (n == 0 || isdigit((unsigned char)s[0]))
        out[j++] = 'G';
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!isalnum(ch)) {
            up = true;
            continue;
        }
        out[j++] = up ? (char)toupper(ch) : (char)ch;
        up = false;
    }
    out[j] = '\0';
    return out;
}

char *ag_guard_baseline_ref(const ag_guard_plan *p)
{
    char *ref = NULL;
    return asprintf(&ref, "%s@%s", p->library, p->baseline) < 0 ? NULL : ref;
}

static const char *const POLICY_NAMES[] = { "default", "strict", "warn", "off" };

const char *ag_guard_policy_name(ag_guard_policy p)
{
    return (unsigned)p < sizeof POLICY_NAMES / sizeof POLICY_NAMES[0] ? POLICY_NAMES[p] : "default";
}

int ag_guard_policy_from_name(const char *s)
{
    for (size_t i = 0; i < sizeof POLICY_NAMES / sizeof POLICY_NAMES[0]; i++)
        if (strcmp(s, POLICY_NAMES[i]) == 0)
            return (int)i;
    return -1;
}

const char *ag_guard_default_policy(const ag_guard_stub_options *o)
{
    return ag_guard_policy_name(o->policy);
}

char *ag_guard_comment_text(const char *s)
{
    char *t = strdup(s ? s : "");
    for (char *p = t; p && *p; p++) {
        unsigned char b = (unsigned char)*p;
        if (b < 0x20 || b > 0x7e || b == '"' || b == '\'' || b == '\\' ||
            (b == '/' && ((p > t && p[-1] == '*') || p[1] == '*')))
            *p = '?';
    }
    return t;
}

void ag_guard_quote_parts(FILE *f, ag_guard_lang lang, const char *const parts[])
{
    fputc('"', f);
    for (size_t k = 0; parts[k]; k++) {
        for (const unsigned char *p = (const unsigned char *)parts[k]; *p; p++) {
            unsigned char next = p[1];
            for (size_t j = k + 1; !next && parts[j]; j++) /* (across the parts) */
                next = (unsigned char)parts[j][0];
            if (*p == '"' || *p == '\\')
                fprintf(f, "\\%c", *p);
            else if (*p == '\n')
                fputs("\\n", f);
            else if (*p == '\t')
                fputs("\\t", f);
            else if (*p >= 0x20 && *p < 0x7f) {
                if (lang == AG_LANG_C && *p == '?' && next == '?')
                    fputs("?\"\"", f); /* no trigraphs */
                else
                    fputc(*p, f);
            } else if (lang == AG_LANG_C || lang == AG_LANG_JAVA)
                fprintf(f, "\\%03o", *p); /* (Java reads \\u escapes before it lexes) */
            else if (lang == AG_LANG_RUST)
                fprintf(f, *p < 0x80 ? "\\x%02x" : "\\u{%02x}", *p);
            else
                fprintf(f, "\\x%02x", *p);
        }
    }
    fputc('"', f);
}

void ag_guard_quote(FILE *f, ag_guard_lang lang, const char *s)
{
    const char *const parts[] = { s ? s : "", NULL };
    ag_guard_quote_parts(f, lang, parts);
}

static char *upper_of(const char *s)
{
    char *u = strdup(s);
    for (char *p = u; p && *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return u;
}

ag_status ag_guard_names_init(ag_guard_names *n, const char *ident, ag_error *err)
{
    n->lower = strdup(ident);
    n->upper = upper_of(ident);
    char *camel = ag_guard_camel(ident);
    n->camel = NULL;
    if (camel && asprintf(&n->camel, "%sGuard", camel) < 0)
        n->camel = NULL;
    free(camel);
    if (!n->lower || !n->upper || !n->camel) {
        ag_guard_names_free(n);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    return AG_OK;
}

void ag_guard_names_free(ag_guard_names *n)
{
    free(n->lower);
    free(n->upper);
    free(n->camel);
    n->lower = n->upper = n->camel = NULL;
}

ag_status ag_guard_head_init(ag_guard_head *h, const ag_guard_plan *p, const ag_guard_stub_options *o,
                             bool fingerprints, ag_error *err)
{
    memset(h, 0, sizeof *h);
    ag_status st = ag_guard_names_init(&h->names, o->ident, err);
    if (st != AG_OK)
        return st;
    if (fingerprints && !(h->fingerprints = ag_guard_fingerprint_text(p))) {
        ag_guard_names_free(&h->names);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    h->so = p->soname ? p->soname : p->file_name;
    if (!(h->baseline = ag_guard_baseline_ref(p)) || !(h->library_text = ag_guard_comment_text(p->library)) ||
        !(h->baseline_text = ag_guard_comment_text(h->baseline)) || !(h->so_text = ag_guard_comment_text(h->so))) {
        ag_guard_head_free(h);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    return AG_OK;
}

void ag_guard_head_free(ag_guard_head *h)
{
    ag_guard_names_free(&h->names);
    free(h->fingerprints);
    free(h->baseline);
    free(h->library_text);
    free(h->baseline_text);
    free(h->so_text);
    h->fingerprints = h->baseline = h->library_text = h->baseline_text = h->so_text = NULL;
}

void ag_guard_emit(FILE *f, const char *tmpl, const ag_guard_names *n)
{
    for (const char *p = tmpl; *p;) {
        if (p[0] == '@' && (p[1] == 'i' || p[1] == 'I' || p[1] == 'C') && p[2] == '@') {
            fputs(p[1] == 'i' ? n->lower : p[1] == 'I' ? n->upper : n->camel, f);
            p += 3;
        } else {
            fputc(*p++, f);
        }
    }
}

void ag_guard_write_release_rows(FILE *f, const ag_guard_plan *p, bool compatible, bool with_why,
                                 const ag_guard_syntax *sy, const char *open, const char *key_sep,
                                 const char *close)
{
    for (size_t i = 0; i < p->n_releases; i++) {
        const ag_guard_release *r = &p->releases[i];
        if (r->compatible != compatible)
            continue;
        const char *const rel[] = { p->library, "@", r->version, NULL };
        fprintf(f, "%s%s", sy->indent, open);
        ag_guard_quote(f, sy->lang, r->build_id);
        fputs(key_sep, f);
        ag_guard_quote_parts(f, sy->lang, rel);
        if (with_why) {
            fputs(", ", f);
            ag_guard_quote(f, sy->lang, r->why);
        }
        fprintf(f, "%s\n", close);
    }
}

void ag_guard_write_symbol_rows(FILE *f, const ag_guard_plan *p, const ag_guard_syntax *sy, const char *open,
                                const char *close)
{
    for (size_t i = 0; i < p->n_symbols; i++) {
        const ag_guard_symbol *s = &p->symbols[i];
        char fp[17];
        snprintf(fp, sizeof fp, "%016llx", (unsigned long long)s->fingerprint);
        fprintf(f, "%s%s", sy->indent, open);
        ag_guard_quote(f, sy->lang, s->name);
        fputs(", ", f);
        if (s->version)
            ag_guard_quote(f, sy->lang, s->version);
        else
            fputs(sy->null_word, f);
        fprintf(f, ", %s, %llu%s, ", s->is_object ? sy->true_word : sy->false_word,
                (unsigned long long)(s->is_object ? s->size : 0), sy->int_suffix);
        ag_guard_quote(f, sy->lang, fp);
        fprintf(f, "%s\n", close);
    }
}

uint32_t ag_guard_gnu_hash(const char *name)
{
    uint32_t h = 5381;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        h = h * 33 + *c;
    return h;
}

const char *ag_guard_layout_kind(ag_type_kind k)
{
    return k == AG_T_STRUCT ? "struct" : k == AG_T_UNION ? "union" : k == AG_T_ENUM ? "enum" : "typedef";
}

void ag_guard_write_layout_rows(FILE *f, const ag_guard_plan *p, const ag_guard_syntax *sy, const char *open,
                                const char *close)
{
    for (size_t i = 0; i < p->n_layouts; i++) {
        const ag_guard_layout *l = &p->layouts[i];
        fputs(sy->indent, f);
        ag_guard_quote(f, sy->lang, l->name);
        fprintf(f, ": %s", open);
        ag_guard_quote(f, sy->lang, ag_guard_layout_kind(l->kind));
        fprintf(f, ", %llu, %llu, ", (unsigned long long)l->size, (unsigned long long)l->align);
        if (l->kind == AG_T_ENUM) {
            fputs("{", f);
            for (size_t k = 0; k < l->n_enumerators; k++) {
                const ag_enumerator *e = &l->enumerators[k];
                fputs(k ? ", " : "", f);
                ag_guard_quote(f, sy->lang, e->name);
                if (e->value_unsigned)
                    fprintf(f, ": %llu", (unsigned long long)e->value);
                else
                    fprintf(f, ": %lld", (long long)e->value);
            }
            fprintf(f, "}%s,\n", close);
        } else if (l->kind == AG_T_TYPEDEF) {
            fprintf(f, "%s%s,\n", sy->null_word, close);
        } else {
            fputs(open, f);
            for (size_t k = 0; k < l->n_fields; k++) {
                const ag_guard_field *m = &l->fields[k];
                fprintf(f, "\n%s    %s", sy->indent, open);
                ag_guard_quote(f, sy->lang, m->name);
                fprintf(f, ", %llu, %llu, %llu, %u%s,", (unsigned long long)m->offset, (unsigned long long)m->size,
                        (unsigned long long)m->bit_offset, m->bit_size, close);
            }
            fprintf(f, "%s%s,\n", close, close);
        }
    }
}
