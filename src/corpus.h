/*
 * corpus.h — the ABI model. One corpus describes one binary of one release:
 * its ELF identity, the symbols it exports and imports, and (when debug info
 * was found) the functions, variables and types of its public interface.
 *
 * Types live in one array owned by the corpus and refer to each other by
 * index (uint32_t). Every type also has a content-derived id (16 hex digits)
 * that is stable across runs and machines: that id is what the JSON form and
 * the store use. Named struct/union/enum/typedef types are identified by kind
 * and name (so recursive types terminate); anonymous and derived types by a
 * structural hash of their content. Each type additionally carries a content
 * hash ("hash") of its own fields, with the types it refers to taken by id:
 * it changes whenever the type's own layout changes, so the store keeps one
 * row per distinct content and the diff can tell changed types quickly.
 *
 * Nothing in a corpus depends on load addresses, timestamps or absolute build
 * paths, so a serialized corpus diffs cleanly in git.
 */
#ifndef ABIGUARD_CORPUS_H
#define ABIGUARD_CORPUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define AG_CORPUS_FORMAT "abiguard-corpus/1"

/* How deep type references may nest, the same on every path into a corpus:
 * the DWARF reader refuses DIEs whose type references nest deeper, and
 * ag_corpus_finalize (which every reader ends with: DWARF, JSON files, the
 * service's uploads) refuses a corpus with a longer chain of references that
 * passes through no struct or union (typedefs, pointers, qualifiers, arrays,
 * function types). Real libraries stay far below it (glibc: 9). */
#define AG_MAX_TYPE_DEPTH 4096

/* Index of a type in corpus->types. */
typedef uint32_t ag_type_ref;
#define AG_NO_TYPE ((ag_type_ref)UINT32_MAX)

/* ------------------------------------------------------------------ */
/* ELF part                                                            */

typedef enum ag_sym_type {
    AG_SYM_NOTYPE = 0,
    AG_SYM_FUNC,
    AG_SYM_OBJECT,
    AG_SYM_IFUNC,
    AG_SYM_TLS,
    AG_SYM_COMMON,
} ag_sym_type;

typedef enum ag_sym_binding {
    AG_BIND_GLOBAL = 0,
    AG_BIND_WEAK,
    AG_BIND_UNIQUE, /* STB_GNU_UNIQUE */
} ag_sym_binding;

typedef struct ag_symbol {
    char *name;
    char *version;      /* "GLIBC_2.2.5", or NULL when unversioned */
    char *version_file; /* imports only: the library that provides the version (vn_file), or NULL */
    bool is_default;    /* exports: "name@@V" (true) vs hidden "name@V" (false) */
    ag_sym_type type;
    ag_sym_binding binding;
    uint64_t size;
    uint64_t value;     /* st_value: in memory only, never serialized */
} ag_symbol;

typedef struct ag_elf_info {
    char *file_name;    /* base name of the file read */
    char *soname;       /* DT_SONAME or NULL */
    char *elf_type;     /* "dyn", "exec", "rel", "core", "other" */
    char *machine;      /* "x86_64", "aarch64", "i386", ... */
    int elf_class;      /* 32 or 64 */
    char *byte_order;   /* "little" or "big" */
    char *build_id;     /* lowercase hex of NT_GNU_BUILD_ID, or NULL */
    char sha256[65];    /* lowercase hex of the whole file */
    char **needed;      /* DT_NEEDED, in file order */
    size_t n_needed;
    char *runpath;      /* DT_RUNPATH or NULL */
    char *rpath;        /* DT_RPATH or NULL */
    char **version_defs; /* .gnu.version_d names other than the base (file) entry, in file order */
    size_t n_version_defs;
    /* Properties that protect existing users (diffed as hardening changes). */
    bool relro;          /* PT_GNU_RELRO present */
    bool bind_now;       /* DF_BIND_NOW, DT_BIND_NOW or DF_1_NOW */
    bool stack_protector;/* imports __stack_chk_fail or __stack_chk_guard */
    bool exec_stack;     /* PT_GNU_STACK with PF_X, or no PT_GNU_STACK at all */
    bool static_tls;     /* DF_STATIC_TLS */
    bool cet_ibt;        /* GNU_PROPERTY_X86_FEATURE_1_IBT */
    bool cet_shstk;      /* GNU_PROPERTY_X86_FEATURE_1_SHSTK */
} ag_elf_info;

/* ------------------------------------------------------------------ */
/* Types                                                               */

