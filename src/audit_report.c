/*
 * audit_report.c — writing an audit (audit.h): a target × binary table
 * (loads / FAILS) and the reasons, as text for terminals, JSON for scripts
 * ("abiguard-audit/1"), Markdown for a pull-request comment, JUnit (one
 * test suite per target, one test case per binary) and SARIF 2.1.0 (one
 * result per warning or error, located at ARTIFACT/inner path), and after
 * the table what audit_bundled.c found about each bundled library (JUnit:
 * a suite of its users checked against the stored copies).
 */
#include "audit.h"

#include <jansson.h>
#include <string.h>

static const char *severity_name(ag_audit_severity s)
{
    return s == AG_AUDIT_ERROR ? "error" : s == AG_AUDIT_WARNING ? "warning" : "note";
}

static const char *libc_name(ag_libc l)
{
    return l == AG_LIBC_GLIBC ? "glibc" : l == AG_LIBC_MUSL ? "musl" : "any";
}

static size_t failing_targets(const ag_audit *a, size_t t)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n_binaries; i++)
        n += !a->binaries[i].results[t].loads;
    return n;
}

static void write_symbols(FILE *out, const ag_audit_finding *f, const char *indent, size_t limit)
{
    if (!f->n_symbols)
        return;
    fprintf(out, "%s", indent);
    for (size_t s = 0; s < f->n_symbols && s < limit; s++)
        fprintf(out, "%s%s", s ? ", " : "", f->symbols[s]);
    if (f->n_symbols > limit)
        fprintf(out, ", ... (%zu in all)", f->n_symbols);
    fputc('\n', out);
}

/* ------------------------------------------------------------------ */
/* Bundled libraries                                                   */

static void bundled_identity(const ag_audit_bundled *b, char *buf, size_t size)
{
    if (b->renamed)
        snprintf(buf, size, "%s grafted as %s", b->original_soname, b->soname);
    else
        snprintf(buf, size, "%s", b->soname);
}

static void write_checks_text(FILE *out, const ag_bundled_check *c, size_t n)
{
    for (size_t u = 0; c && u < n; u++) {
        fprintf(out, "    %s: %s (%s view)\n", c[u].binary,
                c[u].verdict == AG_VERDICT_NONE ? "no change it uses" : ag_verdict_name(c[u].verdict), c[u].view);
        for (size_t k = 0; k < c[u].n_changes; k++)
            fprintf(out, "      %s\n", c[u].changes[k]);
    }
}

static void write_bundled_text(const ag_audit *a, FILE *out)
{
    if (!a->n_bundled)
        return;
    fprintf(out, "\nbundled libraries%s%s%s:\n", a->catalog ? " (releases from " : "", a->catalog ? a->catalog : "",
            a->catalog ? ")" : "");
    for (size_t i = 0; i < a->n_bundled; i++) {
        const ag_audit_bundled *b = &a->bundled[i];
        char id[600];
        bundled_identity(b, id, sizeof id);
        fprintf(out, "%s: %s, build-id %s\n", b->path, id, b->build_id ? b->build_id : "none");
        fprintf(out, "  needed by");
        for (size_t u = 0; u < b->n_users; u++)
            fprintf(out, "%s %s", u ? "," : "", b->users[u]);
        fputc('\n', out);
        if (!a->catalog)
            continue;
        if (b->release) {
            fprintf(out, "  this build: %s\n", b->release);
            write_checks_text(out, b->checks, b->n_users);
        } else {
            fprintf(out, "  this build: not in %s\n", a->catalog);
        }
        if (!b->system_release) {
            fprintf(out, "  system copy: none in %s\n", a->catalog);
            continue;
        }
        fprintf(out, "  system copy: %s", b->system_release);
        if (b->copies_compared)
            fprintf(out, " (%s: %s)", b->copies_differ == AG_VERDICT_NONE ? "the same ABI" : "the copies differ",
                    ag_verdict_name(b->copies_differ));
        fprintf(out, "\n    %s\n", b->coexist ? "both can be loaded into one process: the bundled copy has its own SONAME"
                                            : "not both in one process: the loader takes the first copy of the SONAME");
        fprintf(out, "    both export:");
        for (size_t k = 0; k < b->n_common && k < 12; k++)
            fprintf(out, "%s %s", k ? "," : "", b->common_symbols[k]);
        if (b->n_common > 12)
            fprintf(out, ", ... (%zu in all)", b->n_common);
        fprintf(out, "%s\n", b->n_common ? "" : " nothing");
        write_checks_text(out, b->system_checks, b->n_users);
    }
}

