/*
 * elf_reader.c — the ELF half of extraction: identity, dynamic symbols with
 * their versions, and hardening properties, read with libelf (elf_reader.h).
 *
 * Sections are found by type, not by name, so renamed sections still work.
 * Every string and every table index read from the file is checked, and a
 * file that lies about its own layout is reported as AG_ERR_FORMAT rather
 * than trusted. Whatever is stored in the corpus is malloc'd piece by piece
 * because ag_corpus_free frees each string on its own.
 */
#include "elf_reader.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_file.h"
#include "sha256.h"

#define VERSYM_INDEX_MASK 0x7fffu
#define VERSYM_HIDDEN 0x8000u

/* Version names by versym index: definitions (file NULL) and requirements
   (file = the library that provides them). Strings point into the mapped
   file and are only copied when a symbol uses them. */
typedef struct version_entry {
    const char *name;
    const char *file;
    bool defined_here;
} version_entry;

typedef struct version_table {
    version_entry *entries; /* indexed by version index */
    size_t n;
} version_table;

/* What the dynamic section says beyond the strings stored in the corpus. */
typedef struct dynamic_facts {
    uint64_t flags, flags_1;
    bool has_bind_now;
} dynamic_facts;

static ag_status out_of_memory(ag_error *err)
{
    return ag_fail(err, AG_ERR_NOMEM, "out of memory");
}

static ag_status store_string(char **dst, const char *s, ag_error *err)
{
    *dst = strdup(s);
    return *dst ? AG_OK : out_of_memory(err);
}

static ag_status append_string(char ***array, size_t *n, const char *s, ag_error *err)
{
    char *copy = strdup(s);
    if (!copy)
        return out_of_memory(err);
    char **grown = realloc(*array, (*n + 1) * sizeof **array);
    if (!grown) {
        free(copy);
        return out_of_memory(err);
    }
    grown[(*n)++] = copy;
    *array = grown;
    return AG_OK;
}

/* A string from a string table section, or NULL when the offset or the
   section index is bad (elf_strptr checks both). */
static const char *table_string(const ag_elf_file *f, size_t strtab, uint64_t offset)
{
    if (strtab == 0 || strtab >= f->n_sections || offset > SIZE_MAX)
        return NULL;
    return elf_strptr(f->elf, strtab, (size_t)offset);
}

/* ------------------------------------------------------------------ */
/* Identity                                                            */

/* The architectures abiguard knows; anything else is refused rather than
   described with a number nobody can act on. NULL when unknown. */
static const char *machine_name(unsigned machine, int elf_class)
{
    switch (machine) {
    case EM_X86_64: return "x86_64";
    case EM_AARCH64: return "aarch64";
    case EM_386: return "i386";
    case EM_ARM: return "arm";
    case EM_RISCV: return "riscv";
    case EM_PPC64: return "ppc64";
    case EM_S390: return elf_class == 64 ? "s390x" : "s390";
    case EM_PPC: return "ppc";
    case EM_MIPS: return "mips";
    case EM_SPARCV9: return "sparc64";
    case EM_IA_64: return "ia64";
    case 258: return "loongarch"; /* EM_LOONGARCH, newer than some elf.h */
    default:
        return NULL;
    }
}

static ag_status read_identity(const ag_elf_file *f, const char *path, ag_elf_info *info, ag_error *err)
{
    const char *slash = strrchr(path, '/');
    ag_status st = store_string(&info->file_name, slash ? slash + 1 : path, err);
    if (st != AG_OK)
        return st;
    info->elf_class = f->ehdr.e_ident[EI_CLASS] == ELFCLASS64 ? 64 : 32;
    const char *machine = machine_name(f->ehdr.e_machine, info->elf_class);
    if (!machine)
        return ag_fail(err, AG_ERR_UNSUPPORTED, "unsupported architecture (e_machine %u)",
                       (unsigned)f->ehdr.e_machine);
    st = store_string(&info->machine, machine, err);
    if (st != AG_OK)
        return st;
    st = store_string(&info->byte_order, f->ehdr.e_ident[EI_DATA] == ELFDATA2MSB ? "big" : "little", err);
    if (st != AG_OK)
        return st;

    ag_sha256 sha;
    uint8_t digest[32];
    ag_sha256_init(&sha);
    ag_sha256_update(&sha, f->image, f->size);
    ag_sha256_final(&sha, digest);
    ag_sha256_hex(digest, info->sha256);

    return ag_elf_file_build_id(f, &info->build_id, err);
}