typedef enum ag_type_kind {
    AG_T_VOID = 0,
    AG_T_BASE,
    AG_T_POINTER,
    AG_T_CONST,
    AG_T_VOLATILE,
    AG_T_RESTRICT,
    AG_T_ATOMIC,
    AG_T_TYPEDEF,
    AG_T_STRUCT,
    AG_T_UNION,
    AG_T_ENUM,
    AG_T_ARRAY,
    AG_T_FUNC,
    AG_T_UNKNOWN, /* something the reader could not describe (named in ag_type.name) */
    AG_T__COUNT
} ag_type_kind;

/* Base type encodings: every DW_ATE_* of DWARF 5, numerically equal. A
   vendor encoding (DW_ATE_lo_user and up) is read as AG_ENC_NONE. */
typedef enum ag_encoding {
    AG_ENC_NONE = 0,
    AG_ENC_ADDRESS = 0x1,
    AG_ENC_BOOLEAN = 0x2,
    AG_ENC_COMPLEX_FLOAT = 0x3,
    AG_ENC_FLOAT = 0x4,
    AG_ENC_SIGNED = 0x5,
    AG_ENC_SIGNED_CHAR = 0x6,
    AG_ENC_UNSIGNED = 0x7,
    AG_ENC_UNSIGNED_CHAR = 0x8,
    AG_ENC_IMAGINARY_FLOAT = 0x9,
    AG_ENC_PACKED_DECIMAL = 0xa,
    AG_ENC_NUMERIC_STRING = 0xb,
    AG_ENC_EDITED = 0xc,
    AG_ENC_SIGNED_FIXED = 0xd,
    AG_ENC_UNSIGNED_FIXED = 0xe,
    AG_ENC_DECIMAL_FLOAT = 0xf,
    AG_ENC_UTF = 0x10,
    AG_ENC_UCS = 0x11,
    AG_ENC_ASCII = 0x12,
    AG_ENC__LAST = AG_ENC_ASCII
} ag_encoding;

typedef struct ag_member {
    char *name;          /* NULL for an anonymous member */
    ag_type_ref type;
    uint64_t bit_offset; /* from the start of the struct, little-endian bit numbering */
    uint32_t bit_size;   /* 0 unless a bit-field */
    uint32_t alignment;  /* DW_AT_alignment on the member, 0 if not given */
} ag_member;

typedef struct ag_enumerator {
    char *name;
    int64_t value;      /* the bits; see value_unsigned */
    bool value_unsigned;/* interpret value as uint64_t */
} ag_enumerator;

typedef struct ag_param {
    char *name;          /* NULL when DWARF has none */
    ag_type_ref type;
} ag_param;

/* Array dimension with no known bound (flexible array member, `int a[]`). */
#define AG_DIM_UNKNOWN UINT64_MAX

typedef struct ag_type {
    ag_type_kind kind;
    char id[17];         /* content-derived id, 16 lowercase hex digits */
    uint64_t hash;       /* content hash (see top of file); computed by ag_corpus_finalize */
    char *name;          /* base, typedef, struct, union, enum; NULL when anonymous */
    uint64_t byte_size;  /* 0 when unknown / not applicable */
    uint32_t alignment;  /* DW_AT_alignment, 0 if not given */
    ag_encoding encoding;/* base types */
    bool declaration_only; /* struct/union/enum seen only as a declaration (opaque) */
    /* pointer, qualifiers, typedef: the target; array: element; func: return
       (AG_NO_TYPE never: void is a type); enum: underlying type or AG_NO_TYPE. */
    ag_type_ref target;
    ag_member *members;  size_t n_members;        /* struct, union */
    ag_enumerator *enumerators; size_t n_enumerators; /* enum */
    uint64_t *dims;      size_t n_dims;           /* array, outermost first; AG_DIM_UNKNOWN if unbounded */
    ag_param *params;    size_t n_params;         /* func */
    bool variadic;       /* func */
    bool prototyped;     /* func */
    char *decl_file;     /* for reports and the public surface, never part of an id */
    uint32_t decl_line;
    /* Only meaningful when the corpus records its surface (surface.recorded):
       the definition is declared in one of the public headers. Never part of
       an id or a content hash: a type's layout is the same wherever it lives. */
    bool is_public;
} ag_type;

/* ------------------------------------------------------------------ */
/* Interfaces                                                          */

typedef struct ag_function {
    char *name;          /* the exported symbol name */
    ag_type_ref return_type;
    ag_param *params;    size_t n_params;
    bool variadic;
    bool prototyped;
    uint32_t calling_convention; /* DW_AT_calling_convention, 0 if absent (normal) */
    char *decl_file;
    uint32_t decl_line;
    /* Only with a recorded surface: no public header names this function
       (an export the library keeps for itself, declared in a header it
       does not install). Not an interface callers can see. */
    bool is_internal;
} ag_function;