static json_t *checks_json(const ag_bundled_check *c, size_t n)
{
    json_t *arr = json_array();
    for (size_t u = 0; c && u < n; u++) {
        json_t *o = json_object(), *ch = json_array();
        json_object_set_new(o, "binary", json_string(c[u].binary));
        json_object_set_new(o, "verdict", json_string(ag_verdict_name(c[u].verdict)));
        json_object_set_new(o, "view", json_string(c[u].view));
        for (size_t k = 0; k < c[u].n_changes; k++)
            json_array_append_new(ch, json_string(c[u].changes[k]));
        json_object_set_new(o, "changes", ch);
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *opt_string(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *bundled_json(const ag_audit *a)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < a->n_bundled; i++) {
        const ag_audit_bundled *b = &a->bundled[i];
        json_t *o = json_object(), *users = json_array(), *common = json_array();
        json_object_set_new(o, "path", json_string(b->path));
        json_object_set_new(o, "soname", json_string(b->soname));
        json_object_set_new(o, "original_soname", json_string(b->original_soname));
        json_object_set_new(o, "renamed", json_boolean(b->renamed));
        json_object_set_new(o, "build_id", opt_string(b->build_id));
        for (size_t u = 0; u < b->n_users; u++)
            json_array_append_new(users, json_string(b->users[u]));
        json_object_set_new(o, "users", users);
        json_object_set_new(o, "release", opt_string(b->release));
        json_object_set_new(o, "checks", checks_json(b->checks, b->release ? b->n_users : 0));
        json_t *sys = json_null();
        if (b->system_release) {
            sys = json_object();
            json_object_set_new(sys, "release", json_string(b->system_release));
            json_object_set_new(sys, "coexist", json_boolean(b->coexist));
            for (size_t k = 0; k < b->n_common; k++)
                json_array_append_new(common, json_string(b->common_symbols[k]));
            json_object_set_new(sys, "common_symbols", common);
            common = NULL;
            json_object_set_new(sys, "copies_differ",
                                b->copies_compared ? json_string(ag_verdict_name(b->copies_differ)) : json_null());
            json_object_set_new(sys, "checks", checks_json(b->system_checks, b->n_users));
        }
        json_decref(common);
        json_object_set_new(o, "system_copy", sys);
        json_array_append_new(arr, o);
    }
    return arr;
}

static void write_checks_markdown(FILE *out, const char *against, const ag_bundled_check *c, size_t n)
{
    for (size_t u = 0; c && u < n; u++) {
        fprintf(out, "- `%s` against %s: **%s** (%s view)\n", c[u].binary, against,
                c[u].verdict == AG_VERDICT_NONE ? "no change it uses" : ag_verdict_name(c[u].verdict), c[u].view);
        for (size_t k = 0; k < c[u].n_changes; k++)
            fprintf(out, "  - `%s`\n", c[u].changes[k]);
    }
}

static void write_bundled_markdown(const ag_audit *a, FILE *out)
{
    if (!a->n_bundled)
        return;
    fprintf(out, "### Bundled libraries%s%s%s\n\n", a->catalog ? " (releases from `" : "",
            a->catalog ? a->catalog : "", a->catalog ? "`)" : "");
    fprintf(out, "| bundled | SONAME | build-id | this build | system copy | both load |\n");
    fprintf(out, "| --- | --- | --- | --- | --- | --- |\n");
    for (size_t i = 0; i < a->n_bundled; i++) {
        const ag_audit_bundled *b = &a->bundled[i];
        char id[600];
        bundled_identity(b, id, sizeof id);
        fprintf(out, "| `%s` | %s | `%s` | %s | %s | %s |\n", b->path, id, b->build_id ? b->build_id : "none",
                b->release ? b->release : "—", b->system_release ? b->system_release : "—",
                !b->system_release ? "—" : b->coexist ? "yes (renamed)" : "no (same SONAME)");
    }
    fputc('\n', out);
    for (size_t i = 0; i < a->n_bundled; i++) {
        const ag_audit_bundled *b = &a->bundled[i];
        if (b->release)
            write_checks_markdown(out, b->release, b->checks, b->n_users);
        if (b->system_release) {
            char against[300];
            snprintf(against, sizeof against, "the system copy %s", b->system_release);
            write_checks_markdown(out, against, b->system_checks, b->n_users);
            if (b->n_common) {
                fprintf(out, "- both copies export:");
                for (size_t k = 0; k < b->n_common && k < 12; k++)
                    fprintf(out, "%s `%s`", k ? "," : "", b->common_symbols[k]);
                fprintf(out, "%s\n", b->n_common > 12 ? ", ..." : "");
            }
        }
    }
    if (a->catalog)
        fputc('\n', out);
}

static ag_status write_text(const ag_audit *a, FILE *out, ag_error *err)
{
    fprintf(out, "audit %s (%s, %zu binar%s, %zu target%s)\n", a->artifact, a->kind, a->n_binaries,
            a->n_binaries == 1 ? "y" : "ies", a->n_targets, a->n_targets == 1 ? "" : "s");
    for (size_t t = 0; t < a->n_targets; t++) {
        const ag_target *tg = &a->targets[t];
        fprintf(out, "target %s: %s", tg->name, libc_name(tg->libc));
        if (tg->libc != AG_LIBC_ANY)
            fprintf(out, " %d.%d", tg->libc_major, tg->libc_minor);
        fprintf(out, "%s%s\n", tg->arch[0] ? ", " : "", tg->arch);
    }
    fputc('\n', out);
    for (size_t i = 0; i < a->n_binaries; i++) {
        const ag_audit_binary *b = &a->binaries[i];
        fprintf(out, "%s (%s %d-bit%s%s)\n", b->inner_path, b->elf->elf.machine ? b->elf->elf.machine : "?",
                b->elf->elf.elf_class, b->glibc_floor ? ", needs GLIBC_" : "", b->glibc_floor ? b->glibc_floor : "");
        for (size_t t = 0; t < a->n_targets; t++) {
            const ag_audit_result *r = &b->results[t];
            fprintf(out, "  %-28s %s\n", r->target->name, r->loads ? "loads" : "FAILS");
            for (size_t k = 0; k < r->n_findings; k++) {
                const ag_audit_finding *f = &r->findings[k];
                fprintf(out, "    %s %s: %s\n", severity_name(f->severity), f->check, f->message);
                write_symbols(out, f, "      ", 12);
            }
        }
    }
    write_bundled_text(a, out);
    fprintf(out, "\nverdict: %s: %zu of %zu binaries fail to load on some target\n",
            a->n_failing ? "FAILS" : "loads", a->n_failing, a->n_binaries);
    return ferror(out) ? ag_fail(err, AG_ERR_IO, "cannot write the report") : AG_OK;
}

static ag_status write_markdown(const ag_audit *a, FILE *out, ag_error *err)
{
    fprintf(out, "## abiguard audit: `%s` (%s)\n\n", a->artifact, a->kind);
    fprintf(out, "**%s** — %zu of %zu binaries fail to load on some target.\n\n",
            a->n_failing ? "Fails to load" : "Loads everywhere", a->n_failing, a->n_binaries);
    fprintf(out, "| binary |");
    for (size_t t = 0; t < a->n_targets; t++)
        fprintf(out, " %s |", a->targets[t].name);
    fprintf(out, "\n| --- |");
    for (size_t t = 0; t < a->n_targets; t++)
        fprintf(out, " --- |");
    fputc('\n', out);
    for (size_t i = 0; i < a->n_binaries; i++) {
        fprintf(out, "| `%s` |", a->binaries[i].inner_path);
        for (size_t t = 0; t < a->n_targets; t++)
            fprintf(out, " %s |", a->binaries[i].results[t].loads ? "✅ loads" : "❌ fails");
        fputc('\n', out);
    }
    fputc('\n', out);
    for (size_t i = 0; i < a->n_binaries; i++)
        for (size_t t = 0; t < a->n_targets; t++) {
            const ag_audit_result *r = &a->binaries[i].results[t];
            if (!r->n_findings)
                continue;
            fprintf(out, "### `%s` on %s\n\n", a->binaries[i].inner_path, r->target->name);
            for (size_t k = 0; k < r->n_findings; k++) {
                const ag_audit_finding *f = &r->findings[k];
                fprintf(out, "- **%s** `%s`: %s\n", severity_name(f->severity), f->check, f->message);
                write_symbols(out, f, "  - ", 12);
            }
            fputc('\n', out);
        }
    write_bundled_markdown(a, out);
    return ferror(out) ? ag_fail(err, AG_ERR_IO, "cannot write the report") : AG_OK;
}

static json_t *finding_json(const ag_audit_finding *f)
{
    json_t *o = json_object(), *syms = json_array();
    json_object_set_new(o, "check", json_string(f->check));
    json_object_set_new(o, "severity", json_string(severity_name(f->severity)));
    json_object_set_new(o, "message", json_string(f->message));
    for (size_t s = 0; s < f->n_symbols; s++)
        json_array_append_new(syms, json_string(f->symbols[s]));
    json_object_set_new(o, "symbols", syms);
    return o;
}

static ag_status dump(json_t *root, FILE *out, ag_error *err)
{
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (rc != 0 || fputc('\n', out) == EOF)
        return ag_fail(err, AG_ERR_IO, "cannot write the report");
    return AG_OK;
}

static ag_status write_json(const ag_audit *a, FILE *out, ag_error *err)
{
    json_t *root = json_object(), *targets = json_array(), *bins = json_array();
    json_object_set_new(root, "format", json_string("abiguard-audit/1"));
    json_object_set_new(root, "artifact", json_string(a->artifact));
    json_object_set_new(root, "kind", json_string(a->kind));
    json_object_set_new(root, "loads", json_boolean(a->n_failing == 0));
    json_object_set_new(root, "failing_binaries", json_integer((json_int_t)a->n_failing));
    for (size_t t = 0; t < a->n_targets; t++) {
        const ag_target *tg = &a->targets[t];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(tg->name));
        json_object_set_new(o, "libc", json_string(libc_name(tg->libc)));
        if (tg->libc != AG_LIBC_ANY) {
            char v[16];
            snprintf(v, sizeof v, "%d.%d", tg->libc_major, tg->libc_minor);
            json_object_set_new(o, "libc_version", json_string(v));
        }
        json_object_set_new(o, "arch", tg->arch[0] ? json_string(tg->arch) : json_null());
        json_object_set_new(o, "failing_binaries", json_integer((json_int_t)failing_targets(a, t)));
        json_array_append_new(targets, o);
    }
    for (size_t i = 0; i < a->n_binaries; i++) {
        const ag_audit_binary *b = &a->binaries[i];
        json_t *o = json_object(), *results = json_array();
        json_object_set_new(o, "path", json_string(b->inner_path));
        json_object_set_new(o, "soname", b->elf->elf.soname ? json_string(b->elf->elf.soname) : json_null());
        json_object_set_new(o, "machine", b->elf->elf.machine ? json_string(b->elf->elf.machine) : json_null());
        json_object_set_new(o, "class", json_integer(b->elf->elf.elf_class));
        json_object_set_new(o, "build_id", b->elf->elf.build_id ? json_string(b->elf->elf.build_id) : json_null());
        json_object_set_new(o, "glibc_floor", b->glibc_floor ? json_string(b->glibc_floor) : json_null());
        json_object_set_new(o, "napi_version", b->napi_version ? json_integer(b->napi_version) : json_null());
        for (size_t t = 0; t < a->n_targets; t++) {
            const ag_audit_result *r = &b->results[t];
            json_t *ro = json_object(), *fs = json_array();
            json_object_set_new(ro, "target", json_string(r->target->name));
            json_object_set_new(ro, "loads", json_boolean(r->loads));
            for (size_t k = 0; k < r->n_findings; k++)
                json_array_append_new(fs, finding_json(&r->findings[k]));
            json_object_set_new(ro, "findings", fs);
            json_array_append_new(results, ro);
        }
        json_object_set_new(o, "results", results);
        json_array_append_new(bins, o);
    }
    json_object_set_new(root, "targets", targets);
    json_object_set_new(root, "binaries", bins);
    json_object_set_new(root, "catalog", opt_string(a->catalog));
    json_object_set_new(root, "bundled", bundled_json(a));
    return dump(root, out, err);
}