/* ------------------------------------------------------------------ */
/* Segments and the properties they carry                              */

typedef struct segment_facts {
    bool has_interp;
} segment_facts;

static ag_status read_segments(const ag_elf_file *f, ag_elf_info *info, segment_facts *facts, ag_error *err)
{
    bool has_stack_header = false;
    for (size_t i = 0; i < f->n_segments; i++) {
        GElf_Phdr phdr;
        if (!gelf_getphdr(f->elf, (int)i, &phdr))
            return ag_fail(err, AG_ERR_FORMAT, "corrupt program header %zu: %s", i, elf_errmsg(-1));
        switch (phdr.p_type) {
        case PT_GNU_RELRO: info->relro = true; break;
        case PT_INTERP: facts->has_interp = true; break;
        case PT_GNU_STACK:
            has_stack_header = true;
            info->exec_stack = (phdr.p_flags & PF_X) != 0;
            break;
        default: break;
        }
    }
    if (!has_stack_header)
        info->exec_stack = true; /* the kernel's default without PT_GNU_STACK */
    return AG_OK;
}

/* A relocatable object has no segments: .note.GNU-stack says what the
   linker will make of it (absent means an executable stack). */
static void read_object_stack_note(const ag_elf_file *f, ag_elf_info *info)
{
    GElf_Shdr shdr;
    if (ag_elf_file_section_named(f, ".note.GNU-stack", &shdr))
        info->exec_stack = (shdr.sh_flags & SHF_EXECINSTR) != 0;
    else
        info->exec_stack = true;
}

