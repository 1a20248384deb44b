/*
 * dwarf_reader.c — builds the DWARF half of a corpus with libdwarf.
 *
 * Speed comes from reading little: only the top-level DIEs of each unit are
 * visited (libdwarf skips a function's body through DW_AT_sibling), and a
 * type DIE is read only when an exported function or variable reaches it,
 * once per DIE offset, and once per named type across all units: the first
 * complete `struct foo` read is reused for every other unit's copy.
 *
 * Organised as pahole's loader is: a dispatch on the DIE tag into one small
 * constructor per kind of type (read_base, read_pointer_like, read_aggregate,
 * read_enum, read_array, read_subroutine), and a visible count of what it
 * met and did not model (corpus->skipped) instead of silent drops.
 *
 * Matching DWARF to symbols works like abidw's: a definition's address
 * (DW_AT_low_pc) is matched against each exported symbol's value, so aliases
 * (`malloc` and `__libc_malloc`) both get the signature; definitions whose
 * address is unknown (abstract instances of inlined functions) match by
 * name, and only when DW_AT_external says the name is global.
 */
#include "dwarf_reader.h"

#include <dwarf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <libdwarf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dwarf_imports.h"
#include "dwarf_sanity.h"
#include "elf_file.h"
#include "hash.h"
#include "progress.h"
#include "source_path.h"
#include "surface.h"

#define ALT_FLAG (1ULL << 63) /* reserved for offsets into a dwz alternate file */

/* A DIE that can serve as an exported interface's description. */
typedef struct candidate {
    Dwarf_Off sig_off;   /* the DIE holding name, type and parameters */
    Dwarf_Off def_off;   /* the defining DIE (may equal sig_off) */
    bool has_addr;
    Dwarf_Addr addr;
} candidate;

typedef struct file_table {
    Dwarf_Off cu_off;
    char **files;
    Dwarf_Signed count;
    int version;
    char *comp_dir;
} file_table;

typedef struct reader {
    ag_corpus *c;
    ag_error *err;
    ag_status status;     /* first failure, sticky */
    Dwarf_Debug dbg;      /* the file the DIEs being read come from: main_dbg or alt_dbg */
    Dwarf_Debug main_dbg;
    Dwarf_Debug alt_dbg;  /* dwz alternate file (.gnu_debugaltlink), or NULL */
    int alt_fd;
    int depth;
    ag_u64map die_types;  /* DIE offset -> type */
    ag_u64map named;      /* hash(kind, name) -> type */
    ag_u64map export_by_name; /* hash(name) -> first export index */
    ag_u64map export_by_addr; /* address -> first export index at that address */
    uint32_t *next_same_addr; /* per export: next export at the same address, or UINT32_MAX */
    ag_u64map symtab_addr;    /* hash(name) -> index into symtab_values: global .symtab definitions */
    uint64_t *symtab_values;
    size_t n_symtab_values;
    candidate *fn_by_export;  /* per export: best function candidate (sig_off 0 = none) */
    candidate *var_by_export;
    file_table *tables;
    size_t n_tables, cap_tables;
    ag_u64map table_of_cu;
    bool declarations;       /* read the file's declarations of imported symbols (dwarf_imports.h) */
    size_t n_declared;       /* declarations mode: how many imports were found */
    ag_held_types *held;     /* declarations mode: what the binary's own code holds by value, or NULL */
    struct orphan *orphans;  /* declarations mode: external declarations no import is named after */
    size_t n_orphans, cap_orphans;
    ag_u64map defined;       /* declarations mode: hash(name) of the functions and variables it defines */
    Dwarf_Off *public_types; /* top-level type DIEs that may be declared in a public header */
    ag_u64map definitions;   /* named_key(kind, name) -> slot in definition_offs: the first
                                complete top-level definition of each named struct/union/enum */
    Dwarf_Off *definition_offs;
    size_t n_definitions, cap_definitions;
    size_t n_public_types, cap_public_types;
    uint64_t skipped[0x100]; /* counts of unmodelled DW_TAG values below 0x100 */
    uint64_t skipped_other;
    ag_line_tables lines;     /* line tables of the main file that passed dwarf_sanity */
    ag_line_tables alt_lines; /* and of the alternate file */
    bool handler_called;      /* libdwarf reported an error through on_dwarf_error */
    char handler_msg[256];
    ag_source_units units;    /* each unit's comp_dir and primary source (source_path.h) */
    const char *source_root;  /* --source-root, or NULL: inferred */
} reader;

/* ------------------------------------------------------------------ */
/* Error plumbing                                                      */

static bool failed(const reader *r)
{
    return r->status != AG_OK;
}

static void dwarf_failure(reader *r, Dwarf_Error e, const char *what)
{
    if (!failed(r)) {
        r->status = ag_fail(r->err, AG_ERR_DWARF, "corrupt DWARF: %s: %s", what,
                            e ? dwarf_errmsg(e) : r->handler_called ? r->handler_msg : "unknown error");
    }
    if (e)
        dwarf_dealloc_error(r->dbg, e);
}

/* libdwarf's error handler (given to dwarf_init_b). libdwarf calls it for
   an error in a call that got no error argument — some of its internal
   paths pass none — and without a handler it prints "Now abort() in
   libdwarf" on stdout and aborts the process. Here the error is recorded;
   the call then returns DW_DLV_ERROR, and read_dwarf fails with the
   message if nothing else did. The Dwarf_Error itself is freed by
   dwarf_finish (allocation tracking is on). */
static void on_dwarf_error(Dwarf_Error e, Dwarf_Ptr arg)
{
    reader *r = arg;
    if (r->handler_called)
        return;
    r->handler_called = true;
    snprintf(r->handler_msg, sizeof r->handler_msg, "%s", e ? dwarf_errmsg(e) : "unknown error");
}

static void nomem(reader *r)
{
    if (!failed(r))
        r->status = ag_fail(r->err, AG_ERR_NOMEM, "out of memory");
}

static char *dup_or_null(reader *r, const char *s)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        nomem(r);
    return d;
}

/* ------------------------------------------------------------------ */
/* Attribute access: return 1 found, 0 absent, -1 error (recorded)     */

static int attr_get(reader *r, Dwarf_Die die, Dwarf_Half at, Dwarf_Attribute *out)
{
    Dwarf_Error e = NULL;
    int rc = dwarf_attr(die, at, out, &e);
    if (rc == DW_DLV_OK)
        return 1;
    if (rc == DW_DLV_NO_ENTRY)
        return 0;
    dwarf_failure(r, e, "reading an attribute");
    return -1;
}

/* Whether the DIE has the attribute: 1 yes, 0 no, -1 error (recorded). */
static int attr_present(reader *r, Dwarf_Die die, Dwarf_Half at)
{
    Dwarf_Bool present = 0;
    Dwarf_Error e = NULL;
    if (dwarf_hasattr(die, at, &present, &e) != DW_DLV_OK) {
        dwarf_failure(r, e, "reading an attribute");
        return -1;
    }
    return present ? 1 : 0;
}

static int attr_udata(reader *r, Dwarf_Die die, Dwarf_Half at, Dwarf_Unsigned *v)
{
    Dwarf_Attribute a;
    int f = attr_get(r, die, at, &a);
    if (f <= 0)
        return f;
    Dwarf_Error e = NULL;
    int rc = dwarf_formudata(a, v, &e);
    if (rc != DW_DLV_OK) {
        /* Some producers use a signed form for sizes and bounds. */
        Dwarf_Signed s;
        if (e)
            dwarf_dealloc_error(r->dbg, e);
        e = NULL;
        rc = dwarf_formsdata(a, &s, &e);
        if (rc == DW_DLV_OK)
            *v = (Dwarf_Unsigned)s;
    }
    dwarf_dealloc_attribute(a);
    if (rc != DW_DLV_OK) {
        if (e)
            dwarf_dealloc_error(r->dbg, e);
        return 0; /* a non-constant form (exprloc, reference): treat as absent */
    }
    return 1;
}

static int attr_flag(reader *r, Dwarf_Die die, Dwarf_Half at)
{
    Dwarf_Attribute a;
    int f = attr_get(r, die, at, &a);
    if (f <= 0)
        return f;
    Dwarf_Bool b = 0;
    Dwarf_Error e = NULL;
    int rc = dwarf_formflag(a, &b, &e);
    dwarf_dealloc_attribute(a);
    if (rc != DW_DLV_OK) {
        dwarf_failure(r, e, "reading a flag");
        return -1;
    }
    return b ? 1 : 0;
}

/* A reference attribute as a global .debug_info offset. */
static int attr_ref(reader *r, Dwarf_Die die, Dwarf_Half at, Dwarf_Off *off)
{
    Dwarf_Attribute a;
    int f = attr_get(r, die, at, &a);
    if (f <= 0)
        return f;
    Dwarf_Half form = 0;
    Dwarf_Error e = NULL;
    if (dwarf_whatform(a, &form, &e) != DW_DLV_OK) {
        dwarf_dealloc_attribute(a);
        dwarf_failure(r, e, "reading a reference form");
        return -1;
    }
    if (form == DW_FORM_GNU_ref_alt || form == DW_FORM_ref_sup4 || form == DW_FORM_ref_sup8) {
        /* A reference into a dwz alternate file, which this reader does not
           open: the caller records the type as unknown. */
        Dwarf_Off u = 0;
        int rc = dwarf_global_formref(a, &u, &e);
        dwarf_dealloc_attribute(a);
        if (rc != DW_DLV_OK) {
            dwarf_failure(r, e, "reading a reference into the dwz alternate file");
            return -1;
        }
        *off = u | ALT_FLAG;
        return 1;
    }
    int rc = dwarf_global_formref(a, off, &e);
    dwarf_dealloc_attribute(a);
    if (rc != DW_DLV_OK) {
        dwarf_failure(r, e, "reading a reference");
        return -1;
    }
    if (r->alt_dbg && r->dbg == r->alt_dbg)
        *off |= ALT_FLAG; /* a plain reference inside the alternate file */
    return 1;
}

/* The DIE's DW_AT_name; the string lives as long as the Dwarf_Debug. */
static const char *die_name(reader *r, Dwarf_Die die)
{
    char *name = NULL;
    Dwarf_Error e = NULL;
    int rc = dwarf_diename(die, &name, &e);
    if (rc == DW_DLV_OK)
        return name;
    if (rc == DW_DLV_ERROR) {
        /* An alternate-file string (DW_FORM_GNU_strp_alt) lands here too:
           treat as nameless rather than fail the whole file. */
        if (e)
            dwarf_dealloc_error(r->dbg, e);
    }
    return NULL;
}

/* A string attribute of the DIE (DW_AT_comp_dir), or NULL; the string
   lives as long as the Dwarf_Debug. */