typedef struct ag_variable {
    char *name;          /* the exported symbol name */
    ag_type_ref type;
    char *decl_file;
    uint32_t decl_line;
    bool is_internal;    /* as for ag_function */
} ag_variable;

/* What the DWARF reader saw and did not model, by DW_TAG name. */
typedef struct ag_skip_count {
    char *what;
    uint64_t count;
} ag_skip_count;

/* The public surface as recorded at extraction (surface.h decides it). When
   not recorded (an older corpus, or no headers were given) it is inferred
   from the declaration files whenever the corpus is used. */
typedef struct ag_surface {
    bool recorded;          /* the public headers were given; types carry is_public */
    char **public_headers;  /* their names relative to the headers directory
                               ("libpng16/png.h"), sorted, unique */
    size_t n_public_headers;
} ag_surface;

typedef struct ag_corpus {
    ag_elf_info elf;
    bool has_debug_info;   /* false: functions/variables/types are unknown, not empty */
    char *debug_source;    /* "embedded", "debuglink", "build-id", "debug-dir", "debuginfod", or NULL */
    int dwarf_version;     /* highest CU version seen, 0 if none */
    ag_symbol *exports;    size_t n_exports;
    ag_symbol *imports;    size_t n_imports;
    ag_function *functions; size_t n_functions;
    ag_variable *variables; size_t n_variables;
    ag_type *types;        size_t n_types, cap_types;
    ag_skip_count *skipped; size_t n_skipped;
    ag_surface surface;
} ag_corpus;

/* Allocation. All strings in a corpus are owned by it (malloc'd). */
ag_corpus *ag_corpus_new(void);
void ag_corpus_free(ag_corpus *c);
/* Frees a surface's contents and marks it not recorded. */
void ag_surface_clear(ag_surface *s);

/* Appends a zeroed type of the given kind (target = AG_NO_TYPE); returns its
   index, or AG_NO_TYPE when out of memory. Pointers into c->types are
   invalidated by the next call. */
ag_type_ref ag_corpus_add_type(ag_corpus *c, ag_type_kind kind);

/* Returns the index of the `void` type, creating it if needed. */
ag_type_ref ag_corpus_void_type(ag_corpus *c);

/* Computes every type's id and content hash; merges types with equal ids
   (keeping a complete definition over a declaration); drops types that no
   function or variable reaches (when the surface is recorded, public types
   are kept too: they are API even when no signature names them); sorts types by id and renumbers every type
   reference accordingly (indices taken before finalize are invalid after);
   sorts exports, imports, functions and variables by name (then version).
   Returns AG_OK or AG_ERR_FORMAT (a dangling type reference, a type cycle
   that does not go through a named type). Idempotent. */
ag_status ag_corpus_finalize(ag_corpus *c, ag_error *err);

/* Names and parsing of enumerations used in the JSON form and reports. */
const char *ag_type_kind_name(ag_type_kind k);       /* "struct", "pointer", ... */
int ag_type_kind_from_name(const char *s);            /* -1 if unknown */
const char *ag_sym_type_name(ag_sym_type t);          /* "func", "object", "ifunc", "tls", "notype", "common" */
int ag_sym_type_from_name(const char *s);
const char *ag_sym_binding_name(ag_sym_binding b);    /* "global", "weak", "unique" */
int ag_sym_binding_from_name(const char *s);
const char *ag_encoding_name(ag_encoding e);          /* "signed", "unsigned", "float", ... */
int ag_encoding_from_name(const char *s);

/* A C-like spelling of a type ("const char *", "struct ctx", "int[4]",
   "int (*)(void *, int)"). Writes at most buflen bytes, always terminated. */
void ag_type_spell(const ag_corpus *c, ag_type_ref t, char *buf, size_t buflen);

/* Layout: the type behind any typedefs and qualifiers; a type's size in
   bytes as a member (arrays multiplied out, pointers by ELF class; 0 when
   unknown). Both iterate, never recurse. */
ag_type_ref ag_type_resolve(const ag_corpus *c, ag_type_ref t);
uint64_t ag_type_size(const ag_corpus *c, ag_type_ref t);

/* Lookup helpers: binary search on the name-sorted arrays of a finalized corpus. */
const ag_function *ag_corpus_find_function(const ag_corpus *c, const char *name);
const ag_variable *ag_corpus_find_variable(const ag_corpus *c, const char *name);
/* Finds a type by spelled name: "struct ctx", "ctx_t" (typedef), "enum e",
   "union u", or a bare name matching any named type. AG_NO_TYPE if none. */
ag_type_ref ag_corpus_find_type(const ag_corpus *c, const char *name);

#endif
