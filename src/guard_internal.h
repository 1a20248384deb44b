/*
 * guard_internal.h — what the stub writers (guard_*.c) share with the plan
 * (guard.c, guard_layout.c): the layouts, string literals in each target
 * language, and the template expansion the runtimes are written with.
 */
#ifndef ABIGUARD_GUARD_INTERNAL_H
#define ABIGUARD_GUARD_INTERNAL_H

#include "guard.h"

/* guard_layout.c */
bool ag_guard_is_public_header(const char *file);
const char *ag_guard_base_name(const char *path);
ag_status ag_guard_collect_layouts(ag_guard_plan *p, ag_error *err);
const ag_guard_layout *ag_guard_find_layout(const ag_guard_plan *p, const char *name);
void ag_guard_layouts_free(ag_guard_plan *p);

/* String literal syntaxes (guard.c). */
typedef enum ag_guard_lang {
    AG_LANG_C,      /* "..." with octal escapes, no trigraphs */
    AG_LANG_PYTHON, /* "..." with \xHH */
    AG_LANG_JAVA,   /* "..." with octal escapes */
    AG_LANG_GO,     /* "..." with \xHH */
    AG_LANG_RUST,   /* "..." with \x.. (ASCII) and \u{..} */
    AG_LANG_JS,     /* "..." with \xHH */
} ag_guard_lang;
/* Writes s (NULL: "") as a string literal of lang, quotes included. */
void ag_guard_quote(FILE *f, ag_guard_lang lang, const char *s);
/* s for a comment or a docstring in any of the stubs' languages, malloc'd
   (NULL if out of memory): printable ASCII, with '?' for any other byte, a
   quote, a backslash, and the '/' of a comment's start or end. A release's
   version, a library's name and a SONAME may hold any of them. */
char *ag_guard_comment_text(const char *s);
/* parts (NULL-terminated) as one quoted string literal. */
void ag_guard_quote_parts(FILE *f, ag_guard_lang lang, const char *const parts[]);

/* How a language writes the rows of the generated tables. */
typedef struct ag_guard_syntax {
    ag_guard_lang lang;
    const char *indent;
    const char *null_word, *true_word, *false_word;
    const char *int_suffix; /* after a size: "ULL", "L", "" */
} ag_guard_syntax;

/* One line per release that is (or is not) compatible:
   INDENT OPEN "build-id" KEY_SEP "lib@version" [", " "why"] CLOSE. */
void ag_guard_write_release_rows(FILE *f, const ag_guard_plan *p, bool compatible, bool with_why,
                                 const ag_guard_syntax *sy, const char *open, const char *key_sep,
                                 const char *close);
/* One line per required symbol: INDENT OPEN "name", "version"|NULL,
   is-object, size, "fingerprint" CLOSE. */
void ag_guard_write_symbol_rows(FILE *f, const ag_guard_plan *p, const ag_guard_syntax *sy, const char *open,
                                const char *close);

/* "struct", "union", "enum" or "typedef": a layout's kind in the tables. */
/* The GNU hash (DT_GNU_HASH's) of a symbol name: the guards look each
   required symbol up in the loaded library's hash table, and hashing the
   names when the guard is generated spares the check doing it at every
   import. */
uint32_t ag_guard_gnu_hash(const char *name);

const char *ag_guard_layout_kind(ag_type_kind k);
/* One layout as the string the Java and JavaScript runtimes compare a
   declaration with: "kind|size|alignment|name,offset,size,bit offset,bits;..."
   (members) or "...|name=value;..." (enumerators, each value printed as its
   enum's underlying type says: unsigned or signed). NAMED: the Java table's
   line, "C type|" before and "\n" after. A string, not nested literals: a
   runtime parses a string constant at a fraction of the cost, and only the
   types verifyLayouts is given are ever split. C identifiers and type names
   hold none of the separators. malloc'd; NULL when out of memory. */
char *ag_guard_layout_row(const ag_guard_layout *l, bool named);
/* The LAYOUTS table's rows, for the languages whose literals nest alike
   (Python, JavaScript): INDENT "c type": OPEN "kind", size, align,
   OPEN OPEN "member", offset, size, bit offset, bits CLOSE, ... CLOSE |
   {"enumerator": value, ...} | NULL_WORD CLOSE, */
void ag_guard_write_layout_rows(FILE *f, const ag_guard_plan *p, const ag_guard_syntax *sy, const char *open,
                                const char *close);

/* The names a runtime template is expanded with: "@i@" the identifier
   ("geo"), "@I@" its upper case ("GEO"), "@C@" the class name ("GeoGuard"). */
typedef struct ag_guard_names {
    char *lower, *upper, *camel;
} ag_guard_names;
ag_status ag_guard_names_init(ag_guard_names *n, const char *ident, ag_error *err);
void ag_guard_names_free(ag_guard_names *n);
void ag_guard_emit(FILE *f, const char *tmpl, const ag_guard_names *n);

/* What every writer starts from: the names of the stub's identifiers, the
   baseline as NAME@VERSION, the library's SONAME (else its file name) and,
   when asked for, the text `abiguard fingerprint match` reads. */
typedef struct ag_guard_head {
    ag_guard_names names;
    char *baseline;     /* "geo@1" */
    /* The library's name, the baseline and the SONAME as comments and
       docstrings may hold them (ag_guard_comment_text). */
    char *library_text, *baseline_text, *so_text;
    const char *so;
    char *fingerprints; /* NULL unless asked for */
} ag_guard_head;
ag_status ag_guard_head_init(ag_guard_head *h, const ag_guard_plan *p, const ag_guard_stub_options *o,
                             bool fingerprints, ag_error *err);
void ag_guard_head_free(ag_guard_head *h);

/* The policy a stub runs with when ABIGUARD_POLICY is unset, as its name. */
const char *ag_guard_default_policy(const ag_guard_stub_options *o);

#endif