static void xml(FILE *out, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out);
        }
}

static void junit_checks(const ag_audit *a, FILE *out, const char *lib, const char *against,
                         const ag_bundled_check *c, size_t n)
{
    for (size_t u = 0; c && u < n; u++) {
        fputs("    <testcase classname=\"", out);
        xml(out, a->artifact);
        fputs("\" name=\"", out);
        xml(out, c[u].binary);
        fputs(" with ", out);
        xml(out, lib);
        fputs(" as ", out);
        xml(out, against);
        if (c[u].verdict != AG_VERDICT_BREAKING) {
            fputs("\"/>\n", out);
            continue;
        }
        fputs("\">\n      <failure message=\"breaking\" type=\"bundled-abi\">", out);
        for (size_t k = 0; k < c[u].n_changes; k++) {
            xml(out, c[u].changes[k]);
            fputc('\n', out);
        }
        fputs("</failure>\n    </testcase>\n", out);
    }
}

static size_t bundled_cases(const ag_audit *a, size_t *failures)
{
    size_t n = 0;
    *failures = 0;
    for (size_t i = 0; i < a->n_bundled; i++)
        for (size_t u = 0; u < a->bundled[i].n_users; u++) {
            if (a->bundled[i].release) {
                n++;
                *failures += a->bundled[i].checks[u].verdict == AG_VERDICT_BREAKING;
            }
            if (a->bundled[i].system_release) {
                n++;
                *failures += a->bundled[i].system_checks[u].verdict == AG_VERDICT_BREAKING;
            }
        }
    return n;
}

