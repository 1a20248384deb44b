/*
 * test_oracles.c — abiguard against the reference tools, on real libraries
 * with Debian's detached debug info (libc6-dbg, libgsl-dbg):
 *   - pahole (-a: "struct NAME" and "typedef struct {...} NAME"): for every
 *     struct both report, the size and every member's offset (and bit-field
 *     position and width) agree, inline anonymous members included. Names
 *     that pahole prints with more than one layout (C allows different
 *     structs of one name in different translation units) are skipped and
 *     counted.
 *   - abidw: the exported functions and variables that carry DWARF are the
 *     same sets abidw reports: its decls' elf-symbol-ids, together with the
 *     aliases its symbol table gives for them and the defined symbols whose
 *     decl it left unlinked (see abidw_read). The literal elf-symbol-id
 *     comparison is printed too.
 * Each test prints how much it compared. Nothing here asserts timing.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus_view.h"
#include "tool_run.h"

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"
#define LIBGSL "/usr/lib/x86_64-linux-gnu/libgsl.so.27"
#define SYSTEM_DEBUG_DIR "/usr/lib/debug"
#define ORACLE_TIMEOUT_SECONDS 300.0

/* ------------------------------------------------------------------ */
/* Shared                                                              */

static void run_ok(const char *const argv[], tool_run *r)
{
    cr_assert(tool_run_argv(argv, ORACLE_TIMEOUT_SECONDS, r), "cannot start %s", argv[0]);
    cr_assert(r->exited && r->exit_status == 0, "%s %s: %s; stderr:\n%.2000s", argv[0], argv[1] ? argv[1] : "",
              tool_run_outcome(r), r->err);
}

/* The build-id from `readelf -n`, and the debug file Debian's -dbg
   package installs for it. */
static char *system_debug_file(const char *lib)
{
    const char *argv[] = { "/usr/bin/readelf", "-n", lib, NULL };
    tool_run r;
    run_ok(argv, &r);
    const char *p = strstr(r.out, "Build ID: ");
    cr_assert(p, "%s has no build-id note", lib);
    p += strlen("Build ID: ");
    size_t n = strspn(p, "0123456789abcdef");
    cr_assert(n > 2, "%s: unreadable build-id", lib);
    char *path = NULL;
    cr_assert(asprintf(&path, "%s/.build-id/%.2s/%.*s.debug", SYSTEM_DEBUG_DIR, p, (int)(n - 2), p + 2) > 0);
    tool_run_free(&r);
    cr_assert(file_exists(path), "%s: debug file %s missing (install the -dbg package: make deps)", lib, path);
    return path;
}

static void extract_real(const char *lib, corpus_view *v)
{
    tool_run r;
    cr_assert(tool_run_argv((const char *const[]){ abiguard_binary(), "extract", lib, NULL }, ORACLE_TIMEOUT_SECONDS,
                            &r));
    cr_assert(r.exited && r.exit_status == 0, "abiguard extract %s: %s; stderr:\n%.2000s", lib, tool_run_outcome(&r),
              r.err);
    corpus_view_parse(v, r.out, r.out_len);
    tool_run_free(&r);
    cr_assert(json_is_true(corpus_field(v, "debug_info")), "%s: abiguard found no debug info", lib);
}

/* ------------------------------------------------------------------ */
/* pahole                                                              */

typedef struct ph_member {
    char *name;             /* "" for an anonymous member */
    uint64_t bit_offset;    /* absolute, from the start of the outermost struct */
    uint32_t bit_size;      /* 0 unless a bit-field */
    struct ph_member *children; /* an anonymous struct/union pahole expands inline */
    size_t n_children;
    bool nested;
} ph_member;

typedef struct ph_struct {
    const char *kind;       /* "struct" (struct NAME {...}) or "typedef" (typedef struct {...} NAME) */
    char *name;
    uint64_t size;
    ph_member *members;
    size_t n_members;
} ph_struct;

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* The declared name in "type name[2][3]", "type name:3", "ret (*name)(args)",
   "} name", "}" (anonymous: ""). */