static uint32_t file_u32(const ag_elf_file *f, const unsigned char *p)
{
    bool big = f->ehdr.e_ident[EI_DATA] == ELFDATA2MSB;
    return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
               : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

typedef struct property_walk {
    const ag_elf_file *file;
    ag_elf_info *info;
} property_walk;

/* NT_GNU_PROPERTY_TYPE_0: a list of (type, size, data) padded to the ELF
   word size. Only x86 gives 0xc0000002 the CET meaning. */
static bool read_property_note(const char *owner, size_t owner_len, GElf_Word type,
                               const unsigned char *desc, size_t descsz, void *ctx)
{
    property_walk *w = ctx;
    if (!ag_note_is_gnu(owner, owner_len) || type != NT_GNU_PROPERTY_TYPE_0)
        return true;
    size_t align = w->info->elf_class == 64 ? 8 : 4;
    size_t off = 0;
    while (descsz - off >= 8) {
        uint32_t pr_type = file_u32(w->file, desc + off);
        uint32_t pr_size = file_u32(w->file, desc + off + 4);
        off += 8;
        if (pr_size > descsz - off)
            break; /* malformed: ignore the rest of this note */
        if (pr_type == GNU_PROPERTY_X86_FEATURE_1_AND && pr_size >= 4) {
            uint32_t bits = file_u32(w->file, desc + off);
            w->info->cet_ibt = (bits & GNU_PROPERTY_X86_FEATURE_1_IBT) != 0;
            w->info->cet_shstk = (bits & GNU_PROPERTY_X86_FEATURE_1_SHSTK) != 0;
        }
        size_t padded = (pr_size + align - 1) / align * align;
        if (padded > descsz - off)
            break;
        off += padded;
    }
    return true;
}

static void read_properties(const ag_elf_file *f, ag_elf_info *info)
{
    if (f->ehdr.e_machine != EM_X86_64 && f->ehdr.e_machine != EM_386)
        return;
    property_walk w = {f, info};
    ag_elf_file_for_each_note(f, read_property_note, &w);
}

/* ------------------------------------------------------------------ */
/* Dynamic section                                                     */

static ag_status dynamic_string(const ag_elf_file *f, const GElf_Shdr *shdr, const GElf_Dyn *dyn,
                                const char **out, ag_error *err)
{
    *out = table_string(f, shdr->sh_link, dyn->d_un.d_val);
    if (!*out)
        return ag_fail(err, AG_ERR_FORMAT,
                       "corrupt dynamic section: string offset %ju (tag %jd) is outside its string table",
                       (uintmax_t)dyn->d_un.d_val, (intmax_t)dyn->d_tag);
    return AG_OK;
}

static ag_status read_dynamic_entry(const ag_elf_file *f, const GElf_Shdr *shdr, const GElf_Dyn *dyn,
                                    ag_elf_info *info, dynamic_facts *facts, ag_error *err)
{
    const char *s;
    ag_status st;
    switch (dyn->d_tag) {
    case DT_NEEDED:
        if ((st = dynamic_string(f, shdr, dyn, &s, err)) != AG_OK)
            return st;
        return append_string(&info->needed, &info->n_needed, s, err);
    case DT_SONAME:
    case DT_RUNPATH:
    case DT_RPATH: {
        char **slot = dyn->d_tag == DT_SONAME ? &info->soname
                    : dyn->d_tag == DT_RUNPATH ? &info->runpath : &info->rpath;
        if (*slot)
            return AG_OK; /* the dynamic linker uses the first one */
        if ((st = dynamic_string(f, shdr, dyn, &s, err)) != AG_OK)
            return st;
        return store_string(slot, s, err);
    }
    case DT_BIND_NOW: facts->has_bind_now = true; return AG_OK;
    case DT_FLAGS: facts->flags |= dyn->d_un.d_val; return AG_OK;
    case DT_FLAGS_1: facts->flags_1 |= dyn->d_un.d_val; return AG_OK;
    default: return AG_OK;
    }
}

static ag_status read_dynamic(const ag_elf_file *f, ag_elf_info *info, dynamic_facts *facts, ag_error *err)
{
    GElf_Shdr shdr;
    Elf_Scn *scn = ag_elf_file_section_typed(f, SHT_DYNAMIC, &shdr);
    if (!scn)
        return AG_OK;
    Elf_Data *data;
    ag_status st = ag_elf_file_section_data(scn, "the dynamic section", &data, err);
    if (st != AG_OK)
        return st;
    size_t entsize = gelf_fsize(f->elf, ELF_T_DYN, 1, EV_CURRENT);
    size_t n = entsize ? data->d_size / entsize : 0;
    for (size_t i = 0; i < n; i++) {
        GElf_Dyn dyn;
        if (!gelf_getdyn(data, (int)i, &dyn))
            return ag_fail(err, AG_ERR_FORMAT, "corrupt dynamic section entry %zu: %s", i, elf_errmsg(-1));
        if (dyn.d_tag == DT_NULL)
            break;
        if ((st = read_dynamic_entry(f, &shdr, &dyn, info, facts, err)) != AG_OK)
            return st;
    }
    info->bind_now = facts->has_bind_now || (facts->flags & DF_BIND_NOW) || (facts->flags_1 & DF_1_NOW);
    info->static_tls = (facts->flags & DF_STATIC_TLS) != 0;
    return AG_OK;
}

/* ------------------------------------------------------------------ */
/* Symbol versions                                                     */

static ag_status table_set(version_table *t, unsigned index, const char *name, const char *file,
                           bool defined_here, ag_error *err)
{
    index &= VERSYM_INDEX_MASK;
    if (index >= t->n) {
        version_entry *grown = realloc(t->entries, (index + 1) * sizeof *grown);
        if (!grown)
            return out_of_memory(err);
        memset(grown + t->n, 0, (index + 1 - t->n) * sizeof *grown);
        t->entries = grown;
        t->n = index + 1;
    }
    t->entries[index] = (version_entry){name, file, defined_here};
    return AG_OK;
}

static ag_status read_one_verdef(const ag_elf_file *f, Elf_Data *data, const GElf_Shdr *shdr, size_t off,
                                 GElf_Verdef *vd, version_table *t, ag_elf_info *info, ag_error *err)
{
    if (!gelf_getverdef(data, (int)off, vd))
        return ag_fail(err, AG_ERR_FORMAT, "corrupt .gnu.version_d: entry at offset %zu is outside the section", off);
    GElf_Verdaux aux;
    if (vd->vd_aux > data->d_size - off || !gelf_getverdaux(data, (int)(off + vd->vd_aux), &aux))
        return ag_fail(err, AG_ERR_FORMAT, "corrupt .gnu.version_d: the name of entry %u is outside the section",
                       (unsigned)vd->vd_ndx);
    const char *name = table_string(f, shdr->sh_link, aux.vda_name);
    if (!name)
        return ag_fail(err, AG_ERR_FORMAT, "corrupt .gnu.version_d: name offset %u is outside its string table",
                       (unsigned)aux.vda_name);
    ag_status st = table_set(t, vd->vd_ndx, name, NULL, true, err);
    if (st == AG_OK && !(vd->vd_flags & VER_FLG_BASE))
        st = append_string(&info->version_defs, &info->n_version_defs, name, err);
    return st;
}

static ag_status read_verdefs(const ag_elf_file *f, version_table *t, ag_elf_info *info, ag_error *err)
{
    GElf_Shdr shdr;
    Elf_Scn *scn = ag_elf_file_section_typed(f, SHT_GNU_verdef, &shdr);
    if (!scn)
        return AG_OK;
    Elf_Data *data;
    ag_status st = ag_elf_file_section_data(scn, ".gnu.version_d", &data, err);
    if (st != AG_OK || data->d_size > INT32_MAX)
        return st != AG_OK ? st : ag_fail(err, AG_ERR_FORMAT, ".gnu.version_d is too large");
    /* vd_next always moves forward and every step is bounds-checked, so the
       walk ends even if sh_info lies about the count. */
    size_t off = 0;
    for (size_t i = 0; shdr.sh_info == 0 || i < shdr.sh_info; i++) {
        GElf_Verdef vd;
        if ((st = read_one_verdef(f, data, &shdr, off, &vd, t, info, err)) != AG_OK)
            return st;
        if (vd.vd_next == 0)
            break;
        if (vd.vd_next > data->d_size - off)
            return ag_fail(err, AG_ERR_FORMAT, "corrupt .gnu.version_d: next entry is outside the section");
        off += vd.vd_next;
    }
    return AG_OK;
}

static ag_status read_vernauxs(const ag_elf_file *f, Elf_Data *data, const GElf_Shdr *shdr, size_t off,
                               const GElf_Verneed *vn, const char *file, version_table *t, ag_error *err)
{
    if (vn->vn_aux > data->d_size - off)
        return ag_fail(err, AG_ERR_FORMAT, "corrupt .gnu.version_r: entries for %s are outside the section", file);
    size_t aux_off = off + vn->vn_aux;
    for (unsigned j = 0; j < vn->vn_cnt; j++) {
        GElf_Vernaux aux;
        if (!gelf_getvernaux(data, (int)aux_off, &aux))
            return ag_fail(err, AG_ERR_FORMAT, "corrupt .gnu.version_r: an entry for %s is outside the section",
                           file);
        const char *name = table_string(f, shdr->sh_link, aux.vna_name);
        if (!name)
            return ag_fail(err, AG_ERR_FORMAT,
                           "corrupt .gnu.version_r: name offset %u is outside its string table",
                           (unsigned)aux.vna_name);
        ag_status st = table_set(t, aux.vna_other, name, file, false, err);
        if (st != AG_OK)
            return st;
        if (aux.vna_next == 0)
            break;
        if (aux.vna_next > data->d_size - aux_off)
            return ag_fail(err, AG_ERR_FORMAT, "corrupt .gnu.version_r: next entry is outside the section");
        aux_off += aux.vna_next;
    }
    return AG_OK;
}

static ag_status read_verneeds(const ag_elf_file *f, version_table *t, ag_error *err)
{
    GElf_Shdr shdr;
    Elf_Scn *scn = ag_elf_file_section_typed(f, SHT_GNU_verneed, &shdr);
    if (!scn)
        return AG_OK;
    Elf_Data *data;
    ag_status st = ag_elf_file_section_data(scn, ".gnu.version_r", &data, err);
    if (st != AG_OK || data->d_size > INT32_MAX)
        return st != AG_OK ? st : ag_fail(err, AG_ERR_FORMAT, ".gnu.version_r is too large");
    size_t off = 0;
    for (size_t i = 0; shdr.sh_info == 0 || i < shdr.sh_info; i++) {
        GElf_Verneed vn;
        if (!gelf_getverneed(data, (int)off, &vn))
            return ag_fail(err, AG_ERR_FORMAT, "corrupt .gnu.version_r: entry at offset %zu is outside the section",
                           off);
        const char *file = table_string(f, shdr.sh_link, vn.vn_file);
        if (!file)
            return ag_fail(err, AG_ERR_FORMAT,
                           "corrupt .gnu.version_r: file name offset %u is outside its string table",
                           (unsigned)vn.vn_file);
        if ((st = read_vernauxs(f, data, &shdr, off, &vn, file, t, err)) != AG_OK)
            return st;
        if (vn.vn_next == 0)
            break;
        if (vn.vn_next > data->d_size - off)
            return ag_fail(err, AG_ERR_FORMAT, "corrupt .gnu.version_r: next entry is outside the section");
        off += vn.vn_next;
    }
    return AG_OK;
}

/* ------------------------------------------------------------------ */
/* Symbols                                                             */

static bool symbol_type(unsigned elf_type, ag_sym_type *out)
{
    switch (elf_type) {
    case STT_NOTYPE: *out = AG_SYM_NOTYPE; return true;
    case STT_FUNC: *out = AG_SYM_FUNC; return true;
    case STT_OBJECT: *out = AG_SYM_OBJECT; return true;
    case STT_GNU_IFUNC: *out = AG_SYM_IFUNC; return true;
    case STT_TLS: *out = AG_SYM_TLS; return true;
    case STT_COMMON: *out = AG_SYM_COMMON; return true;
    default: return false; /* sections, files: not interface */
    }
}

static bool symbol_binding(unsigned elf_binding, ag_sym_binding *out)
{
    switch (elf_binding) {
    case STB_GLOBAL: *out = AG_BIND_GLOBAL; return true;
    case STB_WEAK: *out = AG_BIND_WEAK; return true;
    case STB_GNU_UNIQUE: *out = AG_BIND_UNIQUE; return true;
    default: return false;
    }
}

/* The absolute symbols that name version nodes ("GLIBC_2.2.5") are
   bookkeeping of the version script, not interface. */
static bool names_version_node(const version_table *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->entries[i].defined_here && t->entries[i].name && strcmp(t->entries[i].name, name) == 0)
            return true;
    return false;
}

