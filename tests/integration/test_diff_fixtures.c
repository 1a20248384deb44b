/*
 * test_diff_fixtures.c — `abiguard diff` run as a user runs it, on the fixture
 * library pairs of tests/fixtures/diff/ (built by `make fixtures` into
 * $FIXTURES/diff/<case>/v1/lib<case>.so and v2/lib<case>.so):
 *   - for every case in expected.txt: the exit status, the overall verdict and
 *     the exact set of unsuppressed change kind ids (both sets printed when
 *     they differ);
 *   - every kind of the table has a fixture, and expected.txt names no
 *     unknown kind;
 *   - every change says why, type-level changes name an impacted interface
 *     and the path to it, callback changes (and only they) are upcalls;
 *   - --headers-dir narrows the public surface; --fail-on; --suppressions
 *     (counted, not dropped; a malformed file names its line);
 *   - a corpus JSON on either side gives the same diff as the shared object.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change_kinds.h"
#include "tool_run.h"

/* ------------------------------------------------------------------ */
/* expected.txt                                                        */

typedef struct diff_case {
    char name[64];
    char verdict[16];
    int exit_status;
    char ids[1024]; /* comma-separated, sorted, unique; "" for none */
} diff_case;

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorts and de-duplicates a comma-separated list in place ("-" = empty). */
static void canonical_id_list(char *list, size_t cap)
{
    if (strcmp(list, "-") == 0) {
        list[0] = '\0';
        return;
    }
    char *copy = strdup(list);
    char *items[256];
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && n < 256; t = strtok_r(NULL, ",", &save))
        items[n++] = t;
    qsort(items, n, sizeof *items, compare_strings);
    size_t len = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(items[i], items[i - 1]) == 0)
            continue;
        len += (size_t)snprintf(list + len, len < cap ? cap - len : 0, "%s%s", len ? "," : "", items[i]);
    }
    free(copy);
}

/* Reads $FIXTURES/diff/expected.txt. Returns the number of cases (0 when the
   file cannot be read) in a malloc'd (or cr_malloc'd) array. */
static size_t load_expected(diff_case **out, void *(*alloc)(size_t))
{
    *out = NULL;
    const char *fixtures = getenv("FIXTURES");
    if (!fixtures || !*fixtures)
        return 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/diff/expected.txt", fixtures);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    diff_case tmp[256];
    size_t n = 0;
    char line[2048];
    while (fgets(line, sizeof line, f) && n < 256) {
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '#' || *p == '\n' || *p == '\0')
            continue;
        diff_case c;
        memset(&c, 0, sizeof c);
        if (sscanf(p, "%63s %15s %d %1023s", c.name, c.verdict, &c.exit_status, c.ids) != 4)
            continue;
        canonical_id_list(c.ids, sizeof c.ids);
        tmp[n++] = c;
    }
    fclose(f);
    if (n == 0)
        return 0;
    *out = alloc(n * sizeof **out);
    memcpy(*out, tmp, n * sizeof **out);
    return n;
}

static void *plain_malloc(size_t n)
{
    return malloc(n);
}

/* ------------------------------------------------------------------ */
/* Running the diff                                                    */

typedef struct diff_result {
    tool_run run;
    json_t *root;       /* NULL when stdout is not JSON */
    const char *verdict;/* borrowed from root, or "(no JSON)" */
    char ids[2048];     /* unsuppressed change ids, canonical */
    size_t n_changes, n_unsuppressed;
} diff_result;

static char *case_lib(const char *name, const char *version)
{
    char rel[512];
    snprintf(rel, sizeof rel, "diff/%s/%s/lib%s.so", name, version, name);
    return fixture_path(rel);
}

/* abiguard diff --format json [extra...] OLD NEW */
static void run_diff(diff_result *d, const char *old_path, const char *new_path, const char *const extra[])
{
    memset(d, 0, sizeof *d);
    const char *argv[32];
    size_t n = 0;
    argv[n++] = abiguard_binary();
    argv[n++] = "diff";
    argv[n++] = "--format";
    argv[n++] = "json";
    for (size_t i = 0; extra && extra[i] && n < 28; i++)
        argv[n++] = extra[i];
    argv[n++] = old_path;
    argv[n++] = new_path;
    argv[n] = NULL;
    cr_assert(tool_run_argv(argv, ABIGUARD_TIMEOUT_SECONDS, &d->run), "cannot start abiguard");
    d->verdict = "(no JSON)";
    json_error_t jerr;
    d->root = d->run.out_len ? json_loadb(d->run.out, d->run.out_len, 0, &jerr) : NULL;
    if (!d->root)
        return;
    json_t *v = json_object_get(d->root, "verdict");
    if (json_is_string(v))
        d->verdict = json_string_value(v);
    json_t *changes = json_object_get(d->root, "changes");
    size_t i;
    json_t *c;
    size_t len = 0;
    d->ids[0] = '\0';
    json_array_foreach(changes, i, c) {
        d->n_changes++;
        if (json_is_true(json_object_get(c, "suppressed")))
            continue;
        d->n_unsuppressed++;
        const char *id = json_string_value(json_object_get(c, "id"));
        len += (size_t)snprintf(d->ids + len, len < sizeof d->ids ? sizeof d->ids - len : 0, "%s%s",
                                len ? "," : "", id ? id : "(no id)");
    }
    canonical_id_list(d->ids, sizeof d->ids);
}