static char *declared_name(const char *decl_with_attributes)
{
    /* "name __attribute__((__aligned__(32)))": the attribute is not the name. */
    char *decl = strdup(decl_with_attributes);
    char *attr = strstr(decl, "__attribute__");
    if (attr)
        *attr = '\0';
    char *name = NULL;
    const char *fp = strstr(decl, "(*");
    const char *start, *end;
    if (fp) {
        start = fp + 2;
        end = start + strspn(start, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
    } else {
        end = decl + strlen(decl);
        const char *colon = strrchr(decl, ':');
        if (colon)
            end = colon;
        while (end > decl && (end[-1] == ' '))
            end--;
        while (end > decl && end[-1] == ']') {
            while (end > decl && end[-1] != '[')
                end--;
            if (end > decl)
                end--;
        }
        start = end;
        while (start > decl && (start[-1] == '_' || (start[-1] >= 'a' && start[-1] <= 'z') ||
                                (start[-1] >= 'A' && start[-1] <= 'Z') || (start[-1] >= '0' && start[-1] <= '9')))
            start--;
    }
    name = strndup(start, (size_t)(end - start));
    free(decl);
    return name;
}

/* The width of a bit-field declaration ("type name:3"), 0 if none. */
static uint32_t declared_bit_size(const char *decl)
{
    if (strstr(decl, "(*"))
        return 0;
    char *copy = strdup(decl);
    char *attr = strstr(copy, "__attribute__");
    if (attr)
        *attr = '\0';
    char *colon = strrchr(copy, ':');
    uint32_t bits = colon ? (uint32_t)strtoul(colon + 1, NULL, 10) : 0;
    free(copy);
    return bits;
}

/* Parses pahole's offset comment after a member: "OFF SIZE" or, for a
   bit-field, "OFF:BIT SIZE" between comment delimiters. */
static bool parse_offset_comment(const char *comment, uint64_t *bit_offset)
{
    unsigned long long byte_off, bit = 0;
    int used = 0;
    if (sscanf(comment, "/* %llu%n", &byte_off, &used) != 1)
        return false;
    const char *rest = comment + used;
    if (*rest == ':' && sscanf(rest + 1, "%llu", &bit) != 1)
        return false;
    *bit_offset = byte_off * 8 + bit;
    return true;
}

static void ph_members_free(ph_member *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(m[i].name);
        ph_members_free(m[i].children, m[i].n_children);
    }
    free(m);
}

/* Parses member lines up to the closing "}" of the current block; *i is
   left on that closing line. */
static void parse_block(char **lines, size_t n_lines, size_t *i, ph_member **out, size_t *n_out, uint64_t *size)
{
    ph_member *members = NULL;
    size_t n = 0;
    for (; *i < n_lines; (*i)++) {
        char *line = trim(lines[*i]);
        if (line[0] == '}')
            break;
        if (strncmp(line, "/* size: ", 9) == 0) {
            unsigned long long s;
            if (size && sscanf(line, "/* size: %llu", &s) == 1)
                *size = s;
            continue;
        }
        if (line[0] == '\0' || strncmp(line, "/*", 2) == 0)
            continue;
        size_t len = strlen(line);
        if (len && line[len - 1] == '{') {
            /* An anonymous struct/union expanded inline. */
            ph_member m = { 0 };
            (*i)++;
            parse_block(lines, n_lines, i, &m.children, &m.n_children, NULL);
            if (*i >= n_lines)
                break;
            char *close = trim(lines[*i]); /* "} name;" or "};", then the offset comment */
            char *comment = strstr(close, "/*");
            char *semi = strchr(close, ';');
            if (!comment || !semi) {
                ph_members_free(m.children, m.n_children);
                continue;
            }
            *semi = '\0';
            m.name = declared_name(close + 1);
            m.bit_size = declared_bit_size(close + 1);
            m.nested = true;
            parse_offset_comment(comment, &m.bit_offset);
            members = realloc(members, (n + 1) * sizeof *members);
            members[n++] = m;
            continue;
        }
        char *comment = strstr(line, "/*");
        char *semi = strchr(line, ';');
        if (!comment || !semi || semi > comment)
            continue; /* pahole's synthetic "type :0;" alignment lines carry no offset */
        ph_member m = { 0 };
        *semi = '\0';
        m.bit_size = declared_bit_size(line);
        m.name = declared_name(line);
        if (!parse_offset_comment(comment, &m.bit_offset)) {
            free(m.name);
            continue;
        }
        members = realloc(members, (n + 1) * sizeof *members);
        members[n++] = m;
    }
    *out = members;
    *n_out = n;
}