typedef struct symbol_source {
    const ag_elf_file *file;
    Elf_Data *syms;
    size_t strtab;
    Elf_Data *versyms; /* NULL when the file has no .gnu.version */
    const version_table *versions;
    unsigned char *copied; /* per symbol: defined here by a copy relocation (1), or NULL */
} symbol_source;

static ag_status attach_version(const symbol_source *src, size_t index, ag_symbol *sym, ag_error *err)
{
    sym->is_default = true;
    if (!src->versyms)
        return AG_OK;
    GElf_Versym versym;
    if (!gelf_getversym(src->versyms, (int)index, &versym))
        return ag_fail(err, AG_ERR_FORMAT, "corrupt .gnu.version: no entry for symbol %zu", index);
    unsigned vindex = versym & VERSYM_INDEX_MASK;
    if (vindex <= 1)
        return AG_OK; /* local or global: unversioned */
    sym->is_default = (versym & VERSYM_HIDDEN) == 0;
    const version_entry *v = vindex < src->versions->n ? &src->versions->entries[vindex] : NULL;
    if (!v || !v->name)
        return ag_fail(err, AG_ERR_FORMAT, "symbol %s has version index %u that no version definition or "
                       "requirement has", sym->name, vindex);
    ag_status st = store_string(&sym->version, v->name, err);
    if (st == AG_OK && v->file && !v->defined_here)
        st = store_string(&sym->version_file, v->file, err);
    return st;
}

