/*
 * test_realworld.c — the real-world regression suite (tests/realworld/): for
 * every consecutive release pair in expected.tsv, runs the built
 * `abiguard diff --format json OLD.json NEW.json` on the committed corpora
 * and checks it against what a person adjudicated:
 *   (a) the overall verdict is the adjudicated one;
 *   (b) every change expected.tsv names as breaking is reported, with that
 *       kind and subject;
 *   (c) no change is reported inside a type private.tsv marks private (its
 *       definition is in no installed header): subject `struct x` or
 *       `struct x::member`.
 * One parameterized test per pair, so each pair passes or fails on its own and
 * its message says library, pair and everything that differs. A second test
 * checks the data itself (every release has a corpus, the pairs chain).
 *
 * $REALWORLD_DIR is the directory of the data (default tests/realworld);
 * $ABIGUARD the binary. Run by `make check` and, alone, by
 * `make realworld-check` (see tests/realworld/README.md).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../integration/tool_run.h"

#define FIELD_MAX 64
#define BREAKS_MAX 2048

/* One line of expected.tsv. Fixed-size fields: Criterion copies parameters
   into memory shared with the test processes, so they hold no pointers. */
typedef struct rw_pair {
    int line;
    char library[FIELD_MAX];
    char old_version[FIELD_MAX];
    char new_version[FIELD_MAX];
    char verdict[FIELD_MAX];
    char breaks[BREAKS_MAX]; /* "kind subject; kind subject" or "-" */
} rw_pair;

static const char *realworld_dir(void)
{
    const char *d = getenv("REALWORLD_DIR");
    return d && *d ? d : "tests/realworld";
}

static char *data_path(const char *name)
{
    return path_join2(realworld_dir(), name);
}

/* Splits a tab-separated line in place into at most max fields; returns the
   number of fields. A trailing '\r' or '\n' is dropped. */