/* Every "struct NAME {" and "typedef struct {...} NAME;" block pahole -a
   prints (unions and other kinds are skipped). */
static ph_struct *parse_pahole(char *text, size_t *n_structs)
{
    size_t n_lines = 0, cap = 1024;
    char **lines = malloc(cap * sizeof *lines);
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (n_lines == cap)
            lines = realloc(lines, (cap *= 2) * sizeof *lines);
        lines[n_lines++] = l;
    }
    ph_struct *structs = NULL;
    size_t n = 0;
    for (size_t i = 0; i < n_lines; i++) {
        char name[512];
        bool is_typedef = strcmp(lines[i], "typedef struct {") == 0;
        if (!is_typedef &&
            (sscanf(lines[i], "struct %511[A-Za-z0-9_] {", name) != 1 || lines[i][strlen(lines[i]) - 1] != '{'))
            continue;
        ph_struct s = { 0 };
        i++;
        parse_block(lines, n_lines, &i, &s.members, &s.n_members, &s.size);
        if (is_typedef) {
            /* The closing line names it: "} NAME;" */
            if (i >= n_lines || sscanf(lines[i], "} %511[A-Za-z0-9_];", name) != 1) {
                ph_members_free(s.members, s.n_members);
                continue;
            }
        }
        s.kind = is_typedef ? "typedef" : "struct";
        s.name = strdup(name);
        structs = realloc(structs, (n + 1) * sizeof *structs);
        structs[n++] = s;
    }
    free(lines);
    *n_structs = n;
    return structs;
}

static bool same_members(const ph_member *a, size_t na, const ph_member *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i].name, b[i].name) != 0 || a[i].bit_offset != b[i].bit_offset ||
            a[i].bit_size != b[i].bit_size || a[i].nested != b[i].nested ||
            !same_members(a[i].children, a[i].n_children, b[i].children, b[i].n_children))
            return false;
    return true;
}

static bool same_layout(const ph_struct *a, const ph_struct *b)
{
    return a->size == b->size && same_members(a->members, a->n_members, b->members, b->n_members);
}

/* abiguard's member list against pahole's, recursing into inline blocks.
   base: the absolute bit offset of the type whose members these are. */
static void compare_members(const corpus_view *v, const char *where, json_t *type, uint64_t base,
                            const ph_member *ph, size_t n_ph, problem_list *p)
{
    json_t *members = json_object_get(type, "members");
    if (json_array_size(members) != n_ph) {
        problem_add(p, "%s: pahole lists %zu members, abiguard %zu", where, n_ph, json_array_size(members));
        return;
    }
    for (size_t i = 0; i < n_ph; i++) {
        json_t *m = json_array_get(members, i);
        const char *name = json_string_value(json_object_get(m, "name"));
        if (strcmp(name ? name : "", ph[i].name) != 0) {
            problem_add(p, "%s: member %zu is \"%s\" in pahole, \"%s\" in abiguard", where, i, ph[i].name,
                        name ? name : "");
            continue;
        }
        uint64_t off = 0, bits = 0;
        json_u64_field(m, "bit_offset", &off);
        json_u64_field(m, "bit_size", &bits);
        if (base + off != ph[i].bit_offset)
            problem_add(p, "%s.%s: bit offset %" PRIu64 " in pahole, %" PRIu64 " in abiguard", where,
                        ph[i].name[0] ? ph[i].name : "(anonymous)", ph[i].bit_offset, base + off);
        if (bits != ph[i].bit_size)
            problem_add(p, "%s.%s: bit_size %u in pahole, %" PRIu64 " in abiguard", where,
                        ph[i].name[0] ? ph[i].name : "(anonymous)", ph[i].bit_size, bits);
        if (ph[i].nested) {
            json_t *inner = strip_typedefs_and_qualifiers(v, type_ref(v, m, "type"));
            const char *k = type_kind(inner);
            if (strcmp(k, "struct") == 0 || strcmp(k, "union") == 0) {
                char inner_where[1024];
                snprintf(inner_where, sizeof inner_where, "%s.%s", where,
                         ph[i].name[0] ? ph[i].name : "(anonymous)");
                compare_members(v, inner_where, inner, base + off, ph[i].children, ph[i].n_children, p);
            }
        }
    }
}