/* Classifies one symbol and, if it belongs to the interface, appends it to
   exports or imports (both pre-sized to the symbol count). */
static ag_status take_symbol(const symbol_source *src, size_t index, ag_corpus *c, ag_error *err)
{
    GElf_Sym esym;
    if (!gelf_getsym(src->syms, (int)index, &esym))
        return ag_fail(err, AG_ERR_FORMAT, "corrupt symbol table: cannot read symbol %zu", index);
    ag_sym_type type;
    ag_sym_binding binding;
    if (!symbol_binding(GELF_ST_BIND(esym.st_info), &binding) || !symbol_type(GELF_ST_TYPE(esym.st_info), &type))
        return AG_OK;
    const char *name = table_string(src->file, src->strtab, esym.st_name);
    if (!name)
        return ag_fail(err, AG_ERR_FORMAT, "corrupt symbol table: symbol %zu has name offset %u outside its "
                       "string table", index, (unsigned)esym.st_name);
    /* A variable an executable holds by a copy relocation is defined in it
       (its .bss has room of the size seen at link time) but is the
       library's: an import with that size. */
    bool copied = src->copied && src->copied[index];
    bool is_import = esym.st_shndx == SHN_UNDEF || copied;
    if (is_import && name[0] == '\0')
        return AG_OK;
    if (!is_import) {
        unsigned vis = GELF_ST_VISIBILITY(esym.st_other);
        if ((vis != STV_DEFAULT && vis != STV_PROTECTED) || names_version_node(src->versions, name))
            return AG_OK;
    }
    ag_symbol *sym = is_import ? &c->imports[c->n_imports++] : &c->exports[c->n_exports++];
    memset(sym, 0, sizeof *sym);
    sym->type = type;
    sym->binding = binding;
    sym->size = esym.st_size;
    sym->value = esym.st_value;
    ag_status st = store_string(&sym->name, name, err);
    if (st != AG_OK)
        return st;
    return attach_version(src, index, sym, err);
}