static const char *die_string(reader *r, Dwarf_Die die, Dwarf_Half at)
{
    Dwarf_Attribute a;
    if (attr_get(r, die, at, &a) != 1)
        return NULL;
    char *s = NULL;
    Dwarf_Error e = NULL;
    if (dwarf_formstring(a, &s, &e) != DW_DLV_OK) {
        if (e)
            dwarf_dealloc_error(r->dbg, e);
        s = NULL;
    }
    dwarf_dealloc_attribute(a);
    return s;
}

static Dwarf_Die die_at(reader *r, Dwarf_Off off)
{
    Dwarf_Die die = NULL;
    Dwarf_Error e = NULL;
    Dwarf_Debug dbg = r->main_dbg;
    if (off & ALT_FLAG) {
        if (!r->alt_dbg)
            return NULL;
        dbg = r->alt_dbg;
        off &= ~ALT_FLAG;
    }
    int rc = dwarf_offdie_b(dbg, off, 1, &die, &e);
    if (rc != DW_DLV_OK) {
        dwarf_failure(r, e, "a reference points outside .debug_info");
        return NULL;
    }
    return die;
}

static Dwarf_Off die_offset(reader *r, Dwarf_Die die)
{
    Dwarf_Off off = 0;
    Dwarf_Error e = NULL;
    if (dwarf_dieoffset(die, &off, &e) != DW_DLV_OK)
        dwarf_failure(r, e, "reading a DIE offset");
    return off;
}

static Dwarf_Half die_tag(reader *r, Dwarf_Die die)
{
    Dwarf_Half tag = 0;
    Dwarf_Error e = NULL;
    if (dwarf_tag(die, &tag, &e) != DW_DLV_OK)
        dwarf_failure(r, e, "reading a DIE tag");
    return tag;
}

/* Iterates children: returns the first child (or NULL), then next_sibling. */
static Dwarf_Die first_child(reader *r, Dwarf_Die die)
{
    Dwarf_Die child = NULL;
    Dwarf_Error e = NULL;
    int rc = dwarf_child(die, &child, &e);
    if (rc == DW_DLV_ERROR)
        dwarf_failure(r, e, "reading DIE children");
    return rc == DW_DLV_OK ? child : NULL;
}

/* Returns the next sibling and frees `die`. libdwarf follows DW_AT_sibling
   wherever it points; a sibling that is not further on in the section
   (one pointing at itself or back) would make every walk endless, so the
   walk must move forward or stop with an error. */
static Dwarf_Die next_sibling(reader *r, Dwarf_Die die)
{
    Dwarf_Die sib = NULL;
    Dwarf_Error e = NULL;
    int rc = dwarf_siblingof_b(r->dbg, die, 1, &sib, &e);
    if (rc == DW_DLV_OK) {
        Dwarf_Off here = 0, there = 0;
        Dwarf_Error oe = NULL;
        if (dwarf_dieoffset(die, &here, &oe) != DW_DLV_OK ||
            dwarf_dieoffset(sib, &there, &oe) != DW_DLV_OK) {
            dwarf_failure(r, oe, "reading a DIE offset");
            rc = DW_DLV_NO_ENTRY;
        } else if (there <= here) {
            if (!failed(r))
                r->status = ag_fail(r->err, AG_ERR_DWARF,
                                    "corrupt DWARF: the DIE at offset 0x%llx names its sibling at 0x%llx, "
                                    "which is not after it", (unsigned long long)here,
                                    (unsigned long long)there);
            rc = DW_DLV_NO_ENTRY;
        }
        if (rc != DW_DLV_OK)
            dwarf_dealloc_die(sib);
    }
    dwarf_dealloc_die(die);
    if (rc == DW_DLV_ERROR)
        dwarf_failure(r, e, "walking sibling DIEs");
    return rc == DW_DLV_OK ? sib : NULL;
}

static void count_skipped(reader *r, Dwarf_Half tag)
{
    if (tag < 0x100)
        r->skipped[tag]++;
    else
        r->skipped_other++;
}

/* ------------------------------------------------------------------ */
/* Declaration file and line                                           */

/* Whether the unit's DW_AT_stmt_list is the start of a line table that
   dwarf_sanity checked: dwarf_srcfiles() trusts the header it finds there
   (see dwarf_sanity.h). A unit without one has no file names; one that
   points anywhere else is corrupt. */
static bool line_table_checked(reader *r, Dwarf_Die cu, const ag_line_tables *checked)
{
    Dwarf_Attribute a;
    if (attr_get(r, cu, DW_AT_stmt_list, &a) != 1)
        return false;
    Dwarf_Half form = 0;
    Dwarf_Error e = NULL;
    Dwarf_Unsigned off = 0;
    Dwarf_Addr addr = 0;
    int rc = dwarf_whatform(a, &form, &e);
    if (rc == DW_DLV_OK && form == DW_FORM_addr) {
        rc = dwarf_formaddr(a, &addr, &e);
        off = addr;
    } else if (rc == DW_DLV_OK && (form == DW_FORM_data4 || form == DW_FORM_data8 ||
                                   form == DW_FORM_sec_offset)) {
        rc = dwarf_global_formref(a, &off, &e);
    } else if (rc == DW_DLV_OK) {
        rc = DW_DLV_NO_ENTRY; /* a form libdwarf rejects too */
    }
    dwarf_dealloc_attribute(a);
    if (rc == DW_DLV_ERROR)
        dwarf_failure(r, e, "reading DW_AT_stmt_list");
    if (rc != DW_DLV_OK)
        return false;
    if (!ag_line_tables_has(checked, off)) {
        if (!failed(r))
            r->status = ag_fail(r->err, AG_ERR_DWARF,
                                "corrupt DWARF: DW_AT_stmt_list 0x%llx is not the start of a line table in "
                                ".debug_line", (unsigned long long)off);
        return false;
    }
    return true;
}

static file_table *table_for(reader *r, Dwarf_Die die)
{
    Dwarf_Off cu_off = 0;
    Dwarf_Error e = NULL;
    if (dwarf_CU_dieoffset_given_die(die, &cu_off, &e) != DW_DLV_OK) {
        if (e)
            dwarf_dealloc_error(r->dbg, e);
        return NULL;
    }
    if (r->alt_dbg && r->dbg == r->alt_dbg)
        cu_off |= ALT_FLAG;
    uint32_t idx;
    if (ag_u64map_get(&r->table_of_cu, cu_off, &idx))
        return &r->tables[idx];
    if (r->n_tables == r->cap_tables) {
        size_t cap = r->cap_tables ? r->cap_tables * 2 : 64;
        file_table *bigger = realloc(r->tables, cap * sizeof *bigger);
        if (!bigger) {
            nomem(r);
            return NULL;
        }
        r->tables = bigger;
        r->cap_tables = cap;
    }
    file_table *t = &r->tables[r->n_tables];
    memset(t, 0, sizeof *t);
    t->cu_off = cu_off;
    Dwarf_Die cu = die_at(r, cu_off);
    if (cu) {
        Dwarf_Half version = 0, offset_size = 0;
        if (dwarf_get_version_of_die(cu, &version, &offset_size) == DW_DLV_OK)
            t->version = version;
        const char *comp_dir = die_string(r, cu, DW_AT_comp_dir);
        if (comp_dir)
            t->comp_dir = dup_or_null(r, comp_dir);
        if (line_table_checked(r, cu, (cu_off & ALT_FLAG) ? &r->alt_lines : &r->lines) &&
            dwarf_srcfiles(cu, &t->files, &t->count, &e) != DW_DLV_OK) {
            if (e)
                dwarf_dealloc_error(r->dbg, e);
            t->files = NULL;
            t->count = 0;
        }
        dwarf_dealloc_die(cu);
    }
    if (!ag_u64map_put(&r->table_of_cu, cu_off, (uint32_t)r->n_tables)) {
        nomem(r);
        return NULL;
    }
    return &r->tables[r->n_tables++];
}

static void read_decl(reader *r, Dwarf_Die die, char **file, uint32_t *line)
{
    Dwarf_Unsigned fileno = 0, lineno = 0;
    if (attr_udata(r, die, DW_AT_decl_line, &lineno) == 1)
        *line = (uint32_t)lineno;
    if (attr_udata(r, die, DW_AT_decl_file, &fileno) != 1)
        return;
    file_table *t = table_for(r, die);
    if (!t || !t->files)
        return;
    /* DWARF 5 numbers files from 0, earlier versions from 1. */
    Dwarf_Signed idx = t->version >= 5 ? (Dwarf_Signed)fileno : (Dwarf_Signed)fileno - 1;
    if (idx < 0 || idx >= t->count)
        return;
    /* Whole here (with comp_dir, normalised); source_path.c respells it
       once every unit is known. */
    char *whole = ag_path_of_line_file(t->comp_dir, t->files[idx], t->version);
    if (!whole) {
        nomem(r);
        return;
    }
    free(*file);
    *file = whole;
}

/* ------------------------------------------------------------------ */
/* Types                                                               */

static ag_type_ref resolve_type(reader *r, Dwarf_Off off);

/* The type named by die's DW_AT_type, or void when it has none. */
static ag_type_ref type_attr(reader *r, Dwarf_Die die)
{
    Dwarf_Off off;
    int f = attr_ref(r, die, DW_AT_type, &off);
    if (f < 0)
        return AG_NO_TYPE;
    if (f == 0) {
        ag_type_ref v = ag_corpus_void_type(r->c);
        if (v == AG_NO_TYPE)
            nomem(r);
        return v;
    }
    return resolve_type(r, off);
}

static uint64_t named_key(ag_type_kind kind, const char *name)
{
    ag_hasher hs;
    ag_hash_init(&hs);
    ag_hash_u64(&hs, (uint64_t)kind);
    ag_hash_str(&hs, name);
    return ag_hash_final(&hs);
}

static ag_type_ref new_type(reader *r, ag_type_kind kind, Dwarf_Off off)
{
    ag_type_ref t = ag_corpus_add_type(r->c, kind);
    if (t == AG_NO_TYPE || !ag_u64map_put(&r->die_types, off, t)) {
        nomem(r);
        return AG_NO_TYPE;
    }
    return t;
}

static ag_type_ref unknown_type(reader *r, Dwarf_Off off, const char *what)
{
    ag_type_ref t = new_type(r, AG_T_UNKNOWN, off);
    if (t != AG_NO_TYPE)
        r->c->types[t].name = dup_or_null(r, what);
    return t;
}

