/*
 * audit_bundled.c — bundled-library drift, the part of `abiguard audit`
 * that asks whether each library an artifact bundles (one that another of
 * its binaries needs: auditwheel's and delocate's .libs/ directories, a
 * jar's or npm package's helper libraries) matches what its users were
 * built for, and what happens when the system has its own copy.
 *
 * For each bundled library: its SONAME as shipped and before grafting
 * (auditwheel renames libfoo.so.1 to libfoo-<8 hex>.so.1), its build-id,
 * and, given a catalog of stored releases (a store or a service):
 *   - the release of this very build (same build-id): each user is
 *     checked against it as `abiguard check` does (binding.h), so a user
 *     built against other headers than the copy it ships is reported
 *     ("bundled-drift");
 *   - a system copy: a stored release with the same SONAME and another
 *     build. The dynamic loader matches a DT_NEEDED name against the
 *     SONAMEs already loaded, so an unrenamed bundled copy is never loaded
 *     once the system's is in the process, and its users run against the
 *     system copy ("bundled-shadowed"). A renamed copy loads beside it, but
 *     a symbol lookup searches the global scope (the program, its
 *     libraries, RTLD_GLOBAL objects) before the user's own dependencies,
 *     so the symbols both copies export with the same name and version are
 *     taken from the system copy when it is there ("bundled-interposition").
 *     Each user is checked against the system copy too, to say whether
 *     that matters.
 * The catalog's corpora are loaded under the bundled copy's SONAME for the
 * checks (the user asks the loader for that name, whichever copy answers).
 * Nothing here prints.
 */
#include "audit.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"
#include "binding.h"
#include "diff.h"

char *ag_unhashed_soname(const char *soname)
{
    /* auditwheel: NAME.REST -> NAME-<first 8 hex digits of the sha256>.REST,
       NAME being everything before the first '.'. */
    size_t base = strcspn(soname, ".");
    if (base > 9 && soname[base] == '.' && soname[base - 9] == '-') {
        bool hex = true;
        for (size_t k = base - 8; k < base; k++)
            hex = hex && (isdigit((unsigned char)soname[k]) || (soname[k] >= 'a' && soname[k] <= 'f'));
        char *out = NULL;
        if (hex)
            return asprintf(&out, "%.*s%s", (int)(base - 9), soname, soname + base) < 0 ? NULL : out;
    }
    return strdup(soname);
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Does binary k name binary i in its DT_NEEDED? */
static bool needs(const ag_audit *a, size_t k, size_t i)
{
    const ag_elf_info *e = &a->binaries[k].elf->elf;
    const char *soname = a->binaries[i].elf->elf.soname, *base = base_name(a->binaries[i].inner_path);
    for (size_t n = 0; n < e->n_needed; n++)
        if (strcmp(e->needed[n], base) == 0 || (soname && strcmp(e->needed[n], soname) == 0))
            return true;
    return false;
}

typedef struct run {
    ag_audit *a;
    const ag_artifact *art;
    const ag_release_catalog *cat;
    ag_error *err;
    ag_status st;
} run;

static bool ok(const run *r)
{
    return r->st == AG_OK;
}

static void *oom(run *r)
{
    if (ok(r))
        r->st = ag_fail(r->err, AG_ERR_NOMEM, "out of memory");
    return NULL;
}

static char *xdup(run *r, const char *s)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        oom(r);
    return d;
}

static char *ref_of(run *r, const ag_catalog_release *rel)
{
    char *s = NULL;
    if (asprintf(&s, "%s@%s", rel->library, rel->version) < 0)
        return oom(r);
    return s;
}

/* Loads rel and renames it to soname, the name the users ask the loader for. */
static ag_corpus *load_as(run *r, const ag_catalog_release *rel, const char *soname)
{
    ag_corpus *c = NULL;
    ag_error e = { .msg = "" };
    ag_status st = r->cat->load(r->cat, rel, &c, &e);
    if (st != AG_OK) {
        r->st = ag_fail(r->err, st, "%s@%s from %s: %s", rel->library, rel->version, r->cat->where, e.msg);
        return NULL;
    }
    char *name = xdup(r, soname);
    if (!name) {
        ag_corpus_free(c);
        return NULL;
    }
    free(c->elf.soname);
    c->elf.soname = name;
    return c;
}