static ag_status open_versyms(const ag_elf_file *f, size_t n_syms, Elf_Data **out, ag_error *err)
{
    GElf_Shdr shdr;
    *out = NULL;
    Elf_Scn *scn = ag_elf_file_section_typed(f, SHT_GNU_versym, &shdr);
    if (!scn)
        return AG_OK;
    ag_status st = ag_elf_file_section_data(scn, ".gnu.version", out, err);
    if (st != AG_OK)
        return st;
    size_t entsize = gelf_fsize(f->elf, ELF_T_HALF, 1, EV_CURRENT);
    if ((*out)->d_size / entsize < n_syms)
        return ag_fail(err, AG_ERR_FORMAT, "corrupt .gnu.version: %zu entries for %zu symbols",
                       (*out)->d_size / entsize, n_syms);
    return AG_OK;
}

/* .dynsym is the interface of a linked file; a relocatable object has only
   .symtab, which then says what the object would provide and need. */
static Elf_Scn *symbol_section(const ag_elf_file *f, GElf_Shdr *shdr)
{
    Elf_Scn *scn = ag_elf_file_section_typed(f, SHT_DYNSYM, shdr);
    if (!scn && f->ehdr.e_type == ET_REL)
        scn = ag_elf_file_section_typed(f, SHT_SYMTAB, shdr);
    return scn;
}

