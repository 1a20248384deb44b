/* ---- load time ---- */

/* What the walk over the loaded objects found. Everything is copied out of
   the library while dl_iterate_phdr holds the loader's lock, so nothing
   points into an object another thread might unload. */
struct ag_@i@_found {
    int found;
    int by_soname;
    char path[1024];
    unsigned char id[64];
    size_t id_len;
    char problem[768];  /* the first mismatch with the baseline, "" if none */
    int n_objects;      /* data objects whose size matched */
};

/* The loaded object's dynamic section, as the dynamic linker left it. */
struct ag_@i@_dynamic {
    ElfW(Addr) base;
    const char *strtab;
    ElfW(Xword) strsz;
    const ElfW(Sym) *symtab;
    const Elf32_Word *gnu_hash;
    const Elf32_Word *sysv_hash;
    const ElfW(Half) *versym;
    const unsigned char *verdef;
    ElfW(Xword) verdefnum;
    const char *soname; /* NULL when it has none */
};

/* snprintf that may truncate: a message is cut, never overrun. */
static void ag_@i@_say(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    if (!buf || len == 0)
        return;
    va_start(ap, fmt);
    if (vsnprintf(buf, len, fmt, ap) < 0)
        buf[0] = '\0';
    va_end(ap);
}

static const char *ag_@i@_base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* glibc relocates most address entries of a writable dynamic section in
   place; DT_VERDEF and read-only sections (the vDSO) keep link-time
   addresses, which are below the load base. */
static const void *ag_@i@_addr(ElfW(Addr) base, ElfW(Addr) v)
{
    return (const void *)(v < base ? v + base : v);
}

static int ag_@i@_read_dynamic(const struct dl_phdr_info *info, struct ag_@i@_dynamic *d)
{
    const ElfW(Dyn) *dyn = NULL;
    ElfW(Addr) strtab = 0, symtab = 0, gnu = 0, sysv = 0, versym = 0, verdef = 0;
    ElfW(Xword) soname = 0;
    int has_soname = 0;
    memset(d, 0, sizeof *d);
    d->base = info->dlpi_addr;
    for (int i = 0; i < (int)info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
            dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    if (!dyn)
        return 0;
    for (int n = 0; dyn->d_tag != DT_NULL && n < 4096; dyn++, n++) {
        switch (dyn->d_tag) {
        case DT_STRTAB: strtab = dyn->d_un.d_ptr; break;
        case DT_STRSZ: d->strsz = dyn->d_un.d_val; break;
        case DT_SYMTAB: symtab = dyn->d_un.d_ptr; break;
        case DT_GNU_HASH: gnu = dyn->d_un.d_ptr; break;
        case DT_HASH: sysv = dyn->d_un.d_ptr; break;
        case DT_VERSYM: versym = dyn->d_un.d_ptr; break;
        case DT_VERDEF: verdef = dyn->d_un.d_ptr; break;
        case DT_VERDEFNUM: d->verdefnum = dyn->d_un.d_val; break;
        case DT_SONAME: soname = dyn->d_un.d_val; has_soname = 1; break;
        default: break;
        }
    }
    if (!strtab)
        return 0;
    d->strtab = (const char *)ag_@i@_addr(d->base, strtab);
    if (symtab)
        d->symtab = (const ElfW(Sym) *)ag_@i@_addr(d->base, symtab);
    if (gnu)
        d->gnu_hash = (const Elf32_Word *)ag_@i@_addr(d->base, gnu);
    if (sysv)
        d->sysv_hash = (const Elf32_Word *)ag_@i@_addr(d->base, sysv);
    if (versym)
        d->versym = (const ElfW(Half) *)ag_@i@_addr(d->base, versym);
    if (verdef)
        d->verdef = (const unsigned char *)ag_@i@_addr(d->base, verdef);
    if (has_soname && soname < d->strsz)
        d->soname = d->strtab + soname;
    return 1;
}

static void ag_@i@_build_id(const struct dl_phdr_info *info, struct ag_@i@_found *f)
{
    for (int i = 0; i < (int)info->dlpi_phnum && f->id_len == 0; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        size_t align = ph->p_align == 8 ? 8 : 4;
        const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
        size_t left = ph->p_memsz;
        while (left >= sizeof(ElfW(Nhdr))) {
            const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)(const void *)p;
            size_t name_sz = ((size_t)n->n_namesz + align - 1) & ~(align - 1);
            size_t desc_sz = ((size_t)n->n_descsz + align - 1) & ~(align - 1);
            size_t total = sizeof(ElfW(Nhdr)) + name_sz + desc_sz;
            if (total > left)
                break;
            if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
                memcmp(p + sizeof(ElfW(Nhdr)), "GNU", 4) == 0 && n->n_descsz > 0 &&
                n->n_descsz <= sizeof f->id) {
                memcpy(f->id, p + sizeof(ElfW(Nhdr)) + name_sz, n->n_descsz);
                f->id_len = n->n_descsz;
                break;
            }
            p += total;
            left -= total;
        }
    }
}