static void diff_result_free(diff_result *d)
{
    json_decref(d->root);
    tool_run_free(&d->run);
}

/* Asserts that the command ended by exit() and printed JSON. */
static void assert_ran(const diff_result *d, const char *what)
{
    cr_assert(d->run.exited, "%s: %s; stderr:\n%s", what, tool_run_outcome(&d->run), d->run.err);
    cr_assert(d->root, "%s: exit %d, stdout is not JSON; stderr:\n%s\nstdout:\n%.2000s", what, d->run.exit_status,
              d->run.err, d->run.out);
}

static void run_case(diff_result *d, const char *name, const char *const extra[])
{
    char *v1 = case_lib(name, "v1"), *v2 = case_lib(name, "v2");
    run_diff(d, v1, v2, extra);
    free(v1);
    free(v2);
    assert_ran(d, name);
}

static json_int_t json_int_field(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* Compares with the expected line; adds one problem per difference. */
static void check_against(problem_list *p, const diff_case *c, const diff_result *d, const char *how)
{
    if (!d->run.exited || !d->root) {
        problem_add(p, "%s%s: %s, %s; stderr: %.300s", c->name, how, tool_run_outcome(&d->run),
                    d->root ? "JSON" : "no JSON", d->run.err);
        return;
    }
    if (d->run.exit_status != c->exit_status)
        problem_add(p, "%s%s: exit %d, expected %d", c->name, how, d->run.exit_status, c->exit_status);
    if (strcmp(d->verdict, c->verdict) != 0)
        problem_add(p, "%s%s: verdict %s, expected %s", c->name, how, d->verdict, c->verdict);
    if (strcmp(d->ids, c->ids) != 0)
        problem_add(p, "%s%s: change ids\n      expected {%s}\n      got      {%s}", c->name, how, c->ids, d->ids);
}

/* ------------------------------------------------------------------ */
/* One test per case                                                   */

ParameterizedTestParameters(diff_fixtures, each_case)
{
    diff_case *cases;
    size_t n = load_expected(&cases, cr_malloc);
    if (n == 0) {
        /* One placeholder, so the test runs and says why nothing was read. */
        cases = cr_malloc(sizeof *cases);
        memset(cases, 0, sizeof *cases);
        snprintf(cases->name, sizeof cases->name, "(no expected.txt)");
        n = 1;
    }
    return cr_make_param_array(diff_case, cases, n, NULL);
}

ParameterizedTest(diff_case *c, diff_fixtures, each_case, .timeout = 120)
{
    cr_assert(strcmp(c->name, "(no expected.txt)") != 0,
              "cannot read $FIXTURES/diff/expected.txt (FIXTURES=%s; run `make fixtures`)",
              getenv("FIXTURES") ? getenv("FIXTURES") : "(unset)");
    diff_result d;
    run_case(&d, c->name, NULL);
    problem_list p = { 0 };
    check_against(&p, c, &d, "");
    /* The summary agrees with the list. */
    json_t *counts = json_object_get(d.root, "counts");
    json_int_t total = 0;
    const char *key;
    json_t *value;
    json_object_foreach(counts, key, value) total += json_is_integer(value) ? json_integer_value(value) : 0;
    if (total != (json_int_t)d.n_unsuppressed)
        problem_add(&p, "%s: counts add up to %lld, but %zu unsuppressed changes are listed", c->name,
                    (long long)total, d.n_unsuppressed);
    if (json_int_field(d.root, "suppressed") != 0)
        problem_add(&p, "%s: \"suppressed\" is %lld without --suppressions", c->name,
                    (long long)json_int_field(d.root, "suppressed"));
    if (p.count)
        cr_log_info("%s: stdout:\n%.4000s", c->name, d.run.out);
    problem_assert_none(&p, c->name);
    diff_result_free(&d);
}

/* ------------------------------------------------------------------ */
/* The table and expected.txt agree                                    */

Test(diff_fixtures, every_kind_has_a_fixture)
{
    diff_case *cases;
    size_t n = load_expected(&cases, plain_malloc);
    cr_assert(n > 0, "cannot read $FIXTURES/diff/expected.txt");
    problem_list p = { 0 };
    for (int k = 0; k < AG_CK__COUNT; k++) {
        const ag_change_kind_info *info = ag_change_kind_info_of((ag_change_kind)k);
        cr_assert(info && info->id, "kind %d has no table row", k);
        bool found = false;
        for (size_t i = 0; i < n && !found; i++) {
            char *copy = strdup(cases[i].ids);
            for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
                if (strcmp(t, info->id) == 0)
                    found = true;
            free(copy);
        }
        if (!found)
            problem_add(&p, "kind %s: no case in expected.txt expects it", info->id);
    }
    for (size_t i = 0; i < n; i++) {
        char *copy = strdup(cases[i].ids);
        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
            if (ag_change_kind_from_id(t) < 0)
                problem_add(&p, "%s: unknown kind id %s", cases[i].name, t);
        free(copy);
        if (ag_verdict_from_name(cases[i].verdict) < 0)
            problem_add(&p, "%s: unknown verdict %s", cases[i].name, cases[i].verdict);
    }
    free(cases);
    problem_assert_none(&p, "expected.txt against the change-kind table");
}

/* ------------------------------------------------------------------ */
/* Why, impacted interfaces and paths, upcalls                         */

/* Changes about a type (reported at the type, reached through a path from
   an interface), as opposed to symbol, function-signature and ELF changes
   and the site-level refinements (pointer level, pointee const, array
   dimension, base type) that may be reported at a parameter itself. */
static bool is_type_level(const char *id)
{
    static const char *const site_level[] = { "pointer-level-changed", "pointee-const-added",
                                               "pointee-const-removed", "array-dimension-changed",
                                               "base-type-changed", "type-changed-same-abi", NULL };
    for (size_t i = 0; site_level[i]; i++)
        if (strcmp(id, site_level[i]) == 0)
            return false;
    int k = ag_change_kind_from_id(id);
    if (k < 0)
        return false;
    const ag_change_kind_info *info = ag_change_kind_info_of((ag_change_kind)k);
    return info->area == AG_AREA_TYPES || info->area == AG_AREA_ENUMS || info->area == AG_AREA_CALLBACKS;
}

static const char *str_field(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

Test(diff_fixtures, every_change_is_explained, .timeout = 600)
{
    diff_case *cases;
    size_t n = load_expected(&cases, plain_malloc);
    cr_assert(n > 0, "cannot read $FIXTURES/diff/expected.txt");
    problem_list p = { 0 };
    size_t checked = 0, type_level = 0;
    for (size_t ci = 0; ci < n; ci++) {
        diff_result d;
        char *v1 = case_lib(cases[ci].name, "v1"), *v2 = case_lib(cases[ci].name, "v2");
        run_diff(&d, v1, v2, NULL);
        free(v1);
        free(v2);
        if (!d.root) {
            problem_add(&p, "%s: %s, no JSON", cases[ci].name, tool_run_outcome(&d.run));
            diff_result_free(&d);
            continue;
        }
        /* Cases named callback* change only inside a callback's signature. */
        bool is_callback_case = strncmp(cases[ci].name, "callback", 8) == 0;
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(d.root, "changes"), i, c) {
            const char *id = str_field(c, "id");
            checked++;
            if (!*str_field(c, "why"))
                problem_add(&p, "%s: change %s (%s) has no \"why\"", cases[ci].name, id, str_field(c, "subject"));
            if (!*str_field(c, "subject"))
                problem_add(&p, "%s: change %s has no subject", cases[ci].name, id);
            const char *verdict = str_field(c, "verdict");
            if (ag_verdict_from_name(verdict) <= (int)AG_VERDICT_NONE)
                problem_add(&p, "%s: change %s has verdict '%s'", cases[ci].name, id, verdict);
            bool upcall = json_is_true(json_object_get(c, "upcall"));
            if (is_callback_case && !upcall)
                problem_add(&p, "%s: change %s (%s) is not marked as an upcall", cases[ci].name, id,
                            str_field(c, "subject"));
            if (!is_callback_case && upcall)
                problem_add(&p, "%s: change %s (%s) is marked as an upcall but no callback is involved",
                            cases[ci].name, id, str_field(c, "subject"));
            if (!is_type_level(id))
                continue;
            type_level++;
            json_t *impacted = json_object_get(c, "impacted");
            bool has_path = false;
            size_t j;
            json_t *imp;
            json_array_foreach(impacted, j, imp) {
                if (!*str_field(imp, "interface"))
                    problem_add(&p, "%s: change %s: an impacted entry without an interface", cases[ci].name, id);
                if (strstr(str_field(imp, "path"), "->"))
                    has_path = true;
            }
            if (!has_path) {
                char *dump = json_dumps(impacted ? impacted : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
                problem_add(&p, "%s: type-level change %s (%s): no impacted interface with a path (\"->\"): %s",
                            cases[ci].name, id, str_field(c, "subject"), dump ? dump : "?");
                free(dump);
            }
        }
        diff_result_free(&d);
    }
    free(cases);
    cr_log_info("explained: %zu changes checked, %zu of them type-level", checked, type_level);
    cr_expect(type_level > 20, "only %zu type-level changes were seen across the fixtures", type_level);
    problem_assert_none(&p, "every change explained");
}

Test(diff_fixtures, callback_is_an_upcall, .timeout = 120)
{
    diff_result d;
    run_case(&d, "callback", NULL);
    json_t *changes = json_object_get(d.root, "changes");
    cr_assert(json_array_size(changes) > 0, "callback: no change reported:\n%s", d.run.out);
    size_t i;
    json_t *c;
    bool seen = false;
    json_array_foreach(changes, i, c) {
        if (strcmp(str_field(c, "id"), "callback-signature-changed") != 0)
            continue;
        seen = true;
        cr_expect(json_is_true(json_object_get(c, "upcall")), "callback-signature-changed without \"upcall\": true:\n%s",
                  d.run.out);
        cr_expect_str_eq(str_field(c, "area"), "callbacks");
        bool via_register = false;
        size_t j;
        json_t *imp;
        json_array_foreach(json_object_get(c, "impacted"), j, imp)
            if (strcmp(str_field(imp, "interface"), "cb_register") == 0)
                via_register = true;
        cr_expect(via_register, "cb_register is not listed as impacted:\n%s", d.run.out);
    }
    cr_assert(seen, "no callback-signature-changed:\n%s", d.run.out);
    diff_result_free(&d);
}

/* ------------------------------------------------------------------ */
/* --headers-dir                                                       */

/* Line 1 (absolute) or 2 (relative to the repository) of <case>/headers-dir. */
static char *headers_dir(const char *name, int line_no)
{
    char rel[256];
    snprintf(rel, sizeof rel, "diff/%s/headers-dir", name);
    char *path = fixture_path(rel);
    char *text = read_whole_file(path, NULL);
    cr_assert(text, "cannot read %s", path);
    free(path);
    char *line = text;
    for (int i = 1; i < line_no && line; i++) {
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    cr_assert(line && *line, "%s/headers-dir has no line %d", name, line_no);
    char *result = strndup(line, strcspn(line, "\n"));
    free(text);
    return result;
}

static bool has_subject_prefix(const diff_result *d, const char *prefix)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(d->root, "changes"), i, c)
        if (strncmp(str_field(c, "subject"), prefix, strlen(prefix)) == 0)
            return true;
    return false;
}

static json_t *surface_side(const diff_result *d, const char *side)
{
    return json_object_get(json_object_get(d->root, "surface"), side);
}

static long long json_int_at(json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

Test(diff_options, opaque_private_struct_is_left_out, .timeout = 120)
{
    /* inferred: struct engine is defined in v1.c, reached only through a pointer */
    diff_result d;
    run_case(&d, "internal_opaque", NULL);
    cr_expect(d.run.exit_status == 0 && strcmp(d.verdict, "none") == 0 && d.n_unsuppressed == 0,
              "internal_opaque, inferred surface: exit %d, verdict %s, changes {%s}; expected exit 0, verdict none",
              d.run.exit_status, d.verdict, d.ids);
    json_t *side = surface_side(&d, "new");
    cr_expect_str_eq(json_string_value(json_object_get(side, "method")), "inferred");
    cr_expect_eq(json_int_at(json_object_get(side, "private_by_reason"), "source-file"), 1,
                 "struct engine counts as private because it is in a .c file:\n%s", d.run.out);
    cr_expect_eq(json_int_at(json_object_get(d.root, "surface"), "private_changes"), 3,
                 "the size, alignment and member changes of struct engine are counted as left out:\n%s", d.run.out);
    diff_result_free(&d);

    for (int form = 1; form <= 2; form++) {
        char *dir = headers_dir("internal_opaque", form);
        const char *extra[] = { "--headers-dir", dir, NULL };
        run_case(&d, "internal_opaque", extra);
        cr_expect(d.run.exit_status == 0 && strcmp(d.verdict, "none") == 0 && d.n_unsuppressed == 0,
                  "internal_opaque --headers-dir %s (%s path): exit %d, verdict %s, changes {%s}; expected exit 0, "
                  "verdict none, no change", dir, form == 1 ? "absolute" : "relative", d.run.exit_status, d.verdict,
                  d.ids);
        cr_expect_str_eq(json_string_value(json_object_get(surface_side(&d, "old"), "method")), "headers");
        cr_expect_eq(json_int_at(surface_side(&d, "new"), "public_headers"), 1, "include/engine.h:\n%s", d.run.out);
        diff_result_free(&d);
        free(dir);
    }
}

Test(diff_options, headers_dir_keeps_public_types, .timeout = 120)
{
    diff_result d;
    run_case(&d, "headers_public", NULL);
    cr_expect(has_subject_prefix(&d, "struct hp_point") && !has_subject_prefix(&d, "struct hp_engine"),
              "headers_public, inferred: hp_point (a header) reported, hp_engine (a .c file) not:\n%s", d.run.out);
    diff_result_free(&d);

    for (int form = 1; form <= 2; form++) {
        char *dir = headers_dir("headers_public", form);
        const char *extra[] = { "--headers-dir", dir, NULL };
        run_case(&d, "headers_public", extra);
        const char *how = form == 1 ? "absolute" : "relative";
        cr_expect(has_subject_prefix(&d, "struct hp_point"),
                  "headers_public --headers-dir %s (%s): the public struct hp_point is no longer reported:\n%s", dir,
                  how, d.run.out);
        cr_expect(!has_subject_prefix(&d, "struct hp_engine"),
                  "headers_public --headers-dir %s (%s): the private struct hp_engine is still reported:\n%s", dir, how,
                  d.run.out);
        /* hp_point is public: its growth is breaking even through a pointer. */
        cr_expect(d.run.exit_status == 12 && strcmp(d.verdict, "breaking") == 0,
                  "headers_public --headers-dir %s (%s): exit %d, verdict %s; expected 12, breaking", dir, how,
                  d.run.exit_status, d.verdict);
        diff_result_free(&d);
        free(dir);
    }
}

/* Types a public header declares but no exported signature names (an enum
   returned as int, a struct only a macro touches) are API once the headers
   are known: kept at extraction, compared, and attributed to their header. */
Test(diff_options, public_types_no_signature_names, .timeout = 120)
{
    char *dir = headers_dir("public_unreached", 1);
    const char *extra[] = { "--headers-dir", dir, NULL };
    diff_result d;
    run_case(&d, "public_unreached", extra);
    cr_expect(d.run.exit_status == 12 && strcmp(d.verdict, "breaking") == 0,
              "public_unreached --headers-dir: exit %d, verdict %s, expected 12, breaking", d.run.exit_status,
              d.verdict);
    cr_expect(strstr(d.ids, "enum-value-changed") && strstr(d.ids, "struct-member-offset-changed"),
              "changes {%s}", d.ids);
    size_t i;
    json_t *c;
    bool attributed = false;
    json_array_foreach(json_object_get(d.root, "changes"), i, c) {
        json_t *im = json_array_get(json_object_get(c, "impacted"), 0);
        if (strcmp(str_field(c, "subject"), "enum pu_status::PU_FAIL") == 0 && im)
            attributed = strcmp(str_field(im, "path"), "public header pu.h -> enum pu_status") == 0;
    }
    cr_expect(attributed, "the enumerator change names its header:\n%s", d.run.out);
    diff_result_free(&d);
    free(dir);
}

/* ------------------------------------------------------------------ */
/* Reports a user reads to the end                                     */

/* abiguard diff --format FORMAT [extra...] on a case; stdout in r. */
static void run_case_format(tool_run *r, const char *name, const char *format, const char *extra)
{
    char *v1 = case_lib(name, "v1"), *v2 = case_lib(name, "v2");
    const char *argv[] = { abiguard_binary(), "diff", "--format", format, v1, v2, extra, NULL };
    cr_assert(tool_run_argv(argv, ABIGUARD_TIMEOUT_SECONDS, r), "cannot start abiguard");
    cr_assert(r->exited, "%s --format %s: %s", name, format, tool_run_outcome(r));
    free(v1);
    free(v2);
}

/* The text report: the summary first, then the breaking change that
   reaches the most interfaces; its direct path listed first and never
   folded away; no path names a type twice. */
Test(reports_text, summary_then_the_widest_break_shortest_path_first, .timeout = 120)
{
    tool_run r;
    run_case_format(&r, "report_order", "text", NULL);
    cr_expect(strncmp(r.out, "ABI diff ", 9) == 0, "the summary line comes first:\n%s", r.out);
    const char *group = strstr(r.out, "== breaking (4) ==");
    cr_assert(group, "%s", r.out);
    const char *first = strstr(group, "\n[breaking] ");
    cr_expect(first && strncmp(first, "\n[breaking] struct-member-offset-changed  struct zleaf::", 56) == 0,
              "struct zleaf (12 interfaces) before struct lone (1):\n%s", r.out);
    cr_expect(strstr(r.out, "  impacted interfaces (12):\n    zz_direct() param 1 -> struct zleaf\n"),
              "the direct path is listed first:\n%s", r.out);
    cr_expect(strstr(r.out, "    ... and 2 more\n"), "%s", r.out);
    tool_run_free(&r);

    run_case_format(&r, "typedef_anonymous_moved", "text", NULL);
    cr_expect(strstr(r.out, "    pt_get() param 1 -> pt_t\n"), "%s", r.out);
    cr_expect_null(strstr(r.out, "-> target -> pt_t"), "a path repeats a step:\n%s", r.out);
    tool_run_free(&r);
}

/* Every format says how the surface was decided and what it left out;
   the text report suggests --headers-dir when the surface was inferred,
   and --show-private lists what was left out. */
Test(reports_surface, every_format_says_how_the_surface_was_decided, .timeout = 120)
{
    static const struct {
        const char *format, *expected;
    } formats[] = {
        { "text", "public surface: inferred (no headers given): 1 type treated as private: 1 in .c files; "
                  "3 changes inside private types left out (--show-private lists them)" },
        { "markdown", "**Public surface:** inferred (no headers given): 1 type treated as private: 1 in .c files" },
        { "junit", "<property name=\"public-surface\" value=\"inferred (no headers given): 1 type treated as private" },
        { "sarif", "\"publicSurface\": \"inferred (no headers given): 1 type treated as private" },
        { "json", "\"summary\": \"inferred (no headers given): 1 type treated as private" },
    };
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        tool_run r;
        run_case_format(&r, "internal_opaque", formats[i].format, NULL);
        cr_expect(strstr(r.out, formats[i].expected), "--format %s lacks \"%s\":\n%s", formats[i].format,
                  formats[i].expected, r.out);
        if (strcmp(formats[i].format, "text") == 0)
            cr_expect(strstr(r.out, "--headers-dir PREFIX/include"), "no --headers-dir hint:\n%s", r.out);
        tool_run_free(&r);
    }
    tool_run r;
    run_case_format(&r, "internal_opaque", "text", "--show-private");
    cr_expect(strstr(r.out, "== left out as private (3 changes) ==") &&
                  strstr(r.out, "[risky, private] type-size-changed  struct engine") &&
                  strstr(r.out, "  struct engine  (in .c files: "),
              "--show-private lists the changes and the type:\n%s", r.out);
    tool_run_free(&r);
    run_case_format(&r, "internal_opaque", "json", "--show-private");
    cr_expect(strstr(r.out, "\"left_out\": [") && strstr(r.out, "\"private_type_list\": ["), "%s", r.out);
    tool_run_free(&r);
}

/* With the headers known, an export no public header names is the
   library's own: its removal and its signature change are left out (and
   counted), an addition still counts. */
Test(diff_options, internal_exports_are_left_out, .timeout = 120)
{
    char *dir = headers_dir("internal_export", 1);
    const char *extra[] = { "--headers-dir", dir, "--show-private", NULL };
    diff_result d;
    run_case(&d, "internal_export", extra);
    cr_expect(d.run.exit_status == 4 && strcmp(d.verdict, "compatible") == 0 && strcmp(d.ids, "fn-added") == 0,
              "internal_export --headers-dir: exit %d, verdict %s, changes {%s}; expected 4, compatible, {fn-added}",
              d.run.exit_status, d.verdict, d.ids);
    json_t *surface = json_object_get(d.root, "surface");
    cr_expect_eq(json_int_at(surface, "private_changes"), 2, "ie_helper removed, ie_tool changed:\n%s", d.run.out);
    cr_expect_eq(json_int_at(json_object_get(surface, "old"), "internal_exports"), 2, "%s", d.run.out);
    cr_expect_eq(json_array_size(json_object_get(surface, "left_out")), 2, "%s", d.run.out);
    diff_result_free(&d);
    free(dir);
}

/* A --headers-dir that does not exist, or that declares nothing of the
   library, would silently drop real changes: both are errors that say
   where the declarations do come from. */
Test(diff_options, headers_dir_that_declares_nothing_is_an_error, .timeout = 120)
{
    diff_result d;
    char *v1 = case_lib("headers_public", "v1"), *v2 = case_lib("headers_public", "v2");
    const char *missing[] = { "--headers-dir", "/nonexistent/include", NULL };
    run_diff(&d, v1, v2, missing);
    cr_expect_eq(d.run.exit_status, 1, "a missing --headers-dir: exit %d, expected 1", d.run.exit_status);
    cr_expect(strstr(d.run.err, "/nonexistent/include") && strstr(d.run.err, "no such directory"),
              "the error names the directory:\n%s", d.run.err);
    diff_result_free(&d);

    char *other = headers_dir("internal_opaque", 1); /* engine.h: nothing of headers_public */
    const char *wrong[] = { "--headers-dir", other, NULL };
    run_diff(&d, v1, v2, wrong);
    cr_expect_eq(d.run.exit_status, 1, "a --headers-dir declaring nothing: exit %d, expected 1", d.run.exit_status);
    /* spelled from the fixture's source tree, tests/fixtures/diff/headers_public/ */
    cr_expect(strstr(d.run.err, "no type or function") && strstr(d.run.err, "include/v1/ (1)"),
              "the error names where the declarations come from:\n%s", d.run.err);
    diff_result_free(&d);
    free(other);
    free(v1);
    free(v2);
}

/* ------------------------------------------------------------------ */
/* --fail-on                                                           */

static void expect_exit(const char *name, const char *const extra[], int expected, const char *what)
{
    diff_result d;
    run_case(&d, name, extra);
    cr_expect_eq(d.run.exit_status, expected, "%s %s: exit %d, expected %d (verdict %s, changes {%s})", name, what,
                 d.run.exit_status, expected, d.verdict, d.ids);
    diff_result_free(&d);
}

Test(diff_options, fail_on_risky, .timeout = 120)
{
    /* bind_now_dropped and relro_dropped are risky and nothing worse. */
    const char *risky[] = { "--fail-on", "risky", NULL };
    const char *breaking[] = { "--fail-on", "breaking", NULL };
    expect_exit("bind_now_dropped", NULL, 4, "(default --fail-on breaking)");
    expect_exit("bind_now_dropped", breaking, 4, "--fail-on breaking");
    expect_exit("bind_now_dropped", risky, 12, "--fail-on risky");
    expect_exit("relro_dropped", risky, 12, "--fail-on risky");
    /* Compatible changes stay below risky; harmless ones are not counted
       at all (as abidiff does not count them). */
    expect_exit("fn_added", risky, 4, "--fail-on risky");
    expect_exit("fn_param_renamed", risky, 0, "--fail-on risky");
    /* No change never fails. */
    expect_exit("nochange", risky, 0, "--fail-on risky");
    /* api-break is worse than risky, so it fails too. */
    expect_exit("member_renamed", risky, 12, "--fail-on risky");
}

Test(diff_options, fail_on_api_break, .timeout = 120)
{
    const char *api[] = { "--fail-on", "api-break", NULL };
    expect_exit("member_renamed", NULL, 4, "(default --fail-on breaking)");
    expect_exit("member_renamed", api, 12, "--fail-on api-break");
    expect_exit("pointee_const_removed", api, 12, "--fail-on api-break");
    expect_exit("relro_dropped", api, 4, "--fail-on api-break (risky is below api-break)");
    expect_exit("fn_removed", api, 12, "--fail-on api-break");
}

Test(diff_options, fail_on_unknown_is_a_usage_error, .timeout = 60)
{
    char *v1 = case_lib("fn_removed", "v1"), *v2 = case_lib("fn_removed", "v2");
    tool_run r;
    cr_assert(run_abiguard(&r, "diff", "--fail-on", "sometimes", v1, v2, (char *)NULL));
    cr_expect(r.exited && r.exit_status == 2, "--fail-on sometimes: %s, expected exit 2; stderr:\n%s",
              tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    free(v1);
    free(v2);
}

/* ------------------------------------------------------------------ */
/* --suppressions                                                      */

static char *write_temp_file(char **dir_out, const char *name, const char *text)
{
    char *dir = make_temp_dir();
    char *path = path_join2(dir, name);
    cr_assert(write_whole_file(path, text, strlen(text)), "cannot write %s", path);
    *dir_out = dir;
    return path;
}

static size_t count_id(const diff_result *d, const char *id, bool suppressed)
{
    size_t n = 0, i;
    json_t *c;
    json_array_foreach(json_object_get(d->root, "changes"), i, c)
        if (strcmp(str_field(c, "id"), id) == 0 && json_is_true(json_object_get(c, "suppressed")) == suppressed)
            n++;
    return n;
}

static void check_suppressed_run(const char *rules, const char *label)
{
    /* enumerator_added_in_middle: enum-value-added-in-middle (compatible) and
       enum-value-changed (breaking, GREEN and BLUE). Suppressing the
       value changes leaves a compatible diff: exit 4, not 12. */
    diff_result plain;
    run_case(&plain, "enumerator_added_in_middle", NULL);
    size_t moved = count_id(&plain, "enum-value-changed", false);
    cr_assert(moved > 0 && plain.run.exit_status == 12,
              "enumerator_added_in_middle without suppressions: exit %d, changes {%s}", plain.run.exit_status,
              plain.ids);

    char *dir;
    char *file = write_temp_file(&dir, "rules.supp", rules);
    const char *extra[] = { "--suppressions", file, NULL };
    diff_result d;
    run_case(&d, "enumerator_added_in_middle", extra);
    cr_expect_eq(d.run.exit_status, 4, "%s: exit %d, expected 4 (only the compatible change is left); stderr:\n%s",
                 label, d.run.exit_status, d.run.err);
    cr_expect_str_eq(d.verdict, "compatible", "%s: verdict %s, expected compatible", label, d.verdict);
    cr_expect_str_eq(d.ids, "enum-value-added-in-middle", "%s: unsuppressed {%s}", label, d.ids);
    cr_expect_eq(json_int_field(d.root, "suppressed"), (json_int_t)moved,
                 "%s: \"suppressed\" is %lld, expected %zu (suppressed changes are counted)", label,
                 (long long)json_int_field(d.root, "suppressed"), moved);
    cr_expect_eq(count_id(&d, "enum-value-changed", true), moved,
                 "%s: the suppressed changes are not listed with \"suppressed\": true:\n%s", label, d.run.out);
    cr_expect_eq(json_int_field(json_object_get(d.root, "counts"), "breaking"), 0,
                 "%s: suppressed changes still counted as breaking", label);
    diff_result_free(&d);
    diff_result_free(&plain);
    remove_tree(dir);
    free(dir);
    free(file);
}

Test(diff_options, suppress_by_kind, .timeout = 120)
{
    check_suppressed_run("# accepted: the enum was renumbered on purpose\n"
                         "kind=enum-value-changed\n",
                         "kind rule");
}

Test(diff_options, suppress_by_type_and_kind, .timeout = 120)
{
    check_suppressed_run("\n"
                         "type=\"enum color\"   kind=enum-value-changed   # both must match\n",
                         "type + kind rule");
}

Test(diff_options, suppress_by_symbol, .timeout = 120)
{
    /* fn_removed: the only change is about fr_gone. Every change suppressed:
       verdict none and, as abidiff does when all changes are suppressed,
       exit 0 — with the change still counted. */
    char *dir;
    char *file = write_temp_file(&dir, "rules.supp", "symbol=fr_*\n");
    const char *extra[] = { "--suppressions", file, NULL };
    diff_result d;
    run_case(&d, "fn_removed", extra);
    cr_expect_str_eq(d.verdict, "none", "symbol rule: verdict %s, expected none", d.verdict);
    cr_expect_eq(d.run.exit_status, 0, "symbol rule: exit %d, expected 0 (every change suppressed)",
                 d.run.exit_status);
    cr_expect_eq(json_int_field(d.root, "suppressed"), 1, "symbol rule: \"suppressed\" is %lld, expected 1",
                 (long long)json_int_field(d.root, "suppressed"));
    diff_result_free(&d);
    remove_tree(dir);
    free(dir);
    free(file);
}

static void expect_malformed(const char *text, int line_no)
{
    char *dir;
    char *file = write_temp_file(&dir, "bad.supp", text);
    char *v1 = case_lib("fn_removed", "v1"), *v2 = case_lib("fn_removed", "v2");
    tool_run r;
    cr_assert(run_abiguard(&r, "diff", "--suppressions", file, v1, v2, (char *)NULL));
    char needle[32];
    snprintf(needle, sizeof needle, "line %d", line_no);
    cr_expect(r.exited && r.exit_status == 1, "malformed suppressions (%s): %s, expected exit 1; stderr:\n%s",
              needle, tool_run_outcome(&r), r.err);
    cr_expect_eq(count_lines(r.err), 1, "malformed suppressions: %zu stderr lines, expected 1:\n%s",
                 count_lines(r.err), r.err);
    cr_expect(strstr(r.err, needle), "malformed suppressions: stderr does not say \"%s\":\n%s", needle, r.err);
    cr_expect(r.out_len == 0, "malformed suppressions: something was printed to stdout:\n%.500s", r.out);
    tool_run_free(&r);
    remove_tree(dir);
    free(dir);
    free(file);
    free(v1);
    free(v2);
}

Test(diff_options, malformed_suppressions_name_the_line, .timeout = 120)
{
    expect_malformed("# rules\n"
                     "kind=fn-removed\n"
                     "sybmol=foo_*\n",
                     3);
    expect_malformed("\n"
                     "type=\"struct ctx\n",
                     2);
    expect_malformed("kind=fn-removed kind=fn-added\n", 1);
    expect_malformed("# only a comment\n"
                     "just-a-word\n",
                     2);
}

Test(diff_options, missing_suppressions_file_is_an_error, .timeout = 60)
{
    char *v1 = case_lib("fn_removed", "v1"), *v2 = case_lib("fn_removed", "v2");
    tool_run r;
    cr_assert(run_abiguard(&r, "diff", "--suppressions", "/nonexistent/rules.supp", v1, v2, (char *)NULL));
    cr_expect(r.exited && r.exit_status == 1 && count_lines(r.err) == 1,
              "missing suppressions file: %s, %zu stderr lines; expected exit 1 and one line:\n%s",
              tool_run_outcome(&r), count_lines(r.err), r.err);
    tool_run_free(&r);
    free(v1);
    free(v2);
}

/* ------------------------------------------------------------------ */
/* Corpus JSON on either side                                          */

static char *extract_to(const char *dir, const char *lib, const char *name)
{
    char *out = path_join2(dir, name);
    tool_run r;
    cr_assert(run_abiguard(&r, "extract", lib, "-o", out, (char *)NULL));
    cr_assert(r.exited && r.exit_status == 0, "abiguard extract %s: %s; stderr:\n%s", lib, tool_run_outcome(&r),
              r.err);
    tool_run_free(&r);
    return out;
}

/* The diff's changes and counts, without the side labels. */
static bool same_changes(const diff_result *a, const diff_result *b)
{
    return json_equal(json_object_get(a->root, "changes"), json_object_get(b->root, "changes")) &&
           json_equal(json_object_get(a->root, "counts"), json_object_get(b->root, "counts")) &&
           json_equal(json_object_get(a->root, "verdict"), json_object_get(b->root, "verdict"));
}

Test(diff_fixtures, corpus_json_inputs_give_the_same_diff, .timeout = 900)
{
    diff_case *cases;
    size_t n = load_expected(&cases, plain_malloc);
    cr_assert(n > 0, "cannot read $FIXTURES/diff/expected.txt");
    char *dir = make_temp_dir();
    problem_list p = { 0 };
    for (size_t ci = 0; ci < n; ci++) {
        const diff_case *c = &cases[ci];
        char *v1 = case_lib(c->name, "v1"), *v2 = case_lib(c->name, "v2");
        char n1[128], n2[128];
        snprintf(n1, sizeof n1, "%s-v1.json", c->name);
        snprintf(n2, sizeof n2, "%s-v2.json", c->name);
        char *j1 = extract_to(dir, v1, n1), *j2 = extract_to(dir, v2, n2);

        diff_result so, json, mixed;
        run_diff(&so, v1, v2, NULL);
        run_diff(&json, j1, j2, NULL);
        run_diff(&mixed, j1, v2, NULL);
        /* Compared with the .so-to-.so diff, not with expected.txt: where the
           engine disagrees with expected.txt, each_case says so once. */
        const diff_result *other[] = { &json, &mixed };
        const char *how[] = { "corpus JSON on both sides", "corpus JSON old, .so new" };
        for (size_t k = 0; k < 2; k++) {
            if (!so.root || !other[k]->root) {
                problem_add(&p, "%s (%s): %s / %s, no JSON; stderr: %.300s", c->name, how[k],
                            tool_run_outcome(&so.run), tool_run_outcome(&other[k]->run), other[k]->run.err);
                continue;
            }
            if (so.run.exit_status != other[k]->run.exit_status)
                problem_add(&p, "%s (%s): exit %d, but %d from the .so files", c->name, how[k],
                            other[k]->run.exit_status, so.run.exit_status);
            if (!same_changes(&so, other[k]))
                problem_add(&p, "%s (%s): verdict %s {%s}, but %s {%s} from the .so files (or other details differ)",
                            c->name, how[k], other[k]->verdict, other[k]->ids, so.verdict, so.ids);
        }
        diff_result_free(&so);
        diff_result_free(&json);
        diff_result_free(&mixed);
        free(v1);
        free(v2);
        free(j1);
        free(j2);
    }
    remove_tree(dir);
    free(dir);
    free(cases);
    problem_assert_none(&p, "corpus JSON inputs");
}