/* One suite: each user of a bundled library with the stored release of
   that build and with the system copy; a case fails on a breaking change. */
static void write_bundled_junit(const ag_audit *a, FILE *out)
{
    size_t failures, n = bundled_cases(a, &failures);
    if (!n)
        return;
    fprintf(out, "  <testsuite name=\"bundled libraries\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n",
            n, failures);
    for (size_t i = 0; i < a->n_bundled; i++) {
        const ag_audit_bundled *b = &a->bundled[i];
        char as[400];
        if (b->release) {
            snprintf(as, sizeof as, "this build %s", b->release);
            junit_checks(a, out, b->path, as, b->checks, b->n_users);
        }
        if (b->system_release) {
            snprintf(as, sizeof as, "the system copy %s", b->system_release);
            junit_checks(a, out, b->path, as, b->system_checks, b->n_users);
        }
    }
    fputs("  </testsuite>\n", out);
}

static ag_status write_junit(const ag_audit *a, FILE *out, ag_error *err)
{
    size_t failures = 0, bundled_failures = 0, bundled = bundled_cases(a, &bundled_failures);
    for (size_t t = 0; t < a->n_targets; t++)
        failures += failing_targets(a, t);
    failures += bundled_failures;
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(out, "<testsuites name=\"abiguard audit\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
            a->n_binaries * a->n_targets + bundled, failures);
    for (size_t t = 0; t < a->n_targets; t++) {
        fputs("  <testsuite name=\"load on ", out);
        xml(out, a->targets[t].name);
        fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n", a->n_binaries,
                failing_targets(a, t));
        for (size_t i = 0; i < a->n_binaries; i++) {
            const ag_audit_result *r = &a->binaries[i].results[t];
            fputs("    <testcase classname=\"", out);
            xml(out, a->artifact);
            fputs("\" name=\"", out);
            xml(out, a->binaries[i].inner_path);
            if (r->loads) {
                fputs("\"/>\n", out);
                continue;
            }
            fputs("\">\n      <failure message=\"", out);
            for (size_t k = 0, first = 1; k < r->n_findings; k++)
                if (r->findings[k].severity == AG_AUDIT_ERROR) {
                    fputs(first ? "" : "; ", out);
                    xml(out, r->findings[k].check);
                    first = 0;
                }
            fputs("\" type=\"fails-to-load\">", out);
            for (size_t k = 0; k < r->n_findings; k++) {
                const ag_audit_finding *f = &r->findings[k];
                fprintf(out, "%s %s: ", severity_name(f->severity), f->check);
                xml(out, f->message);
                for (size_t s = 0; s < f->n_symbols; s++) {
                    fputs(s ? ", " : "\n  ", out);
                    xml(out, f->symbols[s]);
                }
                fputc('\n', out);
            }
            fputs("</failure>\n    </testcase>\n", out);
        }
        fputs("  </testsuite>\n", out);
    }
    write_bundled_junit(a, out);
    fputs("</testsuites>\n", out);
    return ferror(out) ? ag_fail(err, AG_ERR_IO, "cannot write the report") : AG_OK;
}