static ag_type_ref read_base(reader *r, Dwarf_Die die, Dwarf_Off off, ag_type_kind kind)
{
    Dwarf_Unsigned size = 0, enc = 0;
    attr_udata(r, die, DW_AT_byte_size, &size);
    attr_udata(r, die, DW_AT_encoding, &enc);
    const char *name = die_name(r, die);
    ag_type_ref t = new_type(r, kind, off);
    if (t == AG_NO_TYPE)
        return t;
    ag_type *ty = &r->c->types[t];
    ty->name = dup_or_null(r, name ? name : (kind == AG_T_VOID ? "void" : "?"));
    ty->byte_size = size;
    /* Vendor encodings have no name in the corpus format: "none". */
    ty->encoding = enc <= AG_ENC__LAST ? (ag_encoding)enc : AG_ENC_NONE;
    return t;
}

/* Pointers, qualifiers and typedefs: one target, maybe a name. */
static ag_type_ref read_pointer_like(reader *r, Dwarf_Die die, Dwarf_Off off, ag_type_kind kind)
{
    ag_type_ref t = AG_NO_TYPE;
    if (kind == AG_T_TYPEDEF) {
        const char *name = die_name(r, die);
        uint64_t key = named_key(kind, name);
        uint32_t existing;
        if (name && ag_u64map_get(&r->named, key, &existing)) {
            ag_u64map_put(&r->die_types, off, existing);
            return existing;
        }
        t = new_type(r, kind, off);
        if (t == AG_NO_TYPE)
            return t;
        r->c->types[t].name = dup_or_null(r, name);
        if (name && !ag_u64map_put(&r->named, key, t))
            nomem(r);
        read_decl(r, die, &r->c->types[t].decl_file, &r->c->types[t].decl_line);
    } else {
        t = new_type(r, kind, off);
        if (t == AG_NO_TYPE)
            return t;
    }
    Dwarf_Unsigned size = 0;
    if (kind == AG_T_POINTER && attr_udata(r, die, DW_AT_byte_size, &size) == 1)
        r->c->types[t].byte_size = size;
    ag_type_ref target = type_attr(r, die);
    r->c->types[t].target = target;
    return t;
}

/* The byte offset a DW_AT_data_member_location expression computes from
   the struct's address (DWARF 2/3 and some producers): DW_OP_plus_uconst N,
   or the constant pushed by DW_OP_constu N / DW_OP_litN followed by
   DW_OP_plus. False for anything else. */
static bool member_location_expr(const unsigned char *b, Dwarf_Unsigned len, Dwarf_Unsigned *off)
{
    Dwarf_Unsigned i = 1, v = 0;
    if (len < 1)
        return false;
    unsigned char op = b[0];
    if (op >= DW_OP_lit0 && op <= DW_OP_lit31) {
        v = (Dwarf_Unsigned)(op - DW_OP_lit0);
    } else if (op == DW_OP_plus_uconst || op == DW_OP_constu) {
        unsigned shift = 0;
        bool done = false;
        for (; i < len && shift < 64 && !done; i++, shift += 7) {
            v |= (Dwarf_Unsigned)(b[i] & 0x7f) << shift;
            done = !(b[i] & 0x80);
        }
        if (!done)
            return false;
    } else {
        return false;
    }
    if (op != DW_OP_plus_uconst && !(i + 1 == len && b[i] == DW_OP_plus))
        return false;
    if (op == DW_OP_plus_uconst && i != len)
        return false;
    *off = v;
    return true;
}

/* Bit position of a member, little-endian numbering, from whichever of the
   DWARF 2/3 and DWARF 4/5 encodings the producer used. */
static void read_member_position(reader *r, Dwarf_Die m, ag_member *out)
{
    Dwarf_Unsigned byte_off = 0, bit_size = 0, data_bit_off = 0, old_bit_off = 0, storage = 0;
    Dwarf_Attribute a;
    if (attr_get(r, m, DW_AT_data_member_location, &a) == 1) {
        Dwarf_Error e = NULL;
        Dwarf_Half form = 0;
        dwarf_whatform(a, &form, &e);
        if (form == DW_FORM_exprloc) {
            /* DWARF 4/5 location expression */
            Dwarf_Unsigned len = 0;
            Dwarf_Ptr p = NULL;
            if (dwarf_formexprloc(a, &len, &p, &e) == DW_DLV_OK)
                member_location_expr(p, len, &byte_off);
        } else if (form == DW_FORM_block1 || form == DW_FORM_block2 || form == DW_FORM_block4 ||
                   form == DW_FORM_block) {
            /* DWARF 2/3: a block holding the expression (gcc -gdwarf-2:
               DW_OP_plus_uconst N), which dwarf_formexprloc does not read. */
            Dwarf_Block *blk = NULL;
            if (dwarf_formblock(a, &blk, &e) == DW_DLV_OK) {
                member_location_expr(blk->bl_data, blk->bl_len, &byte_off);
                dwarf_dealloc(r->dbg, blk, DW_DLA_BLOCK);
            }
        } else if (form == DW_FORM_implicit_const || form == DW_FORM_sdata) {
            /* DWARF 5 abbreviations may hold the offset itself (implicit_const). */
            Dwarf_Signed sv = 0;
            if (dwarf_formsdata(a, &sv, &e) == DW_DLV_OK)
                byte_off = (Dwarf_Unsigned)sv;
        } else {
            dwarf_formudata(a, &byte_off, &e);
        }
        if (e)
            dwarf_dealloc_error(r->dbg, e);
        dwarf_dealloc_attribute(a);
    }
    attr_udata(r, m, DW_AT_bit_size, &bit_size);
    out->bit_size = (uint32_t)bit_size;
    out->bit_offset = byte_off * 8;
    if (attr_udata(r, m, DW_AT_data_bit_offset, &data_bit_off) == 1) {
        out->bit_offset = data_bit_off;
    } else if (bit_size && attr_udata(r, m, DW_AT_bit_offset, &old_bit_off) == 1) {
        if (attr_udata(r, m, DW_AT_byte_size, &storage) != 1) {
            ag_type_ref mt = out->type;
            /* Bounded: corrupt DWARF can make typedefs refer to each other. */
            for (size_t hops = 0; hops < r->c->n_types && mt < r->c->n_types &&
                                  !r->c->types[mt].byte_size && r->c->types[mt].target != AG_NO_TYPE; hops++)
                mt = r->c->types[mt].target;
            storage = mt < r->c->n_types ? r->c->types[mt].byte_size : 0;
        }
        out->bit_offset = byte_off * 8 + storage * 8 - old_bit_off - bit_size;
    }
}

static bool grow_array(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *bigger = realloc(*arr, ncap * elem);
    if (!bigger)
        return false;
    *arr = bigger;
    *cap = ncap;
    return true;
}

static void read_members(reader *r, Dwarf_Die die, ag_type_ref t)
{
    ag_member *members = NULL;
    size_t n = 0, cap = 0;
    for (Dwarf_Die m = first_child(r, die); m && !failed(r); m = next_sibling(r, m)) {
        Dwarf_Half tag = die_tag(r, m);
        if (tag != DW_TAG_member) {
            if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type &&
                tag != DW_TAG_enumeration_type)
                count_skipped(r, tag);
            continue;
        }
        if (!grow_array((void **)&members, &cap, n, sizeof *members)) {
            nomem(r);
            dwarf_dealloc_die(m);
            break;
        }
        ag_member *mb = &members[n++];
        memset(mb, 0, sizeof *mb);
        mb->name = dup_or_null(r, die_name(r, m));
        mb->type = type_attr(r, m);
        Dwarf_Unsigned align = 0;
        if (attr_udata(r, m, DW_AT_alignment, &align) == 1)
            mb->alignment = (uint32_t)align;
        read_member_position(r, m, mb);
    }
    ag_type *ty = &r->c->types[t];
    ty->members = members;
    ty->n_members = n;
}

static ag_type_ref read_aggregate(reader *r, Dwarf_Die die, Dwarf_Off off, ag_type_kind kind)
{
    const char *name = die_name(r, die);
    int decl = attr_flag(r, die, DW_AT_declaration);
    uint64_t key = named_key(kind, name);
    uint32_t existing;
    ag_type_ref t;
    if (name && ag_u64map_get(&r->named, key, &existing)) {
        /* Another unit's copy of the same named type: reuse it, and complete
           it if all we had so far was a declaration. */
        ag_u64map_put(&r->die_types, off, existing);
        if (decl == 1 || !r->c->types[existing].declaration_only)
            return existing;
        t = existing;
        r->c->types[t].declaration_only = false;
    } else {
        t = new_type(r, kind, off);
        if (t == AG_NO_TYPE)
            return t;
        r->c->types[t].name = dup_or_null(r, name);
        if (name && !ag_u64map_put(&r->named, key, t))
            nomem(r);
        if (decl == 1) {
            r->c->types[t].declaration_only = true;
            read_decl(r, die, &r->c->types[t].decl_file, &r->c->types[t].decl_line);
            return t;
        }
    }
    Dwarf_Unsigned size = 0, align = 0;
    attr_udata(r, die, DW_AT_byte_size, &size);
    r->c->types[t].byte_size = size;
    if (attr_udata(r, die, DW_AT_alignment, &align) == 1)
        r->c->types[t].alignment = (uint32_t)align;
    read_decl(r, die, &r->c->types[t].decl_file, &r->c->types[t].decl_line);
    if (kind == AG_T_ENUM)
        return t; /* enumerators are read by the caller */
    read_members(r, die, t);
    return t;
}

static bool type_is_signed(const reader *r, ag_type_ref t)
{
    for (int guard = 0; t < r->c->n_types && guard < 16; guard++) {
        const ag_type *ty = &r->c->types[t];
        if (ty->kind == AG_T_BASE)
            return ty->encoding == AG_ENC_SIGNED || ty->encoding == AG_ENC_SIGNED_CHAR;
        t = ty->target;
    }
    return false;
}

static void read_enumerator_value(reader *r, Dwarf_Die en, bool underlying_signed, ag_enumerator *out)
{
    Dwarf_Attribute a;
    if (attr_get(r, en, DW_AT_const_value, &a) != 1)
        return;
    Dwarf_Half form = 0;
    Dwarf_Error e = NULL;
    dwarf_whatform(a, &form, &e);
    Dwarf_Unsigned u = 0;
    Dwarf_Signed s = 0;
    if (form == DW_FORM_sdata || form == DW_FORM_implicit_const) {
        if (dwarf_formsdata(a, &s, &e) == DW_DLV_OK)
            out->value = s;
    } else if (dwarf_formudata(a, &u, &e) == DW_DLV_OK) {
        unsigned bits = form == DW_FORM_data1 ? 8 : form == DW_FORM_data2 ? 16
                      : form == DW_FORM_data4 ? 32 : 64;
        if (underlying_signed && bits < 64 && (u >> (bits - 1)) & 1)
            u |= ~(Dwarf_Unsigned)0 << bits; /* sign-extend */
        if (!underlying_signed && u > (Dwarf_Unsigned)INT64_MAX)
            out->value_unsigned = true;
        out->value = (int64_t)u;
    }
    if (e)
        dwarf_dealloc_error(r->dbg, e);
    dwarf_dealloc_attribute(a);
}