/* Each user checked against lib: the changes it can feel. */
static ag_bundled_check *check_users(run *r, const ag_audit_bundled *b, const size_t *user_idx, const ag_corpus *lib)
{
    ag_bundled_check *out = calloc(b->n_users + 1, sizeof *out);
    if (!out)
        return oom(r);
    for (size_t u = 0; u < b->n_users && ok(r); u++) {
        const ag_artifact_file *f = ag_artifact_shared_object(r->art, user_idx[u]);
        ag_bundled_check *c = &out[u];
        c->binary = b->users[u];
        ag_binding_check *bc = NULL;
        ag_error e = { .msg = "" };
        ag_status st = ag_binding_check_run(f->disk_path, NULL, lib, NULL, NULL, &bc, &e);
        if (st != AG_OK) {
            r->st = ag_fail(r->err, st, "%s: %s", b->users[u], e.msg);
            break;
        }
        c->verdict = ag_diff_overall(bc->diff);
        c->view = ag_binding_source_name(bc->source);
        c->changes = calloc(bc->diff->n_changes + 1, sizeof *c->changes);
        if (!c->changes)
            oom(r);
        for (size_t k = 0; c->changes && k < bc->diff->n_changes; k++) {
            const ag_change *ch = &bc->diff->changes[k];
            if (ch->suppressed)
                continue;
            if (asprintf(&c->changes[c->n_changes], "%s %s: %s", ag_change_kind_info_of(ch->kind)->id,
                         ch->subject, ch->detail ? ch->detail : ag_verdict_name(ch->verdict)) < 0) {
                oom(r);
                break;
            }
            c->n_changes++;
        }
        ag_binding_check_free(bc);
    }
    return out;
}