/* The relocation type that copies a shared object's variable into an
   executable (R_*_COPY), or 0 for a machine abiguard does not know one of. */
static unsigned copy_reloc_type(unsigned machine)
{
    switch (machine) {
    case EM_X86_64: return R_X86_64_COPY;
    case EM_386: return R_386_COPY;
    case EM_AARCH64: return R_AARCH64_COPY;
    case EM_ARM: return R_ARM_COPY;
    case EM_PPC64: return R_PPC64_COPY;
    case EM_PPC: return R_PPC_COPY;
    case EM_S390: return R_390_COPY;
    case EM_RISCV: return 4; /* R_RISCV_COPY */
    default: return 0;
    }
}

/* Marks the symbols of the dynamic symbol table (section index symtab, n
   entries) that an R_*_COPY relocation of the file names: variables of a
   shared object the executable holds a copy of. *out stays NULL when there
   is none. */
static ag_status find_copy_relocations(const ag_elf_file *f, size_t symtab, size_t n, unsigned char **out,
                                       ag_error *err)
{
    *out = NULL;
    unsigned copy = copy_reloc_type(f->ehdr.e_machine);
    if (!copy)
        return AG_OK;
    for (size_t i = 1; i < f->n_sections; i++) {
        GElf_Shdr shdr;
        Elf_Scn *scn = elf_getscn(f->elf, i);
        if (!scn || !gelf_getshdr(scn, &shdr) || (shdr.sh_type != SHT_RELA && shdr.sh_type != SHT_REL) ||
            shdr.sh_link != symtab || !shdr.sh_entsize)
            continue;
        Elf_Data *data;
        ag_status st = ag_elf_file_section_data(scn, "a relocation section", &data, err);
        if (st != AG_OK)
            return st;
        size_t count = data->d_size / shdr.sh_entsize;
        for (size_t k = 0; k < count && k <= INT32_MAX; k++) {
            GElf_Rela rela;
            GElf_Rel rel;
            uint64_t info;
            if (shdr.sh_type == SHT_RELA ? !gelf_getrela(data, (int)k, &rela) : !gelf_getrel(data, (int)k, &rel))
                return ag_fail(err, AG_ERR_FORMAT, "corrupt relocation section: cannot read entry %zu", k);
            info = shdr.sh_type == SHT_RELA ? rela.r_info : rel.r_info;
            bool is64 = gelf_getclass(f->elf) == ELFCLASS64;
            uint64_t type = is64 ? GELF_R_TYPE(info) : ELF32_R_TYPE(info);
            uint64_t sym = is64 ? GELF_R_SYM(info) : ELF32_R_SYM(info);
            if (type != copy)
                continue;
            if (sym == 0 || sym >= n)
                return ag_fail(err, AG_ERR_FORMAT, "corrupt relocation: a copy relocation names symbol %llu of %zu",
                               (unsigned long long)sym, n);
            if (!*out && !(*out = calloc(n, 1)))
                return out_of_memory(err);
            (*out)[sym] = 1;
        }
    }
    return AG_OK;
}

static ag_status read_symbols(const ag_elf_file *f, const version_table *versions, ag_corpus *c, ag_error *err)
{
    GElf_Shdr shdr;
    Elf_Scn *scn = symbol_section(f, &shdr);
    if (!scn)
        return AG_OK;
    symbol_source src = {.file = f, .strtab = shdr.sh_link, .versions = versions};
    ag_status st = ag_elf_file_section_data(scn, "the symbol table", &src.syms, err);
    if (st != AG_OK)
        return st;
    size_t n = src.syms->d_size / gelf_fsize(f->elf, ELF_T_SYM, 1, EV_CURRENT);
    if (n > INT32_MAX)
        return ag_fail(err, AG_ERR_FORMAT, "symbol table too large (%zu entries)", n);
    if (n <= 1)
        return AG_OK;
    if (shdr.sh_type == SHT_DYNSYM && (st = open_versyms(f, n, &src.versyms, err)) != AG_OK)
        return st;
    if (shdr.sh_type == SHT_DYNSYM && (st = find_copy_relocations(f, elf_ndxscn(scn), n, &src.copied, err)) != AG_OK)
        return st;
    c->exports = calloc(n, sizeof *c->exports);
    c->imports = calloc(n, sizeof *c->imports);
    if (!c->exports || !c->imports) {
        free(src.copied);
        return out_of_memory(err);
    }
    for (size_t i = 1; i < n && st == AG_OK; i++)
        st = take_symbol(&src, i, c, err);
    free(src.copied);
    return st;
}