static ag_type_ref read_enum(reader *r, Dwarf_Die die, Dwarf_Off off)
{
    bool had_name_before = false;
    const char *name = die_name(r, die);
    uint32_t existing;
    if (name && ag_u64map_get(&r->named, named_key(AG_T_ENUM, name), &existing))
        had_name_before = !r->c->types[existing].declaration_only;
    ag_type_ref t = read_aggregate(r, die, off, AG_T_ENUM);
    if (t == AG_NO_TYPE || had_name_before || r->c->types[t].declaration_only)
        return t;
    Dwarf_Off uoff;
    if (attr_ref(r, die, DW_AT_type, &uoff) == 1) {
        ag_type_ref u = resolve_type(r, uoff);
        r->c->types[t].target = u;
    }
    bool is_signed = type_is_signed(r, r->c->types[t].target);
    if (r->c->types[t].target == AG_NO_TYPE) {
        /* No underlying type (DWARF 4): DW_AT_encoding, where given, says. */
        Dwarf_Unsigned enc = 0;
        if (attr_udata(r, die, DW_AT_encoding, &enc) == 1)
            is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
    }
    ag_enumerator *list = NULL;
    size_t n = 0, cap = 0;
    for (Dwarf_Die en = first_child(r, die); en && !failed(r); en = next_sibling(r, en)) {
        if (die_tag(r, en) != DW_TAG_enumerator)
            continue;
        if (!die_name(r, en)) {
            /* No C source can name it, so no binary depends on its value;
               counted among what was not modelled. */
            count_skipped(r, DW_TAG_enumerator);
            continue;
        }
        if (!grow_array((void **)&list, &cap, n, sizeof *list)) {
            nomem(r);
            dwarf_dealloc_die(en);
            break;
        }
        ag_enumerator *e = &list[n++];
        memset(e, 0, sizeof *e);
        e->name = dup_or_null(r, die_name(r, en));
        read_enumerator_value(r, en, is_signed, e);
    }
    r->c->types[t].enumerators = list;
    r->c->types[t].n_enumerators = n;
    return t;
}

static uint64_t read_dimension(reader *r, Dwarf_Die sub)
{
    Dwarf_Unsigned count = 0, upper = 0, lower = 0;
    if (attr_udata(r, sub, DW_AT_count, &count) == 1)
        return count;
    if (attr_udata(r, sub, DW_AT_upper_bound, &upper) != 1)
        return AG_DIM_UNKNOWN;
    attr_udata(r, sub, DW_AT_lower_bound, &lower);
    if ((Dwarf_Signed)upper == -1) /* int a[0], as gcc writes it */
        return 0;
    return upper - lower + 1;
}

static ag_type_ref read_array(reader *r, Dwarf_Die die, Dwarf_Off off)
{
    ag_type_ref t = new_type(r, AG_T_ARRAY, off);
    if (t == AG_NO_TYPE)
        return t;
    uint64_t *dims = NULL;
    size_t n = 0, cap = 0;
    for (Dwarf_Die sub = first_child(r, die); sub && !failed(r); sub = next_sibling(r, sub)) {
        Dwarf_Half tag = die_tag(r, sub);
        if (tag != DW_TAG_subrange_type && tag != DW_TAG_enumeration_type)
            continue;
        if (!grow_array((void **)&dims, &cap, n, sizeof *dims)) {
            nomem(r);
            dwarf_dealloc_die(sub);
            break;
        }
        dims[n++] = tag == DW_TAG_subrange_type ? read_dimension(r, sub) : AG_DIM_UNKNOWN;
    }
    r->c->types[t].dims = dims;
    r->c->types[t].n_dims = n;
    Dwarf_Unsigned size = 0;
    if (attr_udata(r, die, DW_AT_byte_size, &size) == 1)
        r->c->types[t].byte_size = size;
    ag_type_ref elem = type_attr(r, die);
    r->c->types[t].target = elem;
    return t;
}

/* Parameters of a subprogram or subroutine type. A parameter of a concrete
   out-of-line instance carries only DW_AT_abstract_origin: follow it. */
static void read_params(reader *r, Dwarf_Die die, ag_param **out, size_t *n_out, bool *variadic)
{
    ag_param *params = NULL;
    size_t n = 0, cap = 0;
    for (Dwarf_Die p = first_child(r, die); p && !failed(r); p = next_sibling(r, p)) {
        Dwarf_Half tag = die_tag(r, p);
        if (tag == DW_TAG_unspecified_parameters) {
            *variadic = true;
            continue;
        }
        if (tag != DW_TAG_formal_parameter)
            continue;
        if (!grow_array((void **)&params, &cap, n, sizeof *params)) {
            nomem(r);
            dwarf_dealloc_die(p);
            break;
        }
        ag_param *pa = &params[n++];
        memset(pa, 0, sizeof *pa); /* freed as it is if reading it fails */
        Dwarf_Die src = p;
        Dwarf_Die origin = NULL;
        Dwarf_Off ooff;
        int has_type = attr_present(r, p, DW_AT_type);
        if (has_type < 0) {
            dwarf_dealloc_die(p);
            break;
        }
        if (!has_type && attr_ref(r, p, DW_AT_abstract_origin, &ooff) == 1) {
            origin = die_at(r, ooff);
            if (origin)
                src = origin;
        }
        pa->name = dup_or_null(r, die_name(r, src));
        pa->type = type_attr(r, src);
        if (origin)
            dwarf_dealloc_die(origin);
    }
    *out = params;
    *n_out = n;
}

static ag_type_ref read_subroutine(reader *r, Dwarf_Die die, Dwarf_Off off)
{
    ag_type_ref t = new_type(r, AG_T_FUNC, off);
    if (t == AG_NO_TYPE)
        return t;
    r->c->types[t].prototyped = attr_flag(r, die, DW_AT_prototyped) == 1;
    ag_type_ref ret = type_attr(r, die);
    r->c->types[t].target = ret;
    ag_param *params = NULL;
    size_t n = 0;
    bool variadic = false;
    read_params(r, die, &params, &n, &variadic);
    ag_type *ty = &r->c->types[t];
    ty->params = params;
    ty->n_params = n;
    ty->variadic = variadic;
    return t;
}

static ag_type_ref read_type_die(reader *r, Dwarf_Die die, Dwarf_Off off)
{
    Dwarf_Half tag = die_tag(r, die);
    switch (tag) {
    case DW_TAG_base_type: return read_base(r, die, off, AG_T_BASE);
    case DW_TAG_unspecified_type: return read_base(r, die, off, AG_T_BASE);
    case DW_TAG_pointer_type: return read_pointer_like(r, die, off, AG_T_POINTER);
    case DW_TAG_const_type: return read_pointer_like(r, die, off, AG_T_CONST);
    case DW_TAG_volatile_type: return read_pointer_like(r, die, off, AG_T_VOLATILE);
    case DW_TAG_restrict_type: return read_pointer_like(r, die, off, AG_T_RESTRICT);
    case DW_TAG_atomic_type: return read_pointer_like(r, die, off, AG_T_ATOMIC);
    case DW_TAG_typedef: return read_pointer_like(r, die, off, AG_T_TYPEDEF);
    case DW_TAG_structure_type: return read_aggregate(r, die, off, AG_T_STRUCT);
    case DW_TAG_class_type: return read_aggregate(r, die, off, AG_T_STRUCT);
    case DW_TAG_union_type: return read_aggregate(r, die, off, AG_T_UNION);
    case DW_TAG_enumeration_type: return read_enum(r, die, off);
    case DW_TAG_array_type: return read_array(r, die, off);
    case DW_TAG_subroutine_type: return read_subroutine(r, die, off);
    default: {
        count_skipped(r, tag);
        const char *tname = NULL;
        char buf[32];
        if (dwarf_get_TAG_name(tag, &tname) != DW_DLV_OK) {
            snprintf(buf, sizeof buf, "DW_TAG_0x%x", tag);
            tname = buf;
        }
        return unknown_type(r, off, tname);
    }
    }
}

static ag_type_ref resolve_type(reader *r, Dwarf_Off off)
{
    uint32_t t;
    if (failed(r))
        return AG_NO_TYPE;
    if (ag_u64map_get(&r->die_types, off, &t))
        return t;
    if ((off & ALT_FLAG) && !r->alt_dbg) {
        r->skipped_other++;
        return unknown_type(r, off, "type in a missing dwz alternate file");
    }
    if (++r->depth > AG_MAX_TYPE_DEPTH) {
        r->depth--;
        r->status = ag_fail(r->err, AG_ERR_DWARF, "corrupt DWARF: type references nest deeper than %d",
                            AG_MAX_TYPE_DEPTH);
        return AG_NO_TYPE;
    }
    Dwarf_Die die = die_at(r, off);
    ag_type_ref result = AG_NO_TYPE;
    Dwarf_Debug saved = r->dbg;
    if (off & ALT_FLAG)
        r->dbg = r->alt_dbg;
    if (die) {
        result = read_type_die(r, die, off);
        dwarf_dealloc_die(die);
    }
    r->dbg = saved;
    r->depth--;
    return failed(r) ? AG_NO_TYPE : result;
}

/* ------------------------------------------------------------------ */
/* Interfaces: finding the DIE for each exported symbol                */

static bool is_function_symbol(const ag_symbol *s)
{
    return s->type == AG_SYM_FUNC || s->type == AG_SYM_IFUNC;
}

static bool is_data_symbol(const ag_symbol *s)
{
    return s->type == AG_SYM_OBJECT || s->type == AG_SYM_TLS || s->type == AG_SYM_COMMON;
}

static uint64_t name_key(const char *name)
{
    ag_hasher hs;
    ag_hash_init(&hs);
    ag_hash_str(&hs, name);
    return ag_hash_final(&hs);
}

/* Calls fn for every export with this name (exports of one name may come in
   several versions). Exports are sorted by name before reading starts. */
/* An IFUNC symbol's value is its resolver; DWARF at that address (or of
   the same name without an address) describes the resolver, not the
   function callers get. Such symbols keep no signature, as with abidw. */
static bool describes_resolver(const ag_symbol *s, const candidate *cand)
{
    return s->type == AG_SYM_IFUNC && (!cand->has_addr || cand->addr == s->value);
}

static void for_exports_named(reader *r, const char *name, bool want_function, const candidate *cand)
{
    uint32_t i;
    if (!ag_u64map_get(&r->export_by_name, name_key(name), &i))
        return;
    for (; i < r->c->n_exports && strcmp(r->c->exports[i].name, name) == 0; i++) {
        const ag_symbol *s = &r->c->exports[i];
        candidate *slot = want_function ? &r->fn_by_export[i] : &r->var_by_export[i];
        if ((want_function ? !is_function_symbol(s) : !is_data_symbol(s)) || describes_resolver(s, cand))
            continue;
        /* A definition at the symbol's own address beats a name match. */
        bool better = slot->sig_off == 0 ||
                      (cand->has_addr && cand->addr == s->value && !(slot->has_addr && slot->addr == s->value));
        if (better)
            *slot = *cand;
    }
}