static bool same_version(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The symbols both copies export, same name and version. */
static void common_symbols(run *r, ag_audit_bundled *b, const ag_corpus *mine, const ag_corpus *sys)
{
    b->common_symbols = calloc(mine->n_exports + 1, sizeof *b->common_symbols);
    if (!b->common_symbols) {
        oom(r);
        return;
    }
    for (size_t i = 0; i < mine->n_exports && ok(r); i++) {
        const ag_symbol *s = &mine->exports[i];
        bool both = false;
        for (size_t k = 0; k < sys->n_exports && !both; k++)
            both = strcmp(sys->exports[k].name, s->name) == 0 && same_version(sys->exports[k].version, s->version);
        if (!both)
            continue;
        int n = s->version ? asprintf(&b->common_symbols[b->n_common], "%s@%s", s->name, s->version)
                           : asprintf(&b->common_symbols[b->n_common], "%s", s->name);
        if (n < 0)
            oom(r);
        else
            b->n_common++;
    }
}

/* Matches b with the catalog: the release of this build, a system copy. */
static void match(run *r, ag_audit_bundled *b, const size_t *user_idx, const ag_corpus *mine)
{
    const ag_catalog_release *same = NULL, *sys = NULL;
    for (size_t i = 0; i < r->cat->n_releases; i++) {
        const ag_catalog_release *rel = &r->cat->releases[i];
        bool same_build = b->build_id && rel->build_id && strcmp(rel->build_id, b->build_id) == 0;
        if (same_build && !same)
            same = rel;
        else if (!same_build && rel->soname && strcmp(rel->soname, b->original_soname) == 0)
            sys = rel; /* the catalog lists each library's releases oldest first: the newest wins */
    }
    ag_corpus *same_c = NULL, *sys_c = NULL;
    if (same && (b->release = ref_of(r, same)) && (same_c = load_as(r, same, b->soname)))
        b->checks = check_users(r, b, user_idx, same_c);
    if (ok(r) && sys && (b->system_release = ref_of(r, sys)) && (sys_c = load_as(r, sys, b->soname))) {
        b->coexist = b->renamed;
        common_symbols(r, b, mine, sys_c);
        b->system_checks = check_users(r, b, user_idx, sys_c);
        b->copies_differ = AG_VERDICT_NONE;
        if (ok(r) && same_c) {
            ag_diff *d = NULL;
            ag_error e = { .msg = "" };
            ag_status st = ag_diff_corpora(same_c, sys_c, NULL, &d, &e);
            if (st != AG_OK)
                r->st = ag_fail(r->err, st, "%s against %s: %s", b->release, b->system_release, e.msg);
            else
                b->copies_differ = ag_diff_overall(d);
            b->copies_compared = st == AG_OK;
            ag_diff_free(d);
        }
    }
    ag_corpus_free(same_c);
    ag_corpus_free(sys_c);
}

static bool add_changes(ag_audit_finding *f, const ag_bundled_check *c)
{
    for (size_t k = 0; f && k < c->n_changes; k++)
        if (!ag_audit_add_symbol(f, "%s", c->changes[k]))
            return false;
    return true;
}

/* The findings of bundled library b for its u-th user on every target. */
static void judge(run *r, const ag_audit_bundled *b, size_t u, ag_audit_binary *user)
{
    const ag_bundled_check *drift = b->checks ? &b->checks[u] : NULL;
    const ag_bundled_check *sysc = b->system_checks ? &b->system_checks[u] : NULL;
    for (size_t t = 0; t < r->a->n_targets && ok(r); t++) {
        ag_audit_result *res = &user->results[t];
        const ag_target *tg = &r->a->targets[t];
        bool ok_all = true;
        if (drift && drift->verdict >= AG_VERDICT_RISKY) {
            bool breaking = drift->verdict == AG_VERDICT_BREAKING;
            ag_audit_finding *f = ag_audit_add_finding(
                res, "bundled-drift", breaking ? AG_AUDIT_ERROR : AG_AUDIT_WARNING,
                "was built for another %s than the bundled copy %s (%s in %s): %zu change%s it uses, %s",
                b->original_soname, b->path, b->release, r->cat->where, drift->n_changes,
                drift->n_changes == 1 ? "" : "s", ag_verdict_name(drift->verdict));
            ok_all = f && add_changes(f, drift);
        }
        bool on_target = ag_target_allows_library(tg, b->original_soname);
        char where[400];
        if (b->system_release)
            snprintf(where, sizeof where, "%s (%s in %s%s%s)", b->original_soname, b->system_release,
                     r->cat ? r->cat->where : "", on_target ? ", also on " : "", on_target ? tg->name : "");
        else
            snprintf(where, sizeof where, "%s (on %s)", b->original_soname, tg->name);
        if (!b->renamed && (b->system_release || on_target)) {
            bool breaks = sysc && sysc->verdict == AG_VERDICT_BREAKING;
            ag_audit_finding *f = ag_audit_add_finding(
                res, "bundled-shadowed", AG_AUDIT_WARNING,
                "bundles %s under the system copy's SONAME: when the system's %s is already loaded, the loader "
                "uses it for this binary and never loads the bundled one%s", b->path, where,
                !sysc ? "" : breaks ? "; the system copy breaks it:" : "; the system copy has no change it can feel");
            ok_all = ok_all && f && (!breaks || add_changes(f, sysc));
        } else if (b->renamed && b->system_release && b->n_common) {
            bool differs = sysc && sysc->verdict >= AG_VERDICT_RISKY;
            ag_audit_finding *f = ag_audit_add_finding(
                res, "bundled-interposition", differs ? AG_AUDIT_WARNING : AG_AUDIT_NOTE,
                "loads its renamed copy %s beside the system's %s, but both export %zu symbol%s: when the system "
                "copy is in the global scope (linked by the program, or loaded RTLD_GLOBAL) their definitions "
                "interpose on the bundled ones and this binary calls the system copy, %s%s", b->path, where,
                b->n_common, b->n_common == 1 ? "" : "s",
                !sysc ? "whose ABI was not compared"
                : differs ? "whose ABI differs for it: " : "which has no change it can feel",
                differs ? ag_verdict_name(sysc->verdict) : "");
            for (size_t k = 0; f && k < b->n_common && ok_all; k++)
                ok_all = ag_audit_add_symbol(f, "%s", b->common_symbols[k]);
            ok_all = ok_all && f;
        }
        if (!ok_all)
            oom(r);
    }
}

ag_status ag_audit_bundled_run(ag_audit *a, const ag_artifact *art, const ag_release_catalog *cat, ag_error *err)
{
    run r = { a, art, cat, err, AG_OK };
    if (cat && !(a->catalog = strdup(cat->where)))
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    size_t *user_idx = calloc(a->n_binaries + 1, sizeof *user_idx);
    if (!user_idx)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < a->n_binaries && ok(&r); i++) {
        size_t n_users = 0;
        for (size_t k = 0; k < a->n_binaries; k++)
            if (k != i && needs(a, k, i))
                user_idx[n_users++] = k;
        if (!n_users)
            continue;
        ag_audit_bundled *grown = realloc(a->bundled, (a->n_bundled + 1) * sizeof *grown);
        if (!grown) {
            oom(&r);
            break;
        }
        a->bundled = grown;
        ag_audit_bundled *b = &a->bundled[a->n_bundled++];
        memset(b, 0, sizeof *b);
        const ag_elf_info *e = &a->binaries[i].elf->elf;
        b->path = a->binaries[i].inner_path;
        b->soname = xdup(&r, e->soname ? e->soname : base_name(b->path));
        b->original_soname = b->soname ? ag_unhashed_soname(b->soname) : NULL;
        b->build_id = xdup(&r, e->build_id);
        b->users = calloc(n_users, sizeof *b->users);
        if (!b->soname || !b->original_soname || !b->users) {
            oom(&r);
            break;
        }
        b->renamed = strcmp(b->soname, b->original_soname) != 0;
        b->n_users = n_users;
        for (size_t u = 0; u < n_users; u++)
            b->users[u] = a->binaries[user_idx[u]].inner_path;
        if (cat)
            match(&r, b, user_idx, a->binaries[i].elf);
        for (size_t u = 0; u < n_users && ok(&r); u++)
            judge(&r, b, u, &a->binaries[user_idx[u]]);
    }
    free(user_idx);
    return r.st;
}

static void checks_free(ag_bundled_check *c, size_t n)
{
    for (size_t i = 0; c && i < n; i++) {
        for (size_t k = 0; k < c[i].n_changes; k++)
            free(c[i].changes[k]);
        free(c[i].changes);
    }
    free(c);
}

void ag_audit_bundled_free(ag_audit_bundled *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(b[i].soname);
        free(b[i].original_soname);
        free(b[i].build_id);
        free(b[i].users);
        free(b[i].release);
        free(b[i].system_release);
        for (size_t k = 0; k < b[i].n_common; k++)
            free(b[i].common_symbols[k]);
        free(b[i].common_symbols);
        checks_free(b[i].checks, b[i].n_users);
        checks_free(b[i].system_checks, b[i].n_users);
    }
    free(b);
}