static ag_status write_sarif(const ag_audit *a, FILE *out, ag_error *err)
{
    json_t *root = json_object(), *runs = json_array(), *run = json_object(), *tool = json_object(),
           *driver = json_object(), *results = json_array();
    json_object_set_new(root, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json"));
    json_object_set_new(root, "version", json_string("2.1.0"));
    json_object_set_new(driver, "name", json_string("abiguard"));
    json_object_set_new(driver, "informationUri", json_string("https://github.com/abiguard/abiguard"));
    json_object_set_new(tool, "driver", driver);
    json_object_set_new(run, "tool", tool);
    for (size_t i = 0; i < a->n_binaries; i++)
        for (size_t t = 0; t < a->n_targets; t++) {
            const ag_audit_result *r = &a->binaries[i].results[t];
            for (size_t k = 0; k < r->n_findings; k++) {
                const ag_audit_finding *f = &r->findings[k];
                if (f->severity == AG_AUDIT_NOTE)
                    continue;
                json_t *res = json_object(), *msg = json_object(), *loc = json_object(), *phys = json_object(),
                       *al = json_object(), *locs = json_array();
                json_object_set_new(res, "ruleId", json_string(f->check));
                json_object_set_new(res, "level", json_string(f->severity == AG_AUDIT_ERROR ? "error" : "warning"));
                char *text = NULL;
                if (asprintf(&text, "%s on %s: %s", a->binaries[i].inner_path, r->target->name, f->message) < 0)
                    text = NULL;
                json_object_set_new(msg, "text", json_string(text ? text : f->message));
                free(text);
                json_object_set_new(res, "message", msg);
                char *uri = NULL;
                if (asprintf(&uri, "%s/%s", a->artifact, a->binaries[i].inner_path) < 0)
                    uri = NULL;
                json_object_set_new(al, "uri", json_string(uri ? uri : a->artifact));
                free(uri);
                json_object_set_new(phys, "artifactLocation", al);
                json_object_set_new(loc, "physicalLocation", phys);
                json_array_append_new(locs, loc);
                json_object_set_new(res, "locations", locs);
                json_array_append_new(results, res);
            }
        }
    json_object_set_new(run, "results", results);
    json_array_append_new(runs, run);
    json_object_set_new(root, "runs", runs);
    return dump(root, out, err);
}

ag_status ag_audit_write(const ag_audit *a, ag_report_format fmt, FILE *out, ag_error *err)
{
    switch (fmt) {
    case AG_FMT_TEXT: return write_text(a, out, err);
    case AG_FMT_JSON: return write_json(a, out, err);
    case AG_FMT_MARKDOWN: return write_markdown(a, out, err);
    case AG_FMT_JUNIT: return write_junit(a, out, err);
    case AG_FMT_SARIF: return write_sarif(a, out, err);
    }
    return ag_fail(err, AG_ERR_USAGE, "unknown report format");
}