static void for_exports_at(reader *r, Dwarf_Addr addr, bool want_function, const candidate *cand)
{
    uint32_t i;
    if (!ag_u64map_get(&r->export_by_addr, addr, &i))
        return;
    for (; i != UINT32_MAX; i = r->next_same_addr[i]) {
        const ag_symbol *s = &r->c->exports[i];
        candidate *slot = want_function ? &r->fn_by_export[i] : &r->var_by_export[i];
        if ((want_function ? !is_function_symbol(s) : !is_data_symbol(s)) || describes_resolver(s, cand))
            continue;
        if (slot->sig_off == 0 || !(slot->has_addr && slot->addr == s->value))
            *slot = *cand;
    }
}

/* Follows DW_AT_abstract_origin / DW_AT_specification to the DIE that
   carries the name and the declared parameters. */
static Dwarf_Off origin_of(reader *r, Dwarf_Die die, Dwarf_Off self)
{
    Dwarf_Off off = self;
    Dwarf_Off next;
    Dwarf_Die cur = NULL;
    for (int hops = 0; hops < 4 && !failed(r); hops++) {
        Dwarf_Die d = cur ? cur : die;
        int f = attr_ref(r, d, DW_AT_abstract_origin, &next);
        if (f == 0)
            f = attr_ref(r, d, DW_AT_specification, &next);
        if (f != 1 || (next & ALT_FLAG))
            break;
        if (cur)
            dwarf_dealloc_die(cur);
        cur = die_at(r, next);
        if (!cur)
            break;
        off = next;
        if (die_name(r, cur))
            break;
    }
    if (cur)
        dwarf_dealloc_die(cur);
    return off;
}

/* The address of a global definition by name, from the debug file's full
   symbol table: functions split into hot and cold parts have DW_AT_ranges
   instead of DW_AT_low_pc, and may be exported only under an alias. */
static bool symtab_address(const reader *r, const char *name, Dwarf_Addr *addr)
{
    uint32_t i;
    if (!name || !r->n_symtab_values || !ag_u64map_get(&r->symtab_addr, name_key(name), &i))
        return false;
    *addr = r->symtab_values[i];
    return *addr != 0;
}

static void consider_subprogram(reader *r, Dwarf_Die die, Dwarf_Off off)
{
    const char *name = die_name(r, die);
    Dwarf_Addr low = 0;
    Dwarf_Error e = NULL;
    bool has_addr = dwarf_lowpc(die, &low, &e) == DW_DLV_OK;
    if (e)
        dwarf_dealloc_error(r->dbg, e);
    /* (Any such definition that libdwarf can read, with DW_AT_ranges or
       not, is looked up: attr_present() only fails on a corrupt DIE.) */
    if (!has_addr && name && attr_flag(r, die, DW_AT_declaration) != 1 &&
        attr_present(r, die, DW_AT_ranges) >= 0)
        has_addr = symtab_address(r, name, &low);
    uint32_t dummy;
    bool addr_match = has_addr && ag_u64map_get(&r->export_by_addr, low, &dummy);
    if (name) {
        if (attr_flag(r, die, DW_AT_declaration) == 1)
            return;
        candidate cand = { .sig_off = off, .def_off = off, .has_addr = has_addr, .addr = low };
        if (addr_match)
            for_exports_at(r, low, true, &cand);
        /* A named definition's own children carry parameter names and types. */
        if (attr_flag(r, die, DW_AT_external) == 1)
            for_exports_named(r, name, true, &cand);
        return;
    }
    /* A concrete instance of an inlined or separately declared function:
       only interesting when it sits at an exported address, or when its
       origin is an exported name. */
    Dwarf_Off sig = origin_of(r, die, off);
    if (sig == off)
        return;
    candidate cand = { .sig_off = sig, .def_off = off, .has_addr = has_addr, .addr = low };
    if (addr_match)
        for_exports_at(r, low, true, &cand);
    Dwarf_Die sd = die_at(r, sig);
    if (!sd)
        return;
    const char *sname = die_name(r, sd);
    if (sname && attr_flag(r, sd, DW_AT_external) == 1)
        for_exports_named(r, sname, true, &cand);
    dwarf_dealloc_die(sd);
}

static bool variable_address(reader *r, Dwarf_Die die, Dwarf_Addr *addr)
{
    Dwarf_Attribute a;
    if (attr_get(r, die, DW_AT_location, &a) != 1)
        return false;
    Dwarf_Unsigned len = 0;
    Dwarf_Ptr p = NULL;
    Dwarf_Error e = NULL;
    bool ok = false;
    if (dwarf_formexprloc(a, &len, &p, &e) == DW_DLV_OK && len == 9 &&
        ((unsigned char *)p)[0] == DW_OP_addr) {
        const unsigned char *b = (const unsigned char *)p + 1;
        *addr = 0;
        for (int i = 7; i >= 0; i--)
            *addr = (*addr << 8) | b[i];
        ok = true;
    } else if (e) {
        dwarf_dealloc_error(r->dbg, e);
    }
    dwarf_dealloc_attribute(a);
    return ok;
}

static void consider_variable(reader *r, Dwarf_Die die, Dwarf_Off off)
{
    if (attr_flag(r, die, DW_AT_declaration) == 1)
        return;
    Dwarf_Off sig = origin_of(r, die, off);
    Dwarf_Addr addr = 0;
    bool has_addr = variable_address(r, die, &addr);
    candidate cand = { .sig_off = sig, .def_off = off, .has_addr = has_addr, .addr = addr };
    if (has_addr)
        for_exports_at(r, addr, false, &cand);
    const char *name = die_name(r, die);
    Dwarf_Die sd = NULL;
    if (!name && sig != off) {
        sd = die_at(r, sig);
        name = sd ? die_name(r, sd) : NULL;
    }
    int external = attr_flag(r, sd ? sd : die, DW_AT_external);
    if (external != 1 && !sd)
        external = attr_flag(r, die, DW_AT_external);
    if (name && external == 1)
        for_exports_named(r, name, false, &cand);
    if (sd)
        dwarf_dealloc_die(sd);
}

/* Declarations mode: a top-level external declaration of a symbol the
   binary imports (gcc writes one in every unit that calls or uses it) is
   what the binary's compiler saw in the library's headers. The first one
   found for a name describes it. */
/* An external declaration that names no import: a function or variable
   defined in another unit of the same binary, or the C name of an import
   bound with .symver (`.symver foo_old, foo@V1`: the import is foo@V1, the
   declaration foo_old, and nothing in the linked file ties them). */
typedef struct orphan {
    char *name;
    Dwarf_Off off;
    bool function;
    bool used;
} orphan;

static void consider_declaration(reader *r, Dwarf_Die die, Dwarf_Off off, Dwarf_Half tag)
{
    const char *name = die_name(r, die);
    if (name && attr_flag(r, die, DW_AT_declaration) != 1 && !ag_u64map_put(&r->defined, name_key(name), 1))
        nomem(r);
    if (attr_flag(r, die, DW_AT_declaration) != 1 || attr_flag(r, die, DW_AT_external) != 1)
        return;
    uint32_t i;
    if (name && !ag_u64map_get(&r->export_by_name, name_key(name), &i)) {
        if (grow_array((void **)&r->orphans, &r->cap_orphans, r->n_orphans, sizeof *r->orphans)) {
            r->orphans[r->n_orphans] = (orphan){ .name = dup_or_null(r, name), .off = off,
                                                 .function = tag == DW_TAG_subprogram };
            if (r->orphans[r->n_orphans].name)
                r->n_orphans++;
        } else {
            nomem(r);
        }
        return;
    }
    if (!name)
        return;
    const ag_symbol *s = &r->c->exports[i];
    bool function = tag == DW_TAG_subprogram;
    if (function ? is_data_symbol(s) : is_function_symbol(s))
        return;
    candidate *slot = function ? &r->fn_by_export[i] : &r->var_by_export[i];
    if (slot->sig_off)
        return;
    *slot = (candidate){ .sig_off = off, .def_off = off };
    r->n_declared++;
}

/* With public headers known, a type they declare is API even when no
   exported signature reaches it (an enum whose values a function returns
   as int, a struct only macros use): a named type definition at the top
   of a unit, or an anonymous enum, whose declaration file has a public
   header's base name is read after the interfaces (surface.c decides
   which of those files really are the headers). */
static void consider_public_type(reader *r, Dwarf_Die die, Dwarf_Off off, Dwarf_Half tag)
{
    if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type && tag != DW_TAG_enumeration_type &&
        tag != DW_TAG_typedef)
        return;
    if (attr_flag(r, die, DW_AT_declaration) == 1 || (!die_name(r, die) && tag != DW_TAG_enumeration_type))
        return;
    char *file = NULL;
    uint32_t line = 0;
    read_decl(r, die, &file, &line);
    bool wanted = ag_surface_may_declare(r->c, file);
    free(file);
    if (!wanted)
        return;
    if (r->n_public_types == r->cap_public_types) {
        size_t cap = r->cap_public_types ? r->cap_public_types * 2 : 64;
        Dwarf_Off *bigger = realloc(r->public_types, cap * sizeof *bigger);
        if (!bigger) {
            nomem(r);
            return;
        }
        r->public_types = bigger;
        r->cap_public_types = cap;
    }
    r->public_types[r->n_public_types++] = off;
}

/* A struct, union or enum that one unit only declares (`struct foo;`) is
   usually defined in another: the first complete top-level definition of
   each name is remembered, so that a type read as a declaration can be
   completed (complete_declarations) however the reader reached it first. */
static void remember_definition(reader *r, Dwarf_Die die, Dwarf_Off off, Dwarf_Half tag)
{
    ag_type_kind kind = tag == DW_TAG_union_type ? AG_T_UNION : tag == DW_TAG_enumeration_type ? AG_T_ENUM
                                                                                                : AG_T_STRUCT;
    const char *name = die_name(r, die);
    uint32_t slot;
    if (!name || ag_u64map_get(&r->definitions, named_key(kind, name), &slot) ||
        attr_flag(r, die, DW_AT_declaration) != 0)
        return;
    if (r->n_definitions == r->cap_definitions) {
        size_t cap = r->cap_definitions ? r->cap_definitions * 2 : 256;
        Dwarf_Off *bigger = realloc(r->definition_offs, cap * sizeof *bigger);
        if (!bigger) {
            nomem(r);
            return;
        }
        r->definition_offs = bigger;
        r->cap_definitions = cap;
    }
    r->definition_offs[r->n_definitions] = off;
    if (!ag_u64map_put(&r->definitions, named_key(kind, name), (uint32_t)r->n_definitions++))
        nomem(r);
}