static void compare_with_pahole(const char *lib)
{
    char *debug_file = system_debug_file(lib);
    corpus_view v;
    extract_real(lib, &v);

    tool_run r;
    /* -a: include anonymous structs, i.e. "typedef struct {...} gsl_vector;". */
    run_ok((const char *const[]){ "/usr/bin/pahole", "-F", "dwarf", "-a", "--structs", debug_file, NULL }, &r);
    size_t n_structs;
    ph_struct *structs = parse_pahole(r.out, &n_structs);
    cr_assert_gt(n_structs, 100, "pahole printed only %zu structs for %s", n_structs, debug_file);

    size_t compared = 0, several_layouts = 0, several_in_abiguard = 0, not_in_corpus = 0, declaration_only = 0;
    problem_list p = { 0 };
    for (size_t i = 0; i < n_structs; i++) {
        /* Compare each name once, at its first occurrence, and only when
           every occurrence in pahole's output has the same layout. */
        bool first = true, one_layout = true;
        for (size_t j = 0; j < n_structs; j++) {
            if (j == i || strcmp(structs[i].kind, structs[j].kind) != 0 ||
                strcmp(structs[i].name, structs[j].name) != 0)
                continue;
            if (j < i)
                first = false;
            if (!same_layout(&structs[i], &structs[j]))
                one_layout = false;
        }
        if (!first)
            continue;
        if (!one_layout) {
            several_layouts++;
            continue;
        }
        json_t *t;
        size_t in_corpus = find_named_types(&v, structs[i].kind, structs[i].name, &t);
        if (in_corpus == 0) {
            not_in_corpus++;
            continue;
        }
        if (in_corpus > 1) {
            several_in_abiguard++;
            continue;
        }
        char where[600];
        snprintf(where, sizeof where, "%s %s", structs[i].kind, structs[i].name);
        if (strcmp(structs[i].kind, "typedef") == 0) {
            t = type_ref(&v, t, "target");
            if (strcmp(type_kind(t), "struct") != 0 || type_name(t)) {
                problem_add(&p, "%s: pahole shows a typedef of an anonymous struct, abiguard a typedef of %s %s",
                            where, type_kind(t), type_name(t) ? type_name(t) : "(anonymous)");
                continue;
            }
        }
        if (json_is_true(json_object_get(t, "declaration_only"))) {
            declaration_only++;
            continue;
        }
        uint64_t size = 0;
        json_u64_field(t, "size", &size);
        if (size != structs[i].size)
            problem_add(&p, "%s: size %" PRIu64 " in pahole, %" PRIu64 " in abiguard", where, structs[i].size, size);
        compare_members(&v, where, t, 0, structs[i].members, structs[i].n_members, &p);
        compared++;
    }
    fprintf(stderr,
            "oracle pahole %s: compared %zu structs (pahole printed %zu, typedef'd anonymous ones "
            "included; skipped: %zu names with several layouts in pahole, %zu with several in abiguard, %zu declaration-only in abiguard, %zu not reachable from "
            "the exported interface)\n",
            lib, compared, n_structs, several_layouts, several_in_abiguard, declaration_only, not_in_corpus);
    char what[256];
    snprintf(what, sizeof what, "%s: struct layouts against pahole (%zu compared)", lib, compared);
    problem_assert_none(&p, what);
    cr_assert_gt(compared, 50, "%s: only %zu structs compared with pahole", lib, compared);

    for (size_t i = 0; i < n_structs; i++) {
        free(structs[i].name);
        ph_members_free(structs[i].members, structs[i].n_members);
    }
    free(structs);
    tool_run_free(&r);
    corpus_view_free(&v);
    free(debug_file);
}

Test(oracle_pahole, libc_struct_layouts, .timeout = 600 * SANITIZER_SLOWDOWN)
{
    compare_with_pahole(LIBC);
}

Test(oracle_pahole, libgsl_struct_layouts, .timeout = 600 * SANITIZER_SLOWDOWN)
{
    compare_with_pahole(LIBGSL);
}

