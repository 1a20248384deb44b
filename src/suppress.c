/*
 * suppress.c — reading suppression files and applying their rules to a
 * diff (format and matching rules: suppress.h). A malformed file is refused
 * as a whole, with the line that is wrong: a rule silently ignored would
 * let a breaking change through, or hide one the user meant to accept.
 */
#include "suppress.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

typedef struct rule_list {
    ag_suppression *v;
    size_t n, cap;
} rule_list;

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

static const char *skip_blanks(const char *p)
{
    while (is_blank(*p))
        p++;
    return p;
}

/* The rule field a key names, or NULL for an unknown key. */
static char **field_of(ag_suppression *r, const char *key, size_t len)
{
    static const struct { const char *name; size_t offset; } keys[] = {
        { "symbol", offsetof(ag_suppression, symbol_glob) },
        { "type", offsetof(ag_suppression, type_name) },
        { "kind", offsetof(ag_suppression, kind_id) },
        { "source", offsetof(ag_suppression, source_glob) },
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strlen(keys[i].name) == len && memcmp(keys[i].name, key, len) == 0)
            return (char **)((char *)r + keys[i].offset);
    return NULL;
}

/* A double-quoted value starting at *p (on the quote); \" and \\ escape. */
static ag_status parse_quoted(const char **p, unsigned line, char **out, ag_error *err)
{
    const char *s = *p + 1;
    char *v = malloc(strlen(s) + 1);
    if (!v)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (; *s && *s != '"'; s++) {
        if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
            s++;
        v[n++] = *s;
    }
    v[n] = '\0';
    if (*s != '"') {
        free(v);
        return ag_fail(err, AG_ERR_FORMAT, "line %u: unterminated quote", line);
    }
    s++;
    if (*s && !is_blank(*s) && *s != '#') {
        free(v);
        return ag_fail(err, AG_ERR_FORMAT, "line %u: expected a space after the closing quote", line);
    }
    *p = s;
    *out = v;
    return AG_OK;
}

/* A value at *p: quoted, or a run of non-blank characters. */
static ag_status parse_value(const char **p, unsigned line, char **out, ag_error *err)
{
    if (**p == '"')
        return parse_quoted(p, line, out, err);
    const char *s = *p;
    size_t len = 0;
    while (s[len] && !is_blank(s[len]))
        len++;
    *out = strndup(s, len);
    if (!*out)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    *p = s + len;
    return AG_OK;
}

/* One key=value field at *p, stored into r. */
static ag_status parse_field(const char **p, unsigned line, ag_suppression *r, ag_error *err)
{
    const char *key = *p;
    size_t klen = 0;
    while (key[klen] && key[klen] != '=' && !is_blank(key[klen]))
        klen++;
    if (key[klen] != '=')
        return ag_fail(err, AG_ERR_FORMAT, "line %u: expected key=value, got '%.*s'",
                       line, (int)(klen > 60 ? 60 : klen), key);
    char **field = field_of(r, key, klen);
    if (!field)
        return ag_fail(err, AG_ERR_FORMAT, "line %u: unknown key '%.*s'",
                       line, (int)(klen > 60 ? 60 : klen), key);
    if (*field)
        return ag_fail(err, AG_ERR_FORMAT, "line %u: key '%.*s' given twice", line, (int)klen, key);
    *p = key + klen + 1;
    char *value = NULL;
    ag_status st = parse_value(p, line, &value, err);
    if (st != AG_OK)
        return st;
    *field = value;
    if (value[0] == '\0')
        return ag_fail(err, AG_ERR_FORMAT, "line %u: empty value for '%.*s'", line, (int)klen, key);
    if (field == &r->kind_id && ag_change_kind_from_id(value) < 0)
        return ag_fail(err, AG_ERR_FORMAT, "line %u: unknown change kind '%.200s'", line, value);
    return AG_OK;
}

static void rule_free(ag_suppression *r)
{
    free(r->symbol_glob);
    free(r->type_name);
    free(r->kind_id);
    free(r->source_glob);
}

/* Parses one line (NUL-terminated, no newline). *is_rule says whether it
   held a rule rather than only blanks or a comment. */
static ag_status parse_line(const char *s, unsigned line, ag_suppression *r, bool *is_rule,
                            ag_error *err)
{
    memset(r, 0, sizeof *r);
    r->line = line;
    *is_rule = false;
    for (const char *p = skip_blanks(s); *p && *p != '#'; p = skip_blanks(p)) {
        ag_status st = parse_field(&p, line, r, err);
        if (st != AG_OK) {
            rule_free(r);
            return st;
        }
        *is_rule = true;
    }
    return AG_OK;
}

static ag_status push_rule(rule_list *list, const ag_suppression *r, ag_error *err)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 8;
        ag_suppression *v = realloc(list->v, cap * sizeof *v);
        if (!v)
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
        list->v = v;
        list->cap = cap;
    }
    list->v[list->n++] = *r;
    return AG_OK;
}