/* ------------------------------------------------------------------ */
/* What a binary's own code holds by value (declarations mode)         */

void ag_held_types_free(ag_held_types *h)
{
    for (size_t i = 0; h && i < h->n; i++) {
        free(h->v[i].name);
        free(h->v[i].container);
    }
    if (h)
        free(h->v);
}

static void hold(reader *r, const char *name, const char *container)
{
    ag_held_types *h = r->held;
    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->v[i].name, name) == 0 &&
            (h->v[i].container && container ? strcmp(h->v[i].container, container) == 0
                                            : h->v[i].container == container))
            return;
    if (!grow_array((void **)&h->v, &h->cap, h->n, sizeof *h->v)) {
        nomem(r);
        return;
    }
    ag_held_type *t = &h->v[h->n];
    t->name = dup_or_null(r, name);
    t->container = dup_or_null(r, container);
    if (t->name)
        h->n++;
    else
        free(t->container);
}

/* "struct x" / "union x" for a named struct or union DIE, else NULL. */
static bool aggregate_name(reader *r, Dwarf_Die die, Dwarf_Half tag, char *buf, size_t len)
{
    const char *name = die_name(r, die);
    if (!name || (tag != DW_TAG_structure_type && tag != DW_TAG_union_type && tag != DW_TAG_class_type))
        return false;
    snprintf(buf, len, "%s %s", tag == DW_TAG_union_type ? "union" : "struct", name);
    return true;
}

/* The type of die, followed through typedefs, qualifiers and arrays (by
   value, never through a pointer): the typedefs met and the struct or
   union at the end are held. */
static void note_by_value(reader *r, Dwarf_Die die, const char *container)
{
    Dwarf_Off off;
    if (attr_ref(r, die, DW_AT_type, &off) != 1)
        return;
    /* A chain of typedefs and qualifiers cannot loop in valid DWARF; one
       that does ends here, which only ends this name collection. */
    for (size_t steps = 0; steps < ((size_t)1 << 20) && !failed(r); steps++) {
        Dwarf_Die t = die_at(r, off);
        if (!t)
            return;
        Dwarf_Half tag = die_tag(r, t);
        char buf[512];
        bool follow = tag == DW_TAG_typedef || tag == DW_TAG_const_type || tag == DW_TAG_volatile_type ||
                      tag == DW_TAG_restrict_type || tag == DW_TAG_atomic_type || tag == DW_TAG_array_type;
        if (tag == DW_TAG_typedef && die_name(r, t))
            hold(r, die_name(r, t), container);
        else if (aggregate_name(r, t, tag, buf, sizeof buf))
            hold(r, buf, container);
        Dwarf_Off next = 0;
        bool more = follow && attr_ref(r, t, DW_AT_type, &next) == 1;
        dwarf_dealloc_die(t);
        if (!more)
            return;
        off = next;
    }
}

/* Parameters, locals and members among die's children, into nested
   blocks and local struct definitions. */
static void note_children(reader *r, Dwarf_Die parent, const char *container, int depth)
{
    for (Dwarf_Die d = first_child(r, parent); d && !failed(r); d = next_sibling(r, d)) {
        Dwarf_Half tag = die_tag(r, d);
        char buf[512];
        if (tag == DW_TAG_formal_parameter || tag == DW_TAG_variable || tag == DW_TAG_member)
            note_by_value(r, d, container);
        else if (depth >= AG_MAX_TYPE_DEPTH)
            r->skipped_other++; /* nested deeper than the reader goes: counted, not read */
        else if (tag == DW_TAG_lexical_block || tag == DW_TAG_inlined_subroutine)
            note_children(r, d, container, depth + 1);
        else if (tag == DW_TAG_structure_type || tag == DW_TAG_union_type || tag == DW_TAG_class_type)
            note_children(r, d, aggregate_name(r, d, tag, buf, sizeof buf) ? buf : "(anonymous)", depth + 1);
    }
}

/* One top-level DIE of the binary's own: a variable it defines, a function
   it defines, a struct or union it defines (library headers' structs too:
   binding.c keeps only containers that are not the library's). */
static void note_definition(reader *r, Dwarf_Die d, Dwarf_Half tag)
{
    char buf[512];
    if (attr_flag(r, d, DW_AT_declaration) == 1)
        return;
    if (tag == DW_TAG_variable)
        note_by_value(r, d, NULL);
    else if (tag == DW_TAG_subprogram)
        note_children(r, d, NULL, 0);
    else if (tag == DW_TAG_structure_type || tag == DW_TAG_union_type || tag == DW_TAG_class_type)
        note_children(r, d, aggregate_name(r, d, tag, buf, sizeof buf) ? buf : "(anonymous)", 0);
}

static void scan_unit(reader *r, Dwarf_Die unit)
{
    bool public_types = !r->declarations && r->c->surface.recorded;
    for (Dwarf_Die d = first_child(r, unit); d && !failed(r); d = next_sibling(r, d)) {
        Dwarf_Half tag = die_tag(r, d);
        if (r->declarations) {
            if (tag == DW_TAG_subprogram || tag == DW_TAG_variable)
                consider_declaration(r, d, die_offset(r, d), tag);
            if (r->held)
                note_definition(r, d, tag);
            continue;
        }
        if (tag == DW_TAG_subprogram)
            consider_subprogram(r, d, die_offset(r, d));
        else if (tag == DW_TAG_variable)
            consider_variable(r, d, die_offset(r, d));
        if (tag == DW_TAG_structure_type || tag == DW_TAG_class_type || tag == DW_TAG_union_type ||
            tag == DW_TAG_enumeration_type)
            remember_definition(r, d, die_offset(r, d), tag);
        if (public_types)
            consider_public_type(r, d, die_offset(r, d), tag);
    }
}

/* Completes every named struct, union or enum read only as a declaration
   for which some unit has a definition (a forward declaration and a typedef
   in the header one unit includes, the definition in another's). Types read
   on the way are completed too: the loop runs to the growing end. */
static void complete_declarations(reader *r)
{
    for (size_t i = 0; i < r->c->n_types && !failed(r); i++) {
        const ag_type *t = &r->c->types[i];
        uint32_t slot;
        if (!t->declaration_only || !t->name ||
            !ag_u64map_get(&r->definitions, named_key(t->kind, t->name), &slot))
            continue;
        resolve_type(r, r->definition_offs[slot]);
    }
}

/* After the interfaces, so that their types are read exactly as without
   headers; a type already read by name costs a map lookup. */
static void read_public_types(reader *r)
{
    for (size_t i = 0; i < r->n_public_types && !failed(r); i++)
        resolve_type(r, r->public_types[i]);
}

/* A skeleton unit of -gsplit-dwarf: the unit's DIEs are in a .dwo file
   (DWARF 5 DW_UT_skeleton, or the GNU extension's DW_AT_GNU_dwo_name). */
static bool is_split_unit(reader *r, Dwarf_Die unit, Dwarf_Half unit_type)
{
    if (unit_type == DW_UT_skeleton || unit_type == DW_UT_split_compile)
        return true;
    return attr_present(r, unit, DW_AT_GNU_dwo_name) == 1 || attr_present(r, unit, DW_AT_dwo_name) == 1;
}

/* Reading on would give a corpus that claims debug info and holds nothing:
   the functions and types are all in the .dwo files, which are not read. */
static void split_unit_failure(reader *r, Dwarf_Die unit)
{
    const char *dwo = NULL;
    Dwarf_Attribute a;
    if (attr_get(r, unit, DW_AT_dwo_name, &a) == 1 || attr_get(r, unit, DW_AT_GNU_dwo_name, &a) == 1) {
        char *s = NULL;
        Dwarf_Error e = NULL;
        if (dwarf_formstring(a, &s, &e) == DW_DLV_OK)
            dwo = s;
        else if (e)
            dwarf_dealloc_error(r->dbg, e);
        dwarf_dealloc_attribute(a);
    }
    if (!failed(r))
        r->status = ag_fail(r->err, AG_ERR_UNSUPPORTED,
                            "the debug info is split into .dwo files (-gsplit-dwarf%s%.200s), which abiguard "
                            "does not read: build without -gsplit-dwarf, or extract from a debug file that "
                            "holds the units",
                            dwo ? ", e.g. " : "", dwo ? dwo : "");
}

static void scan_units(reader *r)
{
    uint64_t units = 0;
    for (;;) {
        Dwarf_Unsigned hdr_len = 0, abbrev_off = 0, next_off = 0, typeoff = 0;
        Dwarf_Half version = 0, addr_size = 0, len_size = 0, ext_size = 0, unit_type = 0;
        Dwarf_Sig8 sig;
        Dwarf_Error e = NULL;
        int rc = dwarf_next_cu_header_d(r->dbg, 1, &hdr_len, &version, &abbrev_off, &addr_size,
                                        &len_size, &ext_size, &sig, &typeoff, &next_off,
                                        &unit_type, &e);
        if (rc == DW_DLV_NO_ENTRY)
            break;
        if (rc != DW_DLV_OK) {
            dwarf_failure(r, e, "reading a unit header");
            break;
        }
        if (version > r->c->dwarf_version)
            r->c->dwarf_version = version;
        Dwarf_Die unit = NULL;
        rc = dwarf_siblingof_b(r->dbg, NULL, 1, &unit, &e);
        if (rc == DW_DLV_ERROR) {
            dwarf_failure(r, e, "reading a unit's first DIE");
            break;
        }
        if (rc == DW_DLV_OK) {
            if (is_split_unit(r, unit, unit_type))
                split_unit_failure(r, unit);
            else if (!ag_source_units_add(&r->units, die_string(r, unit, DW_AT_comp_dir), die_name(r, unit)))
                nomem(r);
            else
                scan_unit(r, unit);
            dwarf_dealloc_die(unit);
        }
        ag_progress("reading DWARF units", ++units, 0);
        if (failed(r))
            break;
    }
    ag_progress_end();
}

/* ------------------------------------------------------------------ */
/* Building functions and variables from the chosen DIEs               */