/* ------------------------------------------------------------------ */
/* abidw                                                               */

typedef struct name_set {
    char **names;
    size_t n, cap;
} name_set;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void name_set_add(name_set *s, const char *name, size_t len)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->names = realloc(s->names, s->cap * sizeof *s->names);
    }
    s->names[s->n++] = strndup(name, len);
}

/* Sorts and drops duplicates (one name exported at several versions). */
static void name_set_finish(name_set *s)
{
    if (s->n > 1)
        qsort(s->names, s->n, sizeof *s->names, cmp_str);
    size_t w = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (w > 0 && strcmp(s->names[w - 1], s->names[i]) == 0) {
            free(s->names[i]);
            continue;
        }
        s->names[w++] = s->names[i];
    }
    s->n = w;
}

static bool name_set_has(const name_set *s, const char *name)
{
    return s->n && bsearch(&name, s->names, s->n, sizeof *s->names, cmp_str) != NULL;
}

static void name_set_free(name_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->names[i]);
    free(s->names);
}

/* What abidw's XML says about one kind of interface (functions or
   variables). abidw writes one decl per function, linked to ONE of its ELF
   symbols (elf-symbol-id='fflush@@GLIBC_2.2.5'); the other names of that
   function (aliases: _IO_fflush) appear only in its symbol table, each with
   alias='...' naming the others. libabigail 2.2 also sometimes keeps a
   function's declaration from a calling unit and drops the defining unit's
   decl, leaving a top-level decl with no elf-symbol-id although the symbol
   is defined and exported (GSL's gsl_eigen_herm). */
typedef struct abidw_view {
    name_set linked;     /* elf-symbol-id of top-level decls, version stripped (the brief's set) */
    name_set semantic;   /* linked + their aliases + unlinked decls of defined exported symbols */
} abidw_view;

/* The value of attr='...' inside [tag, tag_end), malloc'd, or NULL. */
static char *xml_attr(const char *tag, const char *tag_end, const char *attr)
{
    char key[64];
    snprintf(key, sizeof key, " %s='", attr);
    const char *p = strstr(tag, key);
    if (!p || p > tag_end)
        return NULL;
    p += strlen(key);
    const char *q = strchr(p, '\'');
    return q && q <= tag_end ? strndup(p, (size_t)(q - p)) : NULL;
}

static size_t name_len(const char *versioned)
{
    return strcspn(versioned, "@");
}

static void abidw_read(const char *xml, const char *decl_tag, const char *symbols_section, abidw_view *out)
{
    /* The symbol table section: name -> alias list, defined or not. */
    char open_tag[64], close_tag[64];
    snprintf(open_tag, sizeof open_tag, "<%s>", symbols_section);
    snprintf(close_tag, sizeof close_tag, "</%s>", symbols_section);
    const char *sec = strstr(xml, open_tag), *sec_end = sec ? strstr(sec, close_tag) : NULL;
    name_set unlinked = { 0 };

    /* Top-level decls are the ones directly under <abi-instr>: 4 spaces. */
    char line_start[64];
    snprintf(line_start, sizeof line_start, "\n    %s", decl_tag);
    for (const char *p = strstr(xml, line_start); p; p = strstr(p + 1, line_start)) {
        const char *end = strchr(p, '>');
        if (!end)
            break;
        char *id = xml_attr(p, end, "elf-symbol-id");
        if (id) {
            name_set_add(&out->linked, id, name_len(id));
            name_set_add(&out->semantic, id, name_len(id));
        } else {
            char *name = xml_attr(p, end, "name");
            if (name)
                name_set_add(&unlinked, name, strlen(name));
            free(name);
        }
        free(id);
    }
    name_set_finish(&out->linked);
    name_set_finish(&unlinked);

    for (const char *p = sec; sec_end && p && p < sec_end; p = strstr(p + 1, "<elf-symbol ")) {
        if (strncmp(p, "<elf-symbol ", 12) != 0)
            continue;
        const char *end = strchr(p, '>');
        if (!end || end > sec_end)
            break;
        char *name = xml_attr(p, end, "name");
        char *aliases = xml_attr(p, end, "alias");
        char *defined = xml_attr(p, end, "is-defined");
        bool is_defined = defined && strcmp(defined, "yes") == 0;
        if (name) {
            bool in_group = name_set_has(&out->linked, name);
            for (const char *a = aliases; a && *a && !in_group;) {
                char *one = strndup(a, name_len(a));
                in_group = name_set_has(&out->linked, one);
                free(one);
                a = strchr(a, ',');
                a = a ? a + 1 : NULL;
            }
            bool unlinked_definition = is_defined && name_set_has(&unlinked, name);
            if (in_group || unlinked_definition) {
                name_set_add(&out->semantic, name, strlen(name));
                for (const char *a = aliases; a && *a;) {
                    name_set_add(&out->semantic, a, name_len(a));
                    a = strchr(a, ',');
                    a = a ? a + 1 : NULL;
                }
            }
        }
        free(name);
        free(aliases);
        free(defined);
    }
    name_set_finish(&out->semantic);
    name_set_free(&unlinked);
}