/* The name of version index idx (from .gnu.version_d), or NULL. */
static const char *ag_@i@_version_name(const struct ag_@i@_dynamic *d, ElfW(Half) idx)
{
    const unsigned char *p = d->verdef;
    for (ElfW(Xword) n = 0; p && n < d->verdefnum; n++) {
        const ElfW(Verdef) *vd = (const ElfW(Verdef) *)(const void *)p;
        if (vd->vd_ndx == idx && vd->vd_cnt > 0) {
            const ElfW(Verdaux) *a = (const ElfW(Verdaux) *)(const void *)(p + vd->vd_aux);
            return a->vda_name < d->strsz ? d->strtab + a->vda_name : NULL;
        }
        if (vd->vd_next == 0)
            break;
        p += vd->vd_next;
    }
    return NULL;
}

/* Whether symbol i defines name (at version, or as the default definition
   when version is NULL); *other gets the version of a definition that did
   not fit. */
static int ag_@i@_defines(const struct ag_@i@_dynamic *d, Elf32_Word i, const char *name,
                          const char *version, const char **other)
{
    const ElfW(Sym) *s = &d->symtab[i];
    const char *vname = NULL;
    int hidden = 0;
    if (s->st_name >= d->strsz || strcmp(d->strtab + s->st_name, name) != 0)
        return 0;
    if (s->st_shndx == SHN_UNDEF || ELF64_ST_BIND(s->st_info) == STB_LOCAL)
        return 0;
    if (d->versym) {
        ElfW(Half) v = d->versym[i];
        hidden = (v & 0x8000) != 0;
        v &= 0x7fff;
        if (v == 0)
            return 0; /* VER_NDX_LOCAL */
        if (v >= 2)
            vname = ag_@i@_version_name(d, v);
    }
    if (version ? vname && strcmp(vname, version) == 0 : !hidden)
        return 1;
    if (vname)
        *other = vname;
    return 0;
}

static Elf32_Word ag_@i@_gnu_hash(const char *s)
{
    Elf32_Word h = 5381;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = h * 33 + *p;
    return h;
}