static void build_function(reader *r, const ag_symbol *sym, const candidate *cand)
{
    Dwarf_Die sig = die_at(r, cand->sig_off);
    if (!sig)
        return;
    Dwarf_Die def = cand->def_off != cand->sig_off ? die_at(r, cand->def_off) : NULL;
    ag_function fn;
    memset(&fn, 0, sizeof fn);
    fn.name = dup_or_null(r, sym->name);
    fn.return_type = type_attr(r, sig);
    fn.prototyped = attr_flag(r, sig, DW_AT_prototyped) == 1;
    Dwarf_Unsigned cc = 0;
    if (attr_udata(r, sig, DW_AT_calling_convention, &cc) == 1 && cc != DW_CC_normal)
        fn.calling_convention = (uint32_t)cc;
    read_params(r, sig, &fn.params, &fn.n_params, &fn.variadic);
    read_decl(r, sig, &fn.decl_file, &fn.decl_line);
    if (def)
        dwarf_dealloc_die(def);
    dwarf_dealloc_die(sig);
    ag_corpus *c = r->c;
    size_t cap = c->n_functions; /* grown one by one: functions are few */
    ag_function *bigger = realloc(c->functions, (cap + 1) * sizeof *bigger);
    if (!bigger || failed(r)) {
        if (!bigger)
            nomem(r);
        else
            c->functions = bigger;
        free(fn.name);
        for (size_t i = 0; i < fn.n_params; i++)
            free(fn.params[i].name);
        free(fn.params);
        free(fn.decl_file);
        return;
    }
    c->functions = bigger;
    c->functions[c->n_functions++] = fn;
}

static void build_variable(reader *r, const ag_symbol *sym, const candidate *cand)
{
    Dwarf_Die sig = die_at(r, cand->sig_off);
    if (!sig)
        return;
    Dwarf_Die def = cand->def_off != cand->sig_off ? die_at(r, cand->def_off) : NULL;
    ag_variable v;
    memset(&v, 0, sizeof v);
    v.name = dup_or_null(r, sym->name);
    /* The definition may refine the type (`int a[]` declared, `int a[4]` defined). */
    bool def_has_type = def && attr_present(r, def, DW_AT_type) == 1;
    v.type = type_attr(r, def_has_type ? def : sig);
    read_decl(r, sig, &v.decl_file, &v.decl_line);
    if (def)
        dwarf_dealloc_die(def);
    dwarf_dealloc_die(sig);
    ag_corpus *c = r->c;
    ag_variable *bigger = realloc(c->variables, (c->n_variables + 1) * sizeof *bigger);
    if (!bigger || failed(r)) {
        if (!bigger)
            nomem(r);
        else
            c->variables = bigger;
        free(v.name);
        free(v.decl_file);
        return;
    }
    c->variables = bigger;
    c->variables[c->n_variables++] = v;
}

/* Aliases: a definition found by name (its own address may be unknown when
   it is split into hot and cold ranges) also describes every other export
   at the same address — `fflush` is a weak alias of `_IO_fflush`. */
static void propagate_to_aliases(reader *r)
{
    ag_corpus *c = r->c;
    for (size_t i = 0; i < c->n_exports; i++) {
        const ag_symbol *s = &c->exports[i];
        uint32_t j;
        if (!s->value || !ag_u64map_get(&r->export_by_addr, s->value, &j))
            continue;
        candidate *mine[2] = { &r->fn_by_export[i], &r->var_by_export[i] };
        for (; j != UINT32_MAX; j = r->next_same_addr[j]) {
            if (j == i)
                continue;
            const ag_symbol *alias = &c->exports[j];
            candidate *theirs[2] = { &r->fn_by_export[j], &r->var_by_export[j] };
            for (int k = 0; k < 2; k++) {
                bool right_kind = k == 0 ? is_function_symbol(alias) : is_data_symbol(alias);
                if (mine[k]->sig_off && !theirs[k]->sig_off && right_kind &&
                    !describes_resolver(alias, mine[k]))
                    *theirs[k] = *mine[k];
            }
        }
    }
}

/* One function entry per exported name (the default version wins when a
   name is exported in several versions with one DWARF definition). */
/* Gives each import without a declaration of its name the orphan
   declaration that is its C name under .symver: gcc describes only what a
   unit uses, so an external declaration of something the binary neither
   imports under that name nor defines is such an alias. The orphan whose
   name starts with the import's (foo_old for foo@V1) is taken, or the only
   orphan of its kind when the import is the only one left without. */
static void adopt_orphans(reader *r)
{
    ag_corpus *c = r->c;
    size_t n_open_fn = 0, n_open_var = 0, n_orph_fn = 0, n_orph_var = 0;
    uint32_t unused;
    for (size_t k = 0; k < r->n_orphans; k++) {
        orphan *o = &r->orphans[k];
        o->used = ag_u64map_get(&r->defined, name_key(o->name), &unused); /* defined here: not an alias */
        if (!o->used)
            *(o->function ? &n_orph_fn : &n_orph_var) += 1;
    }
    for (size_t i = 0; i < c->n_exports; i++)
        if (!r->fn_by_export[i].sig_off && !r->var_by_export[i].sig_off)
            *(is_data_symbol(&c->exports[i]) ? &n_open_var : &n_open_fn) += 1;
    for (size_t i = 0; i < c->n_exports && !failed(r); i++) {
        const ag_symbol *s = &c->exports[i];
        if (r->fn_by_export[i].sig_off || r->var_by_export[i].sig_off)
            continue;
        bool function = !is_data_symbol(s);
        size_t len = strlen(s->name);
        orphan *pick = NULL, *only = NULL;
        for (size_t k = 0; k < r->n_orphans; k++) {
            orphan *o = &r->orphans[k];
            if (o->used || o->function != function)
                continue;
            only = o;
            if (strncmp(o->name, s->name, len) == 0 && (!pick || strlen(o->name) < strlen(pick->name)))
                pick = o;
        }
        if (!pick && only && (function ? n_orph_fn == 1 && n_open_fn == 1 : n_orph_var == 1 && n_open_var == 1))
            pick = only;
        if (!pick)
            continue;
        pick->used = true;
        candidate *slot = function ? &r->fn_by_export[i] : &r->var_by_export[i];
        *slot = (candidate){ .sig_off = pick->off, .def_off = pick->off };
        r->n_declared++;
    }
}

static void build_interfaces(reader *r)
{
    ag_corpus *c = r->c;
    for (size_t i = 0; i < c->n_exports && !failed(r); i++) {
        const ag_symbol *s = &c->exports[i];
        if (i > 0 && strcmp(c->exports[i - 1].name, s->name) == 0)
            continue; /* first of a name: exports are sorted, default version first */
        size_t pick = i;
        for (size_t j = i; j < c->n_exports && strcmp(c->exports[j].name, s->name) == 0; j++) {
            if (r->fn_by_export[j].sig_off || r->var_by_export[j].sig_off) {
                pick = j;
                break;
            }
        }
        if (r->fn_by_export[pick].sig_off)
            build_function(r, &c->exports[pick], &r->fn_by_export[pick]);
        else if (r->var_by_export[pick].sig_off)
            build_variable(r, &c->exports[pick], &r->var_by_export[pick]);
    }
}

/* ------------------------------------------------------------------ */
/* Set-up and tear-down                                                */

static int cmp_export_by_name(const void *pa, const void *pb)
{
    const ag_symbol *a = pa, *b = pb;
    int d = strcmp(a->name, b->name);
    if (!d)
        d = (int)b->is_default - (int)a->is_default;
    if (!d && a->version && b->version)
        d = strcmp(a->version, b->version);
    return d;
}

/* Exports are sorted by name (default version first) so that all versions
   of a name are adjacent; aliases sharing an address are chained through
   next_same_addr. */
static bool index_exports(reader *r)
{
    ag_corpus *c = r->c;
    if (c->n_exports > 1)
        qsort(c->exports, c->n_exports, sizeof *c->exports, cmp_export_by_name);
    size_t n = c->n_exports ? c->n_exports : 1;
    r->next_same_addr = malloc(n * sizeof *r->next_same_addr);
    if (!r->next_same_addr || !ag_u64map_init(&r->export_by_name, c->n_exports) ||
        !ag_u64map_init(&r->export_by_addr, c->n_exports))
        return false;
    for (size_t i = c->n_exports; i-- > 0;) {
        /* Walking backwards leaves each map pointing at the first index. */
        const ag_symbol *s = &c->exports[i];
        uint32_t next = UINT32_MAX;
        r->next_same_addr[i] = UINT32_MAX;
        if (!ag_u64map_put(&r->export_by_name, name_key(s->name), (uint32_t)i))
            return false;
        if (!s->value)
            continue;
        if (ag_u64map_get(&r->export_by_addr, s->value, &next))
            r->next_same_addr[i] = next;
        if (!ag_u64map_put(&r->export_by_addr, s->value, (uint32_t)i))
            return false;
    }
    return true;
}

static void release(reader *r)
{
    ag_u64map_free(&r->die_types);
    ag_u64map_free(&r->named);
    ag_u64map_free(&r->export_by_name);
    ag_u64map_free(&r->export_by_addr);
    ag_u64map_free(&r->table_of_cu);
    free(r->next_same_addr);
    ag_u64map_free(&r->symtab_addr);
    free(r->symtab_values);
    free(r->fn_by_export);
    free(r->var_by_export);
    free(r->public_types);
    ag_u64map_free(&r->definitions);
    free(r->definition_offs);
    ag_u64map_free(&r->defined);
    for (size_t i = 0; i < r->n_orphans; i++)
        free(r->orphans[i].name);
    free(r->orphans);
    /* The dwarf_srcfiles() lists are left to dwarf_finish(): with
       allocation tracking on it frees them, and freeing them here first
       (against whichever of the main or alternate file made them) made
       dwarf_finish() read freed memory. */
    for (size_t i = 0; i < r->n_tables; i++)
        free(r->tables[i].comp_dir);
    free(r->tables);
    ag_line_tables_free(&r->lines);
    ag_line_tables_free(&r->alt_lines);
    ag_source_units_free(&r->units);
}

static void record_skipped(reader *r)
{
    size_t n = r->skipped_other ? 1 : 0;
    for (size_t t = 0; t < 0x100; t++)
        n += r->skipped[t] != 0;
    if (!n)
        return;
    ag_skip_count *list = calloc(n, sizeof *list);
    if (!list) {
        nomem(r);
        return;
    }
    size_t k = 0;
    for (unsigned t = 0; t < 0x100; t++) {
        if (!r->skipped[t])
            continue;
        const char *name = NULL;
        char buf[32];
        if (dwarf_get_TAG_name(t, &name) != DW_DLV_OK) {
            snprintf(buf, sizeof buf, "DW_TAG_0x%x", t);
            name = buf;
        }
        list[k].what = dup_or_null(r, name);
        list[k++].count = r->skipped[t];
    }
    if (r->skipped_other) {
        list[k].what = dup_or_null(r, "other (vendor tags, dwz alternate file)");
        list[k++].count = r->skipped_other;
    }
    r->c->skipped = list;
    r->c->n_skipped = k;
}

/* The path in .gnu_debugaltlink (dwz's shared-DIE file), resolved against
   the debug file's directory when relative; malloc'd, or NULL if none. */