static void abidw_view_free(abidw_view *v)
{
    name_set_free(&v->linked);
    name_set_free(&v->semantic);
}

static void corpus_names(const corpus_view *v, const char *key, name_set *out)
{
    json_t *arr = corpus_field(v, key);
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        const char *name = json_string_value(json_object_get(e, "name"));
        if (name)
            name_set_add(out, name, strlen(name));
    }
    name_set_finish(out);
}

/* Lists up to 20 names of a missing from b. */
static size_t list_missing(const name_set *a, const name_set *b, char *buf, size_t buflen)
{
    size_t missing = 0, used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < a->n; i++) {
        if (name_set_has(b, a->names[i]))
            continue;
        if (missing < 20 && used < buflen)
            used += (size_t)snprintf(buf + used, buflen - used, " %s", a->names[i]);
        missing++;
    }
    return missing;
}

/* Names abiguard reports and abidw does not are checked independently:
   eu-addr2line (elfutils) must find DWARF line information for a function
   at the exported symbol's address. abidw links a definition to a symbol
   only through the definition's own address or name, so it misses exported
   aliases of definitions split into hot and cold ranges (fclose is
   _IO_new_fclose) and some out-of-line copies of inline functions. Returns
   how many extras could not be verified, listing the first 20. */
static size_t unverified_extras(const char *lib, const name_set *ours, const name_set *theirs,
                                char *buf, size_t buflen)
{
    tool_run nm;
    buf[0] = '\0';
    cr_assert(tool_run_argv((const char *const[]){ "/usr/bin/nm", "-D", "--defined-only", lib, NULL }, 60, &nm) &&
                  nm.exited && nm.exit_status == 0,
              "nm -D %s failed", lib);
    const char *argv[4096];
    char *names[4096];
    size_t n = 0;
    argv[n++] = "/usr/bin/eu-addr2line";
    argv[n++] = "-f";
    argv[n++] = "-e";
    argv[n++] = lib;
    size_t first_addr = n;
    for (size_t i = 0; i < ours->n && n < 4000; i++) {
        if (name_set_has(theirs, ours->names[i]))
            continue;
        /* nm line: "<addr> <type> <name>[@[@]VER]" */
        size_t len = strlen(ours->names[i]);
        for (const char *line = nm.out; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
            const char *sp = strchr(line, ' ');
            const char *sym = sp ? strchr(sp + 1, ' ') : NULL;
            if (!sym || strncmp(sym + 1, ours->names[i], len) != 0 || (sym[1 + len] != '@' && sym[1 + len] != '\n'))
                continue;
            char *addr = NULL;
            if (asprintf(&addr, "0x%.*s", (int)(sp - line), line) < 0)
                break;
            names[n] = ours->names[i];
            argv[n++] = addr;
            break;
        }
    }
    argv[n] = NULL;
    size_t unverified = 0, used = 0;
    if (n > first_addr) {
        tool_run r;
        cr_assert(tool_run_argv(argv, 120, &r) && r.exited && r.exit_status == 0, "eu-addr2line failed on %s", lib);
        /* Two lines per address: function name, then file:line. */
        const char *line = r.out;
        for (size_t i = first_addr; i < n && line; i++) {
            const char *second = strchr(line, '\n');
            second = second ? second + 1 : NULL;
            bool ok = second && strncmp(second, "??", 2) != 0;
            if (!ok) {
                if (unverified < 20 && used < buflen)
                    used += (size_t)snprintf(buf + used, buflen - used, " %s", names[i]);
                unverified++;
            }
            line = second ? strchr(second, '\n') : NULL;
            line = line ? line + 1 : NULL;
        }
        tool_run_free(&r);
    }
    for (size_t i = first_addr; i < n; i++)
        free((char *)argv[i]);
    tool_run_free(&nm);
    return unverified;
}