static bool imports_symbol(const ag_corpus *c, const char *name)
{
    for (size_t i = 0; i < c->n_imports; i++)
        if (strcmp(c->imports[i].name, name) == 0)
            return true;
    return false;
}

/* ------------------------------------------------------------------ */
/* Putting it together                                                 */

static const char *file_kind(const ag_elf_file *f, const ag_elf_info *info, const segment_facts *seg,
                             const dynamic_facts *dyn)
{
    switch (f->ehdr.e_type) {
    case ET_EXEC: return "exec";
    case ET_REL: return "rel";
    case ET_CORE: return "core";
    case ET_DYN:
        /* A PIE is ET_DYN too. PT_INTERP alone does not tell (libc.so.6
           has one so it can be run); DF_1_PIE does, and an interpreter
           without a SONAME is a good guess for older linkers. */
        if ((dyn->flags_1 & DF_1_PIE) || (seg->has_interp && !info->soname))
            return "exec";
        return "dyn";
    default: return "other";
    }
}

static ag_status read_linked_parts(const ag_elf_file *f, ag_corpus *c, ag_error *err)
{
    segment_facts seg = {false};
    dynamic_facts dyn = {0, 0, false};
    version_table versions = {NULL, 0};
    ag_status st = read_segments(f, &c->elf, &seg, err);
    if (st == AG_OK && f->ehdr.e_type == ET_REL)
        read_object_stack_note(f, &c->elf);
    if (st == AG_OK)
        st = read_dynamic(f, &c->elf, &dyn, err);
    if (st == AG_OK)
        st = read_verdefs(f, &versions, &c->elf, err);
    if (st == AG_OK)
        st = read_verneeds(f, &versions, err);
    if (st == AG_OK)
        st = read_symbols(f, &versions, c, err);
    free(versions.entries);
    if (st != AG_OK)
        return st;
    read_properties(f, &c->elf);
    c->elf.stack_protector = imports_symbol(c, "__stack_chk_fail") || imports_symbol(c, "__stack_chk_guard");
    return store_string(&c->elf.elf_type, file_kind(f, &c->elf, &seg, &dyn), err);
}

static bool has_dynamic_segment(const ag_elf_file *f)
{
    for (size_t i = 0; i < f->n_segments; i++) {
        GElf_Phdr phdr;
        if (gelf_getphdr(f->elf, (int)i, &phdr) && phdr.p_type == PT_DYNAMIC)
            return true;
    }
    return false;
}

ag_status ag_elf_read(const char *path, ag_corpus *c, ag_error *err)
{
    ag_elf_file f;
    ag_status st = ag_elf_file_open(&f, path, err);
    if (st != AG_OK)
        return st;
    if (f.ehdr.e_type == ET_CORE) {
        ag_elf_file_close(&f);
        return ag_fail(err, AG_ERR_UNSUPPORTED, "core files are not supported");
    }
    if (f.n_sections == 0 && has_dynamic_segment(&f)) {
        /* Without section headers the symbol tables can only be found
           through the dynamic segment, which this reader does not do. */
        ag_elf_file_close(&f);
        return ag_fail(err, AG_ERR_UNSUPPORTED,
                       "no section headers (stripped with sstrip?): reading symbols from the dynamic segment "
                       "alone is not supported");
    }
    st = read_identity(&f, path, &c->elf, err);
    if (st == AG_OK)
        st = read_linked_parts(&f, c, err);
    ag_elf_file_close(&f);
    return st;
}