static Elf32_Word ag_@i@_sysv_hash(const char *s)
{
    Elf32_Word h = 0, g;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h = (h << 4) + *p;
        g = h & 0xf0000000u;
        if (g)
            h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

/* The definition of name in d through its hash table, or NULL; *searched
   is 0 when d has no table to search. */
static const ElfW(Sym) *ag_@i@_lookup(const struct ag_@i@_dynamic *d, const char *name,
                                      const char *version, const char **other, int *searched)
{
    *searched = 1;
    if (d->symtab && d->gnu_hash) {
        const Elf32_Word *h = d->gnu_hash;
        Elf32_Word nbuckets = h[0], symoffset = h[1], bloom_size = h[2];
        const Elf32_Word *buckets =
            (const Elf32_Word *)(const void *)((const ElfW(Addr) *)(const void *)(h + 4) + bloom_size);
        const Elf32_Word *chain = buckets + nbuckets;
        Elf32_Word hash = ag_@i@_gnu_hash(name);
        if (nbuckets == 0)
            return NULL;
        Elf32_Word i = buckets[hash % nbuckets];
        if (i < symoffset)
            return NULL;
        for (Elf32_Word steps = 0; steps < (1u << 24); i++, steps++) {
            Elf32_Word h2 = chain[i - symoffset];
            if ((h2 | 1) == (hash | 1) && ag_@i@_defines(d, i, name, version, other))
                return &d->symtab[i];
            if (h2 & 1)
                break;
        }
        return NULL;
    }
    if (d->symtab && d->sysv_hash) {
        Elf32_Word nbucket = d->sysv_hash[0], nchain = d->sysv_hash[1];
        const Elf32_Word *bucket = d->sysv_hash + 2, *chain = bucket + nbucket;
        if (nbucket == 0)
            return NULL;
        Elf32_Word steps = 0;
        for (Elf32_Word i = bucket[ag_@i@_sysv_hash(name) % nbucket]; i != STN_UNDEF && i < nchain && steps < nchain;
             i = chain[i], steps++)
            if (ag_@i@_defines(d, i, name, version, other))
                return &d->symtab[i];
        return NULL;
    }
    *searched = 0;
    return NULL;
}

/* Compares the loaded object with the baseline: SONAME, every required
   symbol at its version, the size of every required data object. Writes
   the first difference to f->problem. */
static void ag_@i@_compare(const struct ag_@i@_dynamic *d, struct ag_@i@_found *f)
{
    if (AG_@I@_SONAME_REQUIRED && (!d->soname || strcmp(d->soname, AG_@I@_SONAME) != 0)) {
        ag_@i@_say(f->problem, sizeof f->problem, "its SONAME is %s%s%s, not %s", d->soname ? "'" : "",
                 d->soname ? d->soname : "missing", d->soname ? "'" : "", AG_@I@_SONAME);
        return;
    }
    for (const struct ag_@i@_symbol *s = ag_@i@_symbols; s->name; s++) {
        const char *other = NULL;
        int searched = 1;
        const ElfW(Sym) *sym = ag_@i@_lookup(d, s->name, s->version, &other, &searched);
        if (!searched) {
            ag_@i@_say(f->problem, sizeof f->problem, "its dynamic symbol table has no hash table to look %s up in",
                     s->name);
            return;
        }
        if (!sym) {
            ag_@i@_say(f->problem, sizeof f->problem, "it lacks %s%s%s%s%s%s", s->name, s->version ? "@" : "",
                     s->version ? s->version : "", other ? " (it has " : "", other ? other : "", other ? ")" : "");
            return;
        }
        if (s->is_object) {
            if ((unsigned long long)sym->st_size != s->size) {
                ag_@i@_say(f->problem, sizeof f->problem, "its %s is a %llu-byte object, %llu bytes in %s", s->name,
                         (unsigned long long)sym->st_size, s->size, AG_@I@_BASELINE);
                return;
            }
            f->n_objects++;
        }
    }
}

static int ag_@i@_visit(struct dl_phdr_info *info, size_t size, void *data)
{
    struct ag_@i@_found *f = (struct ag_@i@_found *)data;
    struct ag_@i@_dynamic d;
    int by_soname, by_name = 0;
    (void)size;
    if (!ag_@i@_read_dynamic(info, &d))
        return 0;
    by_soname = d.soname && strcmp(d.soname, AG_@I@_SONAME) == 0;
    if (!by_soname && info->dlpi_name && info->dlpi_name[0]) {
        const char *b = ag_@i@_base_name(info->dlpi_name);
        by_name = strcmp(b, AG_@I@_SONAME) == 0 || strcmp(b, AG_@I@_FILE_NAME) == 0;
    }
    if (!by_soname && !by_name)
        return 0;
    if (f->found && (f->by_soname || !by_soname))
        return 0; /* keep the first match, preferring one by SONAME */
    memset(f, 0, sizeof *f);
    f->found = 1;
    f->by_soname = by_soname;
    if (info->dlpi_name && strlen(info->dlpi_name) < sizeof f->path)
        strcpy(f->path, info->dlpi_name);
    ag_@i@_build_id(info, f);
    ag_@i@_compare(&d, f);
    return by_soname; /* a SONAME match ends the walk */
}

/* 0 off, 1 warn, 2 default, 3 strict: ABIGUARD_POLICY when it names one,
   else the compiled default. */
static int ag_@i@_policy(void)
{
    const char *e = getenv("ABIGUARD_POLICY");
    if (e && strcmp(e, "off") == 0)
        return 0;
    if (e && strcmp(e, "warn") == 0)
        return 1;
    if (e && strcmp(e, "default") == 0)
        return 2;
    if (e && strcmp(e, "strict") == 0)
        return 3;
    return AG_@I@_DEFAULT_POLICY;
}

static int ag_@i@_refuse(int policy, int refused_rc, char *msg, size_t msglen, const char *what)
{
    ag_@i@_say(msg, msglen, "%s; %s", what,
                 policy == 1 ? "running anyway (ABIGUARD_POLICY=warn)"
                 : refused_rc == ABIGUARD_@I@_UNVERIFIED_REFUSED
                     ? "refusing to load under the strict policy (ABIGUARD_POLICY=default would accept it)"
                     : "refusing to load (ABIGUARD_POLICY=warn would run anyway)");
    return policy == 1 ? ABIGUARD_@I@_WARNED : refused_rc;
}

int abiguard_verify_@i@(char *msg, size_t msglen)
{
    static const char hexdigits[] = "0123456789abcdef";
    struct ag_@i@_found f;
    char hex[2 * sizeof f.id + 1], what[1536];
    const char *id;
    int policy = ag_@i@_policy();
    if (msg && msglen)
        msg[0] = '\0';
    if (policy == 0) {
        ag_@i@_say(msg, msglen, "%s: ABI check disabled (ABIGUARD_POLICY=off)", AG_@I@_SONAME);
        return ABIGUARD_@I@_OK;
    }
    memset(&f, 0, sizeof f);
    dl_iterate_phdr(ag_@i@_visit, &f);
    if (!f.found) {
        ag_@i@_say(what, sizeof what, "%s is not loaded in this process: cannot check it against %s",
                 AG_@I@_SONAME, AG_@I@_BASELINE);
        return ag_@i@_refuse(policy, ABIGUARD_@I@_NOT_LOADED, msg, msglen, what);
    }
    for (size_t i = 0; i < f.id_len; i++) {
        hex[2 * i] = hexdigits[f.id[i] >> 4];
        hex[2 * i + 1] = hexdigits[f.id[i] & 15];
    }
    hex[2 * f.id_len] = '\0';
    id = f.id_len ? hex : "none";
    if (f.id_len) {
        for (const struct ag_@i@_release *r = ag_@i@_compatible; r->build_id; r++)
            if (strcmp(r->build_id, hex) == 0) {
                ag_@i@_say(msg, msglen, "%s (build-id %s) is %s, verified compatible with %s this binding was built against",
                             AG_@I@_SONAME, hex, r->release, AG_@I@_BASELINE);
                return ABIGUARD_@I@_OK;
            }
        for (const struct ag_@i@_release *r = ag_@i@_incompatible; r->build_id; r++)
            if (strcmp(r->build_id, hex) == 0) {
                ag_@i@_say(what, sizeof what, "%s (build-id %s) is %s, incompatible with %s this binding was built against: %s",
                         AG_@I@_SONAME, hex, r->release, AG_@I@_BASELINE, r->why);
                return ag_@i@_refuse(policy, ABIGUARD_@I@_INCOMPATIBLE, msg, msglen, what);
            }
    }
    if (f.problem[0]) {
        ag_@i@_say(what, sizeof what, "%s (%s, build-id %s) is an unknown build that does not match %s this binding was built against: %s",
                 AG_@I@_SONAME, f.path, id, AG_@I@_BASELINE, f.problem);
        return ag_@i@_refuse(policy, ABIGUARD_@I@_MISMATCH, msg, msglen, what);
    }
    if (f.n_objects)
        ag_@i@_say(what, sizeof what, "%s (%s, build-id %s) is an unverified build: not a release of %s known when this guard was generated, but its SONAME, all %d required symbols and versions and the sizes of its %d data objects match %s",
                   AG_@I@_SONAME, f.path, id, AG_@I@_LIBRARY, AG_@I@_N_SYMBOLS, f.n_objects, AG_@I@_BASELINE);
    else
        ag_@i@_say(what, sizeof what, "%s (%s, build-id %s) is an unverified build: not a release of %s known when this guard was generated, but its SONAME and all %d required symbols and versions match %s",
                   AG_@I@_SONAME, f.path, id, AG_@I@_LIBRARY, AG_@I@_N_SYMBOLS, AG_@I@_BASELINE);
    if (policy == 3)
        return ag_@i@_refuse(policy, ABIGUARD_@I@_UNVERIFIED_REFUSED, msg, msglen, what);
    ag_@i@_say(msg, msglen, "%s; accepted unverified (ABIGUARD_POLICY=strict would refuse it)", what);
    return ABIGUARD_@I@_UNVERIFIED;
}

const char *abiguard_fingerprints_@i@(void)
{
    return ag_@i@_fingerprints;
}