static void compare_sets(const char *lib, const char *what, const abidw_view *abidw, const name_set *ours)
{
    char only_abidw[4096], only_ours[4096];
    /* The literal comparison with elf-symbol-ids, for the record. */
    size_t strict_only_abidw = list_missing(&abidw->linked, ours, only_abidw, sizeof only_abidw);
    size_t strict_only_ours = list_missing(ours, &abidw->linked, only_ours, sizeof only_ours);
    fprintf(stderr,
            "oracle abidw %s: %s: elf-symbol-ids %zu (only there %zu, only in abiguard %zu); with aliases and "
            "unlinked definitions %zu; abiguard %zu\n",
            lib, what, abidw->linked.n, strict_only_abidw, strict_only_ours, abidw->semantic.n, ours->n);
    size_t n_only_abidw = list_missing(&abidw->semantic, ours, only_abidw, sizeof only_abidw);
    size_t n_only_ours = list_missing(ours, &abidw->semantic, only_ours, sizeof only_ours);
    char unverified_list[4096] = "";
    size_t n_unverified = n_only_ours ? unverified_extras(lib, ours, &abidw->semantic, unverified_list,
                                                          sizeof unverified_list)
                                      : 0;
    if (n_only_ours)
        fprintf(stderr, "oracle abidw %s: %s: %zu reported by abiguard only, each verified to have DWARF at "
                        "its symbol's address (eu-addr2line): %zu unverified; first 20:%s\n",
                lib, what, n_only_ours, n_unverified, only_ours);
    cr_expect(n_only_abidw == 0 && n_unverified == 0,
              "%s: exported %s with DWARF differ from abidw's (abidw %zu with aliases, abiguard %zu)\n"
              "  only in abidw (%zu, first 20):%s\n  only in abiguard without DWARF at their address "
              "(%zu, first 20):%s",
              lib, what, abidw->semantic.n, ours->n, n_only_abidw, only_abidw, n_unverified, unverified_list);
}

static void compare_with_abidw(const char *lib)
{
    corpus_view v;
    extract_real(lib, &v);
    tool_run r;
    run_ok((const char *const[]){ "/usr/bin/abidw", "--no-corpus-path", "--no-show-locs", "--debug-info-dir",
                                  SYSTEM_DEBUG_DIR, lib, NULL },
           &r);
    abidw_view abidw_fns = { 0 }, abidw_vars = { 0 };
    name_set our_fns = { 0 }, our_vars = { 0 };
    abidw_read(r.out, "<function-decl ", "elf-function-symbols", &abidw_fns);
    abidw_read(r.out, "<var-decl ", "elf-variable-symbols", &abidw_vars);
    corpus_names(&v, "functions", &our_fns);
    corpus_names(&v, "variables", &our_vars);
    cr_assert_gt(abidw_fns.linked.n, 100, "abidw reported only %zu functions for %s", abidw_fns.linked.n, lib);
    compare_sets(lib, "functions", &abidw_fns, &our_fns);
    compare_sets(lib, "variables", &abidw_vars, &our_vars);
    abidw_view_free(&abidw_fns);
    abidw_view_free(&abidw_vars);
    name_set_free(&our_fns);
    name_set_free(&our_vars);
    tool_run_free(&r);
    corpus_view_free(&v);
}

Test(oracle_abidw, libc_exported_interface, .timeout = 600 * SANITIZER_SLOWDOWN)
{
    compare_with_abidw(LIBC);
}

Test(oracle_abidw, libgsl_exported_interface, .timeout = 600 * SANITIZER_SLOWDOWN)
{
    compare_with_abidw(LIBGSL);
}