static char *altlink_path(const char *debug_path)
{
    int fd = ag_open_regular_file(debug_path, NULL);
    if (fd < 0)
        return NULL;
    char *result = NULL;
    elf_version(EV_CURRENT);
    Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    size_t shstrndx;
    if (elf && elf_getshdrstrndx(elf, &shstrndx) == 0) {
        for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn && !result; scn = elf_nextscn(elf, scn)) {
            GElf_Shdr sh;
            if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
                continue;
            const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
            if (!name || strcmp(name, ".gnu_debugaltlink") != 0)
                continue;
            Elf_Data *d = elf_getdata(scn, NULL);
            if (!d || !d->d_buf || !d->d_size || !memchr(d->d_buf, '\0', d->d_size))
                break;
            const char *link = d->d_buf;
            if (link[0] == '/') {
                result = strdup(link);
            } else {
                const char *slash = strrchr(debug_path, '/');
                int dirlen = slash ? (int)(slash - debug_path) : 1;
                size_t n = (size_t)dirlen + strlen(link) + 2;
                result = malloc(n);
                if (result)
                    snprintf(result, n, "%.*s/%s", dirlen, slash ? debug_path : ".", link);
            }
        }
    }
    if (elf)
        elf_end(elf);
    close(fd);
    return result;
}

/* Indexes the function and data definitions of the debug file's .symtab
   (which separate debug files keep) by name. Best effort: without
   it, only DW_AT_low_pc addresses match aliases. */
static void load_symtab(reader *r, const char *debug_path)
{
    int fd = ag_open_regular_file(debug_path, NULL);
    if (fd < 0)
        return;
    elf_version(EV_CURRENT);
    Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    for (Elf_Scn *scn = elf ? elf_nextscn(elf, NULL) : NULL; scn; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
            continue;
        Elf_Data *data = elf_getdata(scn, NULL);
        size_t n = data ? data->d_size / sh.sh_entsize : 0;
        r->symtab_values = malloc((n ? n : 1) * sizeof *r->symtab_values);
        if (!r->symtab_values || !ag_u64map_init(&r->symtab_addr, n))
            break;
        for (size_t i = 0; i < n; i++) {
            GElf_Sym sym;
            if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF || !sym.st_value)
                continue;
            /* Hidden globals are LOCAL after linking, so locals count too; a
               name defined twice (two static functions) is ambiguous and
               left out by recording address 0. */
            int type = GELF_ST_TYPE(sym.st_info);
            if (type != STT_FUNC && type != STT_OBJECT)
                continue;
            const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
            if (!name || !*name)
                continue;
            uint32_t prev;
            if (ag_u64map_get(&r->symtab_addr, name_key(name), &prev)) {
                if (r->symtab_values[prev] != sym.st_value)
                    r->symtab_values[prev] = 0;
                continue;
            }
            r->symtab_values[r->n_symtab_values] = sym.st_value;
            if (!ag_u64map_put(&r->symtab_addr, name_key(name), (uint32_t)r->n_symtab_values))
                break;
            r->n_symtab_values++;
        }
        break;
    }
    if (elf)
        elf_end(elf);
    close(fd);
}

/* Opens the dwz alternate file, if the debug file names one that exists,
   and ties it so that libdwarf resolves DW_FORM_GNU_strp_alt strings. A
   missing alternate file is not an error: the types it holds are recorded
   as unknown. */
static void open_alternate(reader *r, const char *debug_path)
{
    char *alt = altlink_path(debug_path);
    if (!alt)
        return;
    /* Only a regular file: a FIFO named by the link would block the open. */
    r->alt_fd = ag_open_regular_file(alt, NULL);
    if (r->alt_fd < 0) {
        free(alt);
        return;
    }
    /* The alternate file goes to libdwarf too, so it is checked the same way. */
    ag_error check_err;
    ag_status st = ag_dwarf_check_sections(alt, &r->alt_lines, &check_err);
    if (st != AG_OK) {
        if (!failed(r))
            r->status = ag_fail(r->err, st, "dwz alternate file %s: %s", alt, check_err.msg);
        free(alt);
        close(r->alt_fd);
        r->alt_fd = -1;
        return;
    }
    free(alt);
    Dwarf_Error e = NULL;
    if (dwarf_init_b(r->alt_fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, on_dwarf_error, r, &r->alt_dbg, &e) !=
        DW_DLV_OK) {
        if (e)
            dwarf_dealloc(NULL, e, DW_DLA_ERROR);
        r->alt_dbg = NULL;
        close(r->alt_fd);
        r->alt_fd = -1;
        return;
    }
    e = NULL;
    if (dwarf_set_tied_dbg(r->main_dbg, r->alt_dbg, &e) != DW_DLV_OK && e)
        dwarf_dealloc_error(r->main_dbg, e);
}

static ag_status read_dwarf(ag_corpus *c, const char *debug_path, const char *source_root, bool declarations,
                            size_t *n_declared, ag_held_types *held, ag_error *err)
{
    reader r;
    memset(&r, 0, sizeof r);
    r.c = c;
    r.source_root = source_root;
    r.err = err;
    r.declarations = declarations;
    r.held = held;
    ag_error open_err;
    int fd = ag_open_regular_file(debug_path, &open_err);
    if (fd < 0)
        return ag_fail(err, AG_ERR_IO, "debug file %s: %s", debug_path, open_err.msg);
    /* libdwarf's own allocation tracking stays on: it costs about 13% of
       the instructions, and in exchange dwarf_finish() frees whatever an
       error path in a corrupt file left behind. */
    dwarf_set_de_alloc_flag(1);
    ag_status pre = ag_dwarf_check_sections(debug_path, &r.lines, err);
    if (pre != AG_OK) {
        close(fd);
        return pre;
    }
    Dwarf_Error e = NULL;
    int rc = dwarf_init_b(fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, on_dwarf_error, &r, &r.dbg, &e);
    if (rc == DW_DLV_NO_ENTRY) {
        ag_line_tables_free(&r.lines);
        close(fd);
        return ag_fail(err, AG_ERR_NOTFOUND, "no DWARF in %s", debug_path);
    }
    if (rc != DW_DLV_OK) {
        ag_status st = ag_fail(err, AG_ERR_DWARF, "corrupt DWARF: %s",
                               e ? dwarf_errmsg(e) : r.handler_called ? r.handler_msg : "cannot initialise");
        if (e)
            dwarf_dealloc(NULL, e, DW_DLA_ERROR);
        ag_line_tables_free(&r.lines);
        close(fd);
        return st;
    }
    r.main_dbg = r.dbg;
    r.alt_fd = -1;
    open_alternate(&r, debug_path);
    if (!declarations)
        load_symtab(&r, debug_path); /* declarations have no address to match */
    size_t n = c->n_exports ? c->n_exports : 1;
    if (!ag_u64map_init(&r.die_types, 4096) || !ag_u64map_init(&r.named, 1024) ||
        !ag_u64map_init(&r.table_of_cu, 64) || !ag_u64map_init(&r.definitions, 256) ||
        !ag_u64map_init(&r.defined, 64) || !index_exports(&r) ||
        !(r.fn_by_export = calloc(n, sizeof *r.fn_by_export)) ||
        !(r.var_by_export = calloc(n, sizeof *r.var_by_export))) {
        nomem(&r);
    }
    if (!failed(&r))
        scan_units(&r);
    if (!failed(&r)) {
        if (!declarations)
            propagate_to_aliases(&r);
        else
            adopt_orphans(&r);
        build_interfaces(&r);
        read_public_types(&r);
        if (!declarations)
            complete_declarations(&r);
    }
    if (n_declared)
        *n_declared = r.n_declared;
    /* An error libdwarf reported only to the handler still means the file
       could not be read as it claims to be. */
    if (!failed(&r) && r.handler_called)
        r.status = ag_fail(err, AG_ERR_DWARF, "corrupt DWARF: %s", r.handler_msg);
    if (!failed(&r))
        record_skipped(&r);
    if (!failed(&r))
        r.status = ag_source_paths_respell(c, &r.units, r.source_root, err);
    ag_status st = r.status;
    release(&r);
    if (r.alt_dbg) {
        e = NULL;
        dwarf_set_tied_dbg(r.main_dbg, NULL, &e);
        dwarf_finish(r.alt_dbg, &e);
        close(r.alt_fd);
    }
    e = NULL;
    dwarf_finish(r.main_dbg, &e);
    if (e)
        dwarf_dealloc(NULL, e, DW_DLA_ERROR);
    close(fd);
    return st;
}

/* Type DIEs are read recursively (resolve_type), up to AG_MAX_TYPE_DEPTH
   levels. How much stack that takes must not depend on the caller (a
   service worker thread, a small `ulimit -s`), so the reading runs on a
   thread of its own with a stack sized for the limit: about 200 bytes a
   level in a release build, under 4 KiB with AddressSanitizer (a 4,000-deep
   chain reads in the fuzzing build). 16 MiB also stays within glibc's
   cache of thread stacks, so a stack is not mapped anew for every read. */
#define READER_STACK_BYTES ((size_t)AG_MAX_TYPE_DEPTH * 4096)

typedef struct read_job {
    ag_corpus *c;
    const char *debug_path;
    const char *source_root;
    bool declarations;
    size_t *n_declared;
    ag_held_types *held;
    ag_error *err;
    ag_status status;
} read_job;

static void *read_thread(void *arg)
{
    read_job *j = arg;
    j->status = read_dwarf(j->c, j->debug_path, j->source_root, j->declarations, j->n_declared, j->held, j->err);
    return NULL;
}

static ag_status read_on_own_stack(read_job *j)
{
    pthread_attr_t attr;
    pthread_t thread;
    if (pthread_attr_init(&attr) != 0)
        return ag_fail(j->err, AG_ERR_NOMEM, "cannot start the DWARF reader: out of memory");
    int rc = pthread_attr_setstacksize(&attr, READER_STACK_BYTES);
    if (rc == 0)
        rc = pthread_create(&thread, &attr, read_thread, j);
    pthread_attr_destroy(&attr);
    if (rc != 0)
        return ag_fail(j->err, AG_ERR_NOMEM, "cannot start the DWARF reader: %s", strerror(rc));
    pthread_join(thread, NULL);
    return j->status;
}

ag_status ag_dwarf_read(ag_corpus *c, const char *debug_path, const char *source_root, ag_error *err)
{
    read_job j = { .c = c, .debug_path = debug_path, .source_root = source_root, .err = err };
    return read_on_own_stack(&j);
}

ag_status ag_dwarf_read_imports(ag_corpus *c, const char *debug_path, size_t *n_found, ag_held_types *held,
                                ag_error *err)
{
    read_job j = { .c = c, .debug_path = debug_path, .declarations = true, .n_declared = n_found, .held = held,
                   .err = err };
    return read_on_own_stack(&j);
}