/* Parses the line [start, end) into list, if it holds a rule. */
static ag_status parse_one(const char *start, size_t len, unsigned line, rule_list *list,
                           ag_error *err)
{
    char *copy = strndup(start, len);
    if (!copy)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    ag_suppression r;
    bool is_rule = false;
    ag_status st = parse_line(copy, line, &r, &is_rule, err);
    free(copy);
    if (st == AG_OK && is_rule) {
        st = push_rule(list, &r, err);
        if (st != AG_OK)
            rule_free(&r);
    }
    return st;
}

ag_status ag_suppressions_parse(const char *text, ag_suppression **out, size_t *n, ag_error *err)
{
    rule_list list = { 0 };
    ag_status st = AG_OK;
    unsigned line = 1;
    for (const char *p = text; st == AG_OK && *p; line++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        st = parse_one(p, len, line, &list, err);
        p += len + (nl ? 1 : 0);
    }
    if (st != AG_OK) {
        ag_suppressions_free(list.v, list.n);
        return st;
    }
    *out = list.v;
    *n = list.n;
    return AG_OK;
}

/* Reads a whole file into a NUL-terminated buffer. */
static ag_status slurp(const char *path, char **out, ag_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ag_fail(err, AG_ERR_IO, "cannot open: %s", strerror(errno));
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len - 1, f);
        if (len < cap - 1)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger)
            free(buf);
        buf = bigger;
        cap *= 2;
    }
    int read_errno = ferror(f) ? errno : 0;
    fclose(f);
    if (!buf)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    if (read_errno) {
        free(buf);
        return ag_fail(err, AG_ERR_IO, "cannot read: %s", strerror(read_errno));
    }
    buf[len] = '\0';
    *out = buf;
    return AG_OK;
}

ag_status ag_suppressions_read(const char *path, ag_suppression **out, size_t *n, ag_error *err)
{
    char *text = NULL;
    ag_status st = slurp(path, &text, err);
    if (st != AG_OK)
        return st;
    st = ag_suppressions_parse(text, out, n, err);
    free(text);
    return st;
}

void ag_suppressions_free(ag_suppression *rules, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rule_free(&rules[i]);
    free(rules);
}

/* ------------------------------------------------------------------ */
/* Matching                                                            */

/* Changes whose subject is one symbol's name (possibly "name()" or
   "name@VERSION"), as opposed to a type, the SONAME or a version node. */
static bool subject_is_symbol(const ag_change *c)
{
    const ag_change_kind_info *info = ag_change_kind_info_of(c->kind);
    if (!info || !c->subject)
        return false;
    if (c->kind == AG_CK_SONAME_CHANGED || c->kind == AG_CK_VERSION_NODE_REMOVED ||
        c->kind == AG_CK_VERSION_NODE_ADDED)
        return false;
    return info->area == AG_AREA_SYMBOLS || info->area == AG_AREA_FUNCTIONS;
}

bool ag_change_subject_symbol(const ag_change *c, char *buf, size_t len)
{
    if (c->n_impacts != 0 || !subject_is_symbol(c))
        return false;
    size_t n = strcspn(c->subject, "@(");
    if (n >= len)
        return false;
    memcpy(buf, c->subject, n);
    buf[n] = '\0';
    return true;
}

static bool symbol_matches(const char *glob, const ag_change *c)
{
    for (size_t i = 0; i < c->n_impacts; i++)
        if (c->impacts[i].interface && fnmatch(glob, c->impacts[i].interface, 0) == 0)
            return true;
    char name[1024];
    return ag_change_subject_symbol(c, name, sizeof name) && fnmatch(glob, name, 0) == 0;
}

static bool type_matches(const char *name, const char *subject)
{
    if (!subject)
        return false;
    size_t len = strlen(name);
    if (strncmp(subject, name, len) != 0)
        return false;
    return subject[len] == '\0' || strncmp(subject + len, "::", 2) == 0;
}

static bool kind_matches(const char *id, ag_change_kind kind)
{
    const ag_change_kind_info *info = ag_change_kind_info_of(kind);
    return info && strcmp(info->id, id) == 0;
}

bool ag_suppression_matches(const ag_suppression *rule, const ag_change *c)
{
    if (rule->symbol_glob && !symbol_matches(rule->symbol_glob, c))
        return false;
    if (rule->type_name && !type_matches(rule->type_name, c->subject))
        return false;
    if (rule->kind_id && !kind_matches(rule->kind_id, c->kind))
        return false;
    if (rule->source_glob && (!c->decl_file || fnmatch(rule->source_glob, c->decl_file, 0) != 0))
        return false;
    /* A rule with no field at all cannot come from a file; refuse to let it
       suppress everything if one is built by hand. */
    return rule->symbol_glob || rule->type_name || rule->kind_id || rule->source_glob;
}

void ag_diff_apply_suppressions(ag_diff *d, const ag_suppression *rules, size_t n)
{
    memset(d->counts, 0, sizeof d->counts);
    d->n_suppressed = 0;
    for (size_t i = 0; i < d->n_changes; i++) {
        ag_change *c = &d->changes[i];
        for (size_t r = 0; r < n && !c->suppressed; r++)
            c->suppressed = ag_suppression_matches(&rules[r], c);
        if (c->suppressed)
            d->n_suppressed++;
        else if ((unsigned)c->verdict < AG_VERDICT__COUNT)
            d->counts[c->verdict]++;
    }
}