static size_t split_tabs(char *line, char **fields, size_t max)
{
    line[strcspn(line, "\r\n")] = '\0';
    size_t n = 0;
    char *p = line;
    while (n < max) {
        fields[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

/* The next line of a buffer being cut into lines in place (NULL at the end);
   *cursor moves past it. Unlike strtok_r, empty lines are returned, so line
   numbers stay true. */
static char *next_line(char **cursor)
{
    char *line = *cursor;
    if (!line || !*line)
        return NULL;
    char *nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        *cursor = nl + 1;
    } else {
        *cursor = line + strlen(line);
    }
    return line;
}

static bool skip_line(const char *line)
{
    return line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0';
}

static bool copy_field(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

/* Reads expected.tsv into a cr_malloc'd array (for_params: the parameterized
   test's parameters) or a malloc'd one (inside a test). A malformed line
   becomes a pair whose verdict is "?" and whose library names the problem, so
   the test reports it instead of silently skipping it. */
static rw_pair *read_pairs(size_t *count, bool for_params)
{
    *count = 0;
    char *path = data_path("expected.tsv");
    size_t len = 0;
    char *text = read_whole_file(path, &len);
    free(path);
    if (!text)
        return NULL;
    size_t cap = 1;
    for (const char *c = text; *c; c++)
        cap += *c == '\n';
    rw_pair *pairs = for_params ? cr_malloc(cap * sizeof *pairs) : malloc(cap * sizeof *pairs);
    if (!pairs) {
        free(text);
        return NULL;
    }
    size_t n = 0;
    int lineno = 0;
    char *cursor = text;
    for (char *line; (line = next_line(&cursor));) {
        lineno++;
        if (skip_line(line))
            continue;
        char *f[7];
        size_t nf = split_tabs(line, f, 7);
        rw_pair *p = &pairs[n++];
        memset(p, 0, sizeof *p);
        p->line = lineno;
        if (nf != 6 || !copy_field(p->library, sizeof p->library, f[0]) ||
            !copy_field(p->old_version, sizeof p->old_version, f[1]) ||
            !copy_field(p->new_version, sizeof p->new_version, f[2]) ||
            !copy_field(p->verdict, sizeof p->verdict, f[3]) || !copy_field(p->breaks, sizeof p->breaks, f[4])) {
            snprintf(p->library, sizeof p->library, "(malformed line: %zu fields)", nf);
            strcpy(p->verdict, "?");
        }
    }
    free(text);
    *count = n;
    return pairs;
}

static void free_pairs(struct criterion_test_params *crp)
{
    cr_free(crp->params);
}

/* Private types of one library from private.tsv: a malloc'd NULL-terminated
   array of malloc'd names. */
static char **read_private_types(const char *library)
{
    char *path = data_path("private.tsv");
    char *text = read_whole_file(path, NULL);
    free(path);
    size_t n = 0;
    char **types = calloc(1, sizeof *types);
    cr_assert(types);
    if (!text)
        return types;
    char *cursor = text;
    for (char *line; (line = next_line(&cursor));) {
        if (skip_line(line))
            continue;
        char *f[3];
        if (split_tabs(line, f, 3) != 2 || strcmp(f[0], library) != 0)
            continue;
        char **grown = realloc(types, (n + 2) * sizeof *types);
        cr_assert(grown);
        types = grown;
        types[n] = strdup(f[1]);
        cr_assert(types[n]);
        types[++n] = NULL;
    }
    free(text);
    return types;
}

static void free_strings(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

/* The private type a change subject lies in ("struct x" or "struct x::m"), or
   NULL. */
static const char *private_type_of(char *const *types, const char *subject)
{
    for (size_t i = 0; types[i]; i++) {
        size_t n = strlen(types[i]);
        if (strncmp(subject, types[i], n) == 0 && (subject[n] == '\0' || strncmp(subject + n, "::", 2) == 0))
            return types[i];
    }
    return NULL;
}

static const char *json_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

static bool reported(const json_t *changes, const char *kind, const char *subject)
{
    size_t i;
    const json_t *c;
    json_array_foreach(changes, i, c) {
        if (strcmp(json_str(c, "id"), kind) == 0 && strcmp(json_str(c, "subject"), subject) == 0)
            return true;
    }
    return false;
}

/* "kind subject, kind subject, ... and N more": the reported changes of one
   verdict, to say what made abiguard's verdict when it is wrong. */
static void list_changes(char *buf, size_t cap, const json_t *changes, const char *verdict)
{
    size_t i, total = 0, used = 0;
    const json_t *c;
    buf[0] = '\0';
    json_array_foreach(changes, i, c) {
        if (strcmp(json_str(c, "verdict"), verdict) != 0)
            continue;
        if (++total > 5)
            continue;
        int n = snprintf(buf + used, cap - used, "%s%s %s", total > 1 ? ", " : "", json_str(c, "id"),
                         json_str(c, "subject"));
        if (n < 0 || (size_t)n >= cap - used)
            break;
        used += (size_t)n;
    }
    if (total > 5 && used < cap)
        snprintf(buf + used, cap - used, " ... and %zu more", total - 5);
}

ParameterizedTestParameters(realworld, pair)
{
    size_t n = 0;
    rw_pair *pairs = read_pairs(&n, true);
    return cr_make_param_array(rw_pair, pairs, n, free_pairs);
}

ParameterizedTest(rw_pair *pair, realworld, pair, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char what[4 * FIELD_MAX + 32];
    snprintf(what, sizeof what, "%s %s -> %s (expected.tsv line %d)", pair->library, pair->old_version,
             pair->new_version, pair->line);
    cr_assert(strcmp(pair->verdict, "?") != 0, "expected.tsv line %d: %s: want 6 tab-separated fields", pair->line,
              pair->library);

    char *libdir = data_path(pair->library);
    char old_name[FIELD_MAX + 8], new_name[FIELD_MAX + 8];
    snprintf(old_name, sizeof old_name, "%s.json", pair->old_version);
    snprintf(new_name, sizeof new_name, "%s.json", pair->new_version);
    char *old_json = path_join2(libdir, old_name);
    char *new_json = path_join2(libdir, new_name);
    free(libdir);
    cr_assert(file_exists(old_json), "%s: corpus %s is missing", what, old_json);
    cr_assert(file_exists(new_json), "%s: corpus %s is missing", what, new_json);

    tool_run r;
    cr_assert(run_abiguard(&r, "diff", "--format", "json", old_json, new_json, (char *)NULL));
    cr_assert(r.exited && (r.exit_status == 0 || r.exit_status == 4 || r.exit_status == 12),
              "%s: abiguard diff: %s; stderr:\n%s", what, tool_run_outcome(&r), r.err);
    json_error_t jerr;
    json_t *root = json_loadb(r.out, r.out_len, 0, &jerr);
    cr_assert(root, "%s: abiguard diff output is not JSON (%s)", what, jerr.text);
    const json_t *changes = json_object_get(root, "changes");
    cr_assert(json_is_array(changes), "%s: diff JSON has no changes array", what);

    problem_list problems = { 0 };

    /* (a) the adjudicated verdict */
    const char *verdict = json_str(root, "verdict");
    if (strcmp(verdict, pair->verdict) != 0) {
        char listed[768];
        list_changes(listed, sizeof listed, changes, verdict);
        problem_add(&problems, "verdict: abiguard says %s, adjudicated %s%s%s", verdict, pair->verdict,
                    listed[0] ? "; its changes at that verdict: " : "", listed);
    }

    /* (b) the changes that break are reported */
    if (strcmp(pair->breaks, "-") != 0) {
        char breaks[BREAKS_MAX];
        memcpy(breaks, pair->breaks, sizeof breaks);
        for (char *save = NULL, *item = strtok_r(breaks, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
            item += strspn(item, " ");
            char *sp = strchr(item, ' ');
            if (!sp) {
                problem_add(&problems, "breaking-change '%s' is not '<kind-id> <subject>'", item);
                continue;
            }
            *sp = '\0';
            const char *subject = sp + 1;
            if (!reported(changes, item, subject))
                problem_add(&problems, "breaking change not reported: %s %s", item, subject);
        }
    }

    /* (c) nothing inside a private type */
    char **private_types = read_private_types(pair->library);
    size_t i;
    const json_t *c;
    json_array_foreach(changes, i, c) {
        const char *type = private_type_of(private_types, json_str(c, "subject"));
        if (type)
            problem_add(&problems, "change in private type %s: %s %s (%s)", type, json_str(c, "id"),
                        json_str(c, "subject"), json_str(c, "verdict"));
    }
    free_strings(private_types);

    problem_assert_none(&problems, what);
    json_decref(root);
    tool_run_free(&r);
    free(old_json);
    free(new_json);
}

/* The data is consistent: releases.tsv lists each release once with a
   corpus, expected.tsv's pairs chain through consecutive releases of
   releases.tsv, and every verdict is one of the six. */
Test(realworld, data_is_consistent)
{
    problem_list problems = { 0 };
    char *path = data_path("releases.tsv");
    char *text = read_whole_file(path, NULL);
    cr_assert(text, "cannot read %s", path);
    free(path);

    /* releases in file order: "library\tversion" */
    size_t nrel = 0;
    char **rel = NULL;
    int lineno = 0;
    char *cursor = text;
    for (char *line; (line = next_line(&cursor));) {
        lineno++;
        if (skip_line(line))
            continue;
        char *f[5];
        if (split_tabs(line, f, 5) != 4) {
            problem_add(&problems, "releases.tsv line %d: want 4 tab-separated fields", lineno);
            continue;
        }
        char key[2 * FIELD_MAX + 2];
        snprintf(key, sizeof key, "%s\t%s", f[0], f[1]);
        for (size_t k = 0; k < nrel; k++)
            if (strcmp(rel[k], key) == 0)
                problem_add(&problems, "releases.tsv line %d: %s %s listed twice", lineno, f[0], f[1]);
        char **grown = realloc(rel, (nrel + 1) * sizeof *rel);
        cr_assert(grown);
        rel = grown;
        rel[nrel++] = strdup(key);
        char rel_json[2 * FIELD_MAX + 8];
        snprintf(rel_json, sizeof rel_json, "%s/%s.json", f[0], f[1]);
        char *corpus = data_path(rel_json);
        if (!file_exists(corpus))
            problem_add(&problems, "releases.tsv line %d: no corpus %s", lineno, corpus);
        free(corpus);
    }
    free(text);
    cr_assert(nrel > 0, "releases.tsv lists no release");

    size_t npairs = 0;
    rw_pair *pairs = read_pairs(&npairs, false);
    cr_assert(pairs && npairs > 0, "expected.tsv lists no pair");
    static const char *const verdicts[] = { "none", "harmless", "compatible", "risky", "api-break", "breaking" };
    for (size_t i = 0; i < npairs; i++) {
        const rw_pair *p = &pairs[i];
        bool known = false;
        for (size_t v = 0; v < sizeof verdicts / sizeof *verdicts; v++)
            known |= strcmp(p->verdict, verdicts[v]) == 0;
        if (!known)
            problem_add(&problems, "expected.tsv line %d: verdict '%s' is not one of none, harmless, compatible, "
                        "risky, api-break, breaking", p->line, p->verdict);
        if (strcmp(p->verdict, "breaking") == 0 && strcmp(p->breaks, "-") == 0)
            problem_add(&problems, "expected.tsv line %d: %s %s -> %s is breaking but names no breaking change",
                        p->line, p->library, p->old_version, p->new_version);
        char old_key[2 * FIELD_MAX + 2], new_key[2 * FIELD_MAX + 2];
        snprintf(old_key, sizeof old_key, "%s\t%s", p->library, p->old_version);
        snprintf(new_key, sizeof new_key, "%s\t%s", p->library, p->new_version);
        size_t io = nrel, in = nrel;
        for (size_t k = 0; k < nrel; k++) {
            if (strcmp(rel[k], old_key) == 0)
                io = k;
            if (strcmp(rel[k], new_key) == 0)
                in = k;
        }
        if (io == nrel || in == nrel)
            problem_add(&problems, "expected.tsv line %d: %s %s -> %s: release not in releases.tsv", p->line,
                        p->library, p->old_version, p->new_version);
        else if (in != io + 1)
            problem_add(&problems, "expected.tsv line %d: %s %s -> %s: not consecutive in releases.tsv", p->line,
                        p->library, p->old_version, p->new_version);
    }
    /* every consecutive pair of one library is adjudicated */
    for (size_t k = 0; k + 1 < nrel; k++) {
        size_t la = strcspn(rel[k], "\t"), lb = strcspn(rel[k + 1], "\t");
        if (la != lb || strncmp(rel[k], rel[k + 1], la) != 0)
            continue;
        bool found = false;
        for (size_t i = 0; i < npairs && !found; i++) {
            char key[2 * FIELD_MAX + 2];
            snprintf(key, sizeof key, "%s\t%s", pairs[i].library, pairs[i].old_version);
            found = strcmp(key, rel[k]) == 0;
        }
        if (!found)
            problem_add(&problems, "releases.tsv: %s -> %s has no line in expected.tsv", rel[k], rel[k + 1] + la + 1);
    }
    free(pairs);
    for (size_t k = 0; k < nrel; k++)
        free(rel[k]);
    free(rel);
    problem_assert_none(&problems, "tests/realworld data");
}
