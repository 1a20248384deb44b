/*
 * audit.c — the load-ability checks of audit.h, one function per check,
 * each adding findings to the (binary, target) result it judges. The
 * tables they judge by live in audit_targets.c; the report writers in
 * audit_report.c.
 */
#include "audit.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"
#include "elf_file.h"
#include "elf_reader.h"

/* ------------------------------------------------------------------ */
/* Findings                                                            */

typedef struct judge {
    const ag_audit *audit;
    const ag_artifact *art;
    const ag_audit_binary *bin;
    const ag_target *target;
    ag_audit_result *res;
    bool abi3;           /* the wheel's ABI tag is abi3 */
    bool text_relocations;
    bool needed_by_other;/* another binary of the artifact needs this one */
    const char *path_arch; /* the architecture the binary's path names, or NULL */
    bool oom;
} judge;

ag_audit_finding *ag_audit_add_finding(ag_audit_result *r, const char *check, ag_audit_severity sev,
                                       const char *fmt, ...)
{
    ag_audit_finding *n = realloc(r->findings, (r->n_findings + 1) * sizeof *n);
    if (!n)
        return NULL;
    r->findings = n;
    ag_audit_finding *f = &n[r->n_findings];
    memset(f, 0, sizeof *f);
    va_list ap;
    va_start(ap, fmt);
    int len = vasprintf(&f->message, fmt, ap);
    va_end(ap);
    if (len < 0)
        return NULL;
    f->check = check;
    f->severity = sev;
    r->n_findings++;
    if (sev == AG_AUDIT_ERROR)
        r->loads = false;
    return f;
}

bool ag_audit_add_symbol(ag_audit_finding *f, const char *fmt, ...)
{
    if (!f)
        return false;
    char **n = realloc(f->symbols, (f->n_symbols + 1) * sizeof *n);
    if (!n)
        return false;
    f->symbols = n;
    va_list ap;
    va_start(ap, fmt);
    int len = vasprintf(&f->symbols[f->n_symbols], fmt, ap);
    va_end(ap);
    if (len < 0)
        return false;
    f->n_symbols++;
    return true;
}

/* The same, for a check of audit.c: out of memory is remembered in j. */
#define add_finding(j, ...) note_oom((j), ag_audit_add_finding((j)->res, __VA_ARGS__))
#define add_symbol(j, f, ...) \
    do { ag_audit_finding *f_ = (f); if (f_ && !ag_audit_add_symbol(f_, __VA_ARGS__)) (j)->oom = true; } while (0)

static ag_audit_finding *note_oom(judge *j, ag_audit_finding *f)
{
    if (!f)
        j->oom = true;
    return f;
}

/* ------------------------------------------------------------------ */
/* Versions                                                            */

/* Compares dotted versions numerically: "2.17" < "2.34", "3.4.9" < "3.4.19". */
static int version_cmp(const char *a, const char *b)
{
    while (*a || *b) {
        long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);
        if (x != y)
            return x < y ? -1 : 1;
        if (*a == '.')
            a++;
        if (*b == '.')
            b++;
        if (!isdigit((unsigned char)*a) && !isdigit((unsigned char)*b))
            break;
    }
    return 0;
}

/* "GLIBC_2.34" -> "2.34" when the prefix matches, else NULL. */
static const char *version_of(const char *v, const char *prefix)
{
    size_t n = strlen(prefix);
    if (!v || strncmp(v, prefix, n) != 0 || !isdigit((unsigned char)v[n]))
        return NULL;
    return v + n;
}

static char *floor_of(const ag_corpus *c, const char *prefix)
{
    const char *best = NULL;
    for (size_t i = 0; i < c->n_imports; i++) {
        const char *v = version_of(c->imports[i].version, prefix);
        if (v && (!best || version_cmp(v, best) > 0))
            best = v;
    }
    return best ? strdup(best) : NULL;
}

/* "name@GLIBC_2.34": newest version first, then by name. */
static int symbol_order(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    const char *vx = strchr(x, '@'), *vy = strchr(y, '@');
    const char *nx = vx ? strchr(vx, '_') : NULL, *ny = vy ? strchr(vy, '_') : NULL;
    int c = nx && ny ? version_cmp(ny + 1, nx + 1) : 0;
    return c ? c : strcmp(x, y);
}

/* Every import of the family newer than the target's ceiling. */
static void check_family(judge *j, const char *check, const char *prefix, const char *family, const char *ceiling)
{
    const ag_corpus *c = j->bin->elf;
    ag_audit_finding *f = NULL;
    const char *worst = NULL;
    for (size_t i = 0; i < c->n_imports; i++) {
        const char *v = version_of(c->imports[i].version, prefix);
        if (v && version_cmp(v, ceiling) > 0 && (!worst || version_cmp(v, worst) > 0))
            worst = v;
    }
    if (!worst)
        return;
    f = add_finding(j, check, AG_AUDIT_ERROR, "needs %s%s, newer than the %s %s of %s", prefix, worst, family,
                    ceiling, j->target->name);
    for (size_t i = 0; i < c->n_imports; i++) {
        const char *v = version_of(c->imports[i].version, prefix);
        if (v && version_cmp(v, ceiling) > 0)
            add_symbol(j, f, "%s@%s", c->imports[i].name, c->imports[i].version);
    }
    if (f && f->n_symbols > 1)
        qsort(f->symbols, f->n_symbols, sizeof *f->symbols, symbol_order);
}

/* Is the library named soname one of the artifact's binaries? (glibc's
   own package may use GLIBC_PRIVATE between its libraries.) */
static bool ships_library(const ag_audit *a, const char *soname)
{
    for (size_t i = 0; soname && i < a->n_binaries; i++) {
        const char *slash = strrchr(a->binaries[i].inner_path, '/');
        const char *base = slash ? slash + 1 : a->binaries[i].inner_path;
        if (strcmp(base, soname) == 0 || (a->binaries[i].elf->elf.soname && strcmp(a->binaries[i].elf->elf.soname, soname) == 0))
            return true;
    }
    return false;
}

static void check_libc(judge *j)
{
    const ag_corpus *c = j->bin->elf;
    const ag_target *t = j->target;
    ag_audit_finding *priv = NULL;
    for (size_t i = 0; i < c->n_imports; i++)
        if (c->imports[i].version && strcmp(c->imports[i].version, "GLIBC_PRIVATE") == 0 &&
            !ships_library(j->audit, c->imports[i].version_file)) {
            if (!priv)
                priv = add_finding(j, "libc-private", AG_AUDIT_ERROR,
                                   "imports GLIBC_PRIVATE symbols, which only the glibc build it was linked with provides");
            add_symbol(j, priv, "%s@GLIBC_PRIVATE", c->imports[i].name);
        }
    if (t->libc == AG_LIBC_MUSL) {
        ag_audit_finding *f = NULL;
        for (size_t i = 0; i < c->n_imports; i++)
            if (version_of(c->imports[i].version, "GLIBC_")) {
                if (!f)
                    f = add_finding(j, "libc-flavor", AG_AUDIT_ERROR,
                                    "imports glibc symbol versions, which musl (%s) does not provide", t->name);
                add_symbol(j, f, "%s@%s", c->imports[i].name, c->imports[i].version);
            }
        return;
    }
    for (size_t i = 0; i < c->elf.n_needed; i++)
        if (strncmp(c->elf.needed[i], "libc.musl-", 10) == 0 || strncmp(c->elf.needed[i], "ld-musl-", 8) == 0)
            add_symbol(j, add_finding(j, "libc-flavor", AG_AUDIT_ERROR, "is linked against musl, but %s uses glibc",
                                      t->name[0] ? t->name : "the target"), "%s", c->elf.needed[i]);
    if (t->libc != AG_LIBC_GLIBC)
        return;
    char glibc[16];
    snprintf(glibc, sizeof glibc, "%d.%d", t->libc_major, t->libc_minor);
    check_family(j, "libc-floor", "GLIBC_", "glibc", glibc);
    if (t->glibcxx_max)
        check_family(j, "cxx-floor", "GLIBCXX_", "libstdc++", t->glibcxx_max);
    if (t->cxxabi_max)
        check_family(j, "cxx-floor", "CXXABI_", "libstdc++ ABI", t->cxxabi_max);
}

/* ------------------------------------------------------------------ */
/* Architecture                                                        */

static const struct { const char *token, *machine; } arch_tokens[] = {
    { "x86_64", "x86_64" }, { "x86-64", "x86_64" }, { "amd64", "x86_64" }, { "x64", "x86_64" },
    { "aarch64", "aarch64" }, { "arm64", "aarch64" }, { "i686", "i386" }, { "i386", "i386" },
    { "ia32", "i386" }, { "armv7", "arm" }, { "armhf", "arm" }, { "ppc64le", "ppc64" },
    { "s390x", "s390x" }, { "riscv64", "riscv" },
};

/* The architecture a path names ("linux-arm64/", "x86_64-linux-gnu"), or NULL. */
static const char *arch_in_path(const char *path)
{
    for (const char *p = path; *p; p++) {
        if (p != path && isalnum((unsigned char)p[-1]))
            continue;
        for (size_t i = 0; i < sizeof arch_tokens / sizeof arch_tokens[0]; i++) {
            size_t n = strlen(arch_tokens[i].token);
            if (strncmp(p, arch_tokens[i].token, n) == 0 && !isalnum((unsigned char)p[n]))
                return arch_tokens[i].machine;
        }
    }
    return NULL;
}

static int class_of_machine(const char *m)
{
    return strcmp(m, "i386") == 0 || strcmp(m, "arm") == 0 ? 32 : 64;
}

static void check_arch(judge *j)
{
    const ag_corpus *c = j->bin->elf;
    const char *want = j->target->arch[0] ? j->target->arch : j->path_arch;
    const char *from = j->target->arch[0] ? j->target->name : "its path";
    if (!want || !c->elf.machine)
        return;
    if (strcmp(want, c->elf.machine) != 0)
        add_finding(j, "arch-mismatch", AG_AUDIT_ERROR, "is a %d-bit %s binary, but %s says %s", c->elf.elf_class,
                    c->elf.machine, from, want);
    else if (c->elf.elf_class != class_of_machine(want))
        add_finding(j, "arch-mismatch", AG_AUDIT_ERROR, "is ELF class %d, but %s (%s) is %d-bit", c->elf.elf_class,
                    from, want, class_of_machine(want));
}

/* ------------------------------------------------------------------ */
/* Dependency closure                                                  */

static const char *dir_of(const char *inner, char *buf, size_t size)
{
    const char *slash = strrchr(inner, '/');
    snprintf(buf, size, "%.*s", slash ? (int)(slash - inner) : 0, inner);
    return buf;
}

/* Is dir/name a file in the artifact (directly or through a link)? */
static bool present(const ag_artifact *art, const char *dir, const char *name)
{
    char *joined = NULL;
    if (asprintf(&joined, "%s%s%s", dir, dir[0] ? "/" : "", name) < 0)
        return false;
    char *norm = ag_artifact_normalize_path(joined);
    free(joined);
    if (!norm)
        return false;
    bool yes = ag_artifact_find(art, norm) != NULL;
    if (!yes) {
        char *to = ag_artifact_resolve_link(art, norm);
        yes = to && ag_artifact_find(art, to);
        free(to);
    }
    free(norm);
    return yes;
}

static bool is_system_package_kind(const char *kind);

static bool is_system_package(const judge *j)
{
    return is_system_package_kind(j->audit->kind);
}

/* The search path entries, with $ORIGIN expanded to the binary's directory
   inside the artifact; absolute entries of a system package map into it. */
static bool found_on_search_path(judge *j, const char *name, const char *path_list, bool *absolute_reported)
{
    if (!path_list)
        return false;
    char origin[4096];
    dir_of(j->bin->inner_path, origin, sizeof origin);
    char *copy = strdup(path_list);
    if (!copy) {
        j->oom = true;
        return false;
    }
    bool found = false;
    for (char *save = NULL, *e = strtok_r(copy, ":", &save); e && !found; e = strtok_r(NULL, ":", &save)) {
        char dir[4096];
        if (strncmp(e, "$ORIGIN", 7) == 0 || strncmp(e, "${ORIGIN}", 9) == 0) {
            const char *rest = e + (e[1] == '{' ? 9 : 7);
            snprintf(dir, sizeof dir, "%s%s", origin, rest);
        } else if (e[0] == '/') {
            if (!is_system_package(j)) {
                if (!*absolute_reported)
                    add_symbol(j, add_finding(j, "rpath-absolute", AG_AUDIT_WARNING,
                                              "has an absolute RPATH/RUNPATH entry %s: a directory of the build "
                                              "machine, searched on every user's machine", e), "%s", e);
                *absolute_reported = true;
                continue;
            }
            snprintf(dir, sizeof dir, "%s", e + 1);
        } else {
            continue; /* relative to the working directory: never dependable */
        }
        found = present(j->art, dir, name);
    }
    free(copy);
    return found;
}

static const char *const system_dirs[] = {
    "lib", "usr/lib", "lib64", "usr/lib64", "lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu",
    "lib/aarch64-linux-gnu", "usr/lib/aarch64-linux-gnu", "lib/i386-linux-gnu", "usr/lib/i386-linux-gnu",
};

static void check_closure(judge *j)
{
    const ag_corpus *c = j->bin->elf;
    bool absolute_reported = false;
    char here[4096];
    dir_of(j->bin->inner_path, here, sizeof here);
    for (size_t i = 0; i < c->elf.n_needed; i++) {
        const char *name = c->elf.needed[i];
        /* DT_RPATH is ignored when DT_RUNPATH is present. */
        bool found = found_on_search_path(j, name, c->elf.runpath ? c->elf.runpath : c->elf.rpath, &absolute_reported);
        if (!found && is_system_package(j))
            for (size_t k = 0; k < sizeof system_dirs / sizeof system_dirs[0] && !found; k++)
                found = present(j->art, system_dirs[k], name);
        if (found || ag_target_allows_library(j->target, name))
            continue;
        if (is_system_package(j)) {
            add_symbol(j, add_finding(j, "dependency-external", AG_AUDIT_NOTE,
                                      "needs %s from another package (the package's dependencies must provide it)",
                                      name), "%s", name);
        } else if (present(j->art, here, name)) {
            add_symbol(j, add_finding(j, "dependency-unreachable", AG_AUDIT_ERROR,
                                      "needs %s, which is bundled beside it but not on its search path "
                                      "(no RPATH/RUNPATH $ORIGIN): it will fail to load on a clean %s",
                                      name, j->target->name), "%s", name);
        } else {
            add_symbol(j, add_finding(j, "dependency-missing", AG_AUDIT_ERROR,
                                      "needs %s, which is neither bundled nor part of a clean %s: it will fail "
                                      "to load there", name, j->target->name), "%s", name);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Loader hazards                                                      */

static void check_hazards(judge *j)
{
    const ag_elf_info *e = &j->bin->elf->elf;
    const ag_target *t = j->target;
    if (e->exec_stack) {
        bool refused = t->libc == AG_LIBC_GLIBC && (t->libc_major > 2 || (t->libc_major == 2 && t->libc_minor >= 41));
        add_finding(j, "exec-stack", refused ? AG_AUDIT_ERROR : AG_AUDIT_WARNING,
                    "needs an executable stack (PT_GNU_STACK with PF_X, or none): glibc 2.41 and later refuse to "
                    "dlopen it, older ones make every thread's stack executable, SELinux may refuse it");
    }
    if (e->static_tls)
        add_finding(j, "static-tls", AG_AUDIT_WARNING,
                    "uses the static TLS model (DF_STATIC_TLS): dlopen can fail with 'cannot allocate memory in "
                    "static TLS block' once other libraries took the surplus");
    if (j->text_relocations)
        add_finding(j, "text-relocations", AG_AUDIT_WARNING,
                    "has text relocations (DT_TEXTREL): the loader must write to its code, which SELinux "
                    "(execmod) and hardened kernels refuse");
}

/* DT_TEXTREL or DF_TEXTREL: not in the corpus (the diff does not need it). */
static bool has_text_relocations(const char *path)
{
    ag_elf_file f;
    ag_error ignored;
    if (ag_elf_file_open(&f, path, &ignored) != AG_OK)
        return false;
    bool yes = false;
    GElf_Shdr sh;
    Elf_Scn *dyn = ag_elf_file_section_typed(&f, SHT_DYNAMIC, &sh);
    Elf_Data *data = dyn ? elf_getdata(dyn, NULL) : NULL;
    for (size_t i = 0; data && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
        GElf_Dyn d;
        if (!gelf_getdyn(data, (int)i, &d))
            break;
        if (d.d_tag == DT_TEXTREL || (d.d_tag == DT_FLAGS && (d.d_un.d_val & DF_TEXTREL)))
            yes = true;
    }
    ag_elf_file_close(&f);
    return yes;
}

/* ------------------------------------------------------------------ */
/* Runtime contracts                                                   */

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static bool exports(const ag_corpus *c, const char *name)
{
    for (size_t i = 0; i < c->n_exports; i++)
        if (strcmp(c->exports[i].name, name) == 0)
            return true;
    return false;
}

static bool exports_prefix(const ag_corpus *c, const char *prefix)
{
    for (size_t i = 0; i < c->n_exports; i++)
        if (strncmp(c->exports[i].name, prefix, strlen(prefix)) == 0)
            return true;
    return false;
}

static void check_python(judge *j)
{
    const ag_corpus *c = j->bin->elf;
    const char *base = base_name(j->bin->inner_path);
    bool tagged = strstr(base, ".cpython-") || strstr(base, ".abi3.") || strstr(base, ".pypy");
    bool wheel = strcmp(j->audit->kind, "wheel") == 0;
    if (!tagged && !(wheel && exports_prefix(c, "PyInit_")) && !(wheel && !j->needed_by_other && strstr(base, ".so") &&
                                                               !strstr(j->bin->inner_path, ".libs/")))
        return;
    char module[256], want[300];
    snprintf(module, sizeof module, "%.*s", (int)strcspn(base, "."), base);
    snprintf(want, sizeof want, "PyInit_%s", module);
    if (!exports(c, want))
        add_finding(j, "pyinit-missing", AG_AUDIT_ERROR,
                    "is a Python extension module '%s' but exports no %s(): 'import %s' fails with \"dynamic "
                    "module does not define module export function\"", module, want, module);
    if (!(j->abi3 || strstr(base, ".abi3.")))
        return;
    ag_audit_finding *f = NULL;
    for (size_t i = 0; i < c->n_imports; i++) {
        const char *n = c->imports[i].name;
        if ((strncmp(n, "Py", 2) == 0 || strncmp(n, "_Py", 3) == 0) && !c->imports[i].version && !ag_stable_abi_has(n)) {
            if (!f)
                f = add_finding(j, "abi3-violation", AG_AUDIT_ERROR,
                                "is tagged abi3 but uses functions outside CPython's Stable ABI: it breaks on "
                                "other Python versions");
            add_symbol(j, f, "%s", n);
        }
    }
}

static void check_node(judge *j)
{
    const ag_corpus *c = j->bin->elf;
    if (!strstr(base_name(j->bin->inner_path), ".node"))
        return;
    for (size_t i = 0; i < c->n_exports; i++) {
        int v;
        if (sscanf(c->exports[i].name, "node_register_module_v%d", &v) == 1) {
            add_finding(j, "node-abi", AG_AUDIT_WARNING,
                        "is a native addon built for NODE_MODULE_VERSION %d, not Node-API: it loads only in the "
                        "Node.js major it was built for", v);
            return;
        }
    }
    int need = 0;
    ag_audit_finding *exp = NULL;
    bool napi = exports(c, "napi_register_module_v1");
    for (size_t i = 0; i < c->n_imports; i++) {
        int v = ag_napi_version_of(c->imports[i].name);
        if (v < 0)
            continue;
        napi = true;
        if (v == 0) {
            if (!exp)
                exp = add_finding(j, "napi-experimental", AG_AUDIT_WARNING,
                                  "uses experimental Node-API functions: they may change in any Node.js release");
            add_symbol(j, exp, "%s", c->imports[i].name);
        } else if (v > need) {
            need = v;
        }
    }
    if (!napi) {
        add_finding(j, "node-abi", AG_AUDIT_WARNING,
                    "is a native addon that uses no Node-API: it is tied to the Node.js internals it was built against");
        return;
    }
    ((ag_audit_binary *)j->bin)->napi_version = need ? need : 1;
    ag_audit_finding *f = add_finding(j, "napi-version", AG_AUDIT_NOTE, "uses Node-API version %d", need ? need : 1);
    for (size_t i = 0; f && need > 1 && i < c->n_imports; i++)
        if (ag_napi_version_of(c->imports[i].name) == need)
            add_symbol(j, f, "%s", c->imports[i].name);
}

static void check_jni(judge *j)
{
    const ag_corpus *c = j->bin->elf;
    if (strcmp(j->audit->kind, "jar") != 0 || j->needed_by_other)
        return;
    if (!exports(c, "JNI_OnLoad") && !exports_prefix(c, "Java_"))
        add_finding(j, "jni-no-entry", AG_AUDIT_ERROR,
                    "is a JNI library that exports neither JNI_OnLoad nor any Java_* function: "
                    "System.loadLibrary succeeds, every native method then fails with UnsatisfiedLinkError");
}

/* ------------------------------------------------------------------ */
/* The run                                                             */

/* A wheel's tags from its file name: NAME-VER(-BUILD)?-PY-ABI-PLAT.whl. */
static ag_status wheel_targets(const char *path, ag_audit *a, bool *abi3, ag_error *err)
{
    char name[512];
    snprintf(name, sizeof name, "%s", base_name(path));
    size_t n = strlen(name);
    if (n < 4 || strcmp(name + n - 4, ".whl") != 0)
        return AG_OK;
    name[n - 4] = '\0';
    char *plat = strrchr(name, '-');
    if (!plat)
        return AG_OK;
    *plat++ = '\0';
    char *abi = strrchr(name, '-');
    *abi3 = abi && strcmp(abi + 1, "abi3") == 0;
    for (char *save = NULL, *tag = strtok_r(plat, ".", &save); tag; tag = strtok_r(NULL, ".", &save)) {
        if (strcmp(tag, "any") == 0)
            continue;
        ag_target t;
        if (ag_target_parse(tag, &t, err) != AG_OK)
            continue; /* macosx_..., win_...: not an ELF platform */
        ag_target *grown = realloc(a->targets, (a->n_targets + 1) * sizeof *grown);
        if (!grown)
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
        a->targets = grown;
        a->targets[a->n_targets++] = t;
    }
    return AG_OK;
}

static bool needed_by_another(const ag_audit *a, size_t self)
{
    const ag_corpus *me = a->binaries[self].elf;
    const char *base = base_name(a->binaries[self].inner_path);
    for (size_t i = 0; i < a->n_binaries; i++) {
        if (i == self)
            continue;
        const ag_elf_info *e = &a->binaries[i].elf->elf;
        for (size_t k = 0; k < e->n_needed; k++)
            if (strcmp(e->needed[k], base) == 0 || (me->elf.soname && strcmp(e->needed[k], me->elf.soname) == 0))
                return true;
    }
    return false;
}

ag_status ag_audit_run(const char *path, const char *const *target_specs, size_t n_specs,
                       ag_audit **out, ag_error *err)
{
    return ag_audit_run_with(path, target_specs, n_specs, NULL, out, err);
}

static bool is_system_package_kind(const char *kind)
{
    return strcmp(kind, "deb") == 0 || strcmp(kind, "rpm") == 0;
}

ag_status ag_audit_run_with(const char *path, const char *const *target_specs, size_t n_specs,
                            const ag_audit_options *opts, ag_audit **out, ag_error *err)
{
    *out = NULL;
    ag_audit *a = calloc(1, sizeof *a);
    if (!a || !(a->artifact = strdup(path))) {
        free(a);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    ag_artifact *art = NULL;
    ag_status st = ag_artifact_open(path, AG_ARTIFACT_SHARED_OBJECTS | AG_ARTIFACT_METADATA, NULL, &art, err);
    bool abi3 = false;
    if (st == AG_OK) {
        a->kind = art->kind;
        a->targets = calloc(n_specs + 1, sizeof *a->targets);
        if (!a->targets)
            st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; st == AG_OK && i < n_specs; i++) {
        st = ag_target_parse(target_specs[i], &a->targets[i], err);
        a->n_targets += st == AG_OK;
    }
    if (st == AG_OK && strcmp(a->kind, "wheel") == 0) {
        bool tag_abi3 = false;
        ag_audit given = { .targets = NULL };
        st = wheel_targets(path, n_specs ? &given : a, &tag_abi3, err);
        free(given.targets);
        abi3 = tag_abi3;
    }
    if (st == AG_OK && a->n_targets == 0) {
        st = ag_target_parse("linux", &a->targets[0], err);
        a->n_targets = 1;
    }
    size_t n = st == AG_OK ? ag_artifact_n_shared_objects(art) : 0;
    if (st == AG_OK && n == 0)
        st = ag_fail(err, AG_ERR_NOTFOUND, "no ELF shared object in this %s: nothing to audit", a->kind);
    if (st == AG_OK && !(a->binaries = calloc(n, sizeof *a->binaries)))
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == AG_OK && i < n; i++) {
        const ag_artifact_file *f = ag_artifact_shared_object(art, i);
        ag_audit_binary *b = &a->binaries[i];
        a->n_binaries++;
        b->inner_path = strdup(f->inner_path);
        b->elf = ag_corpus_new();
        b->results = calloc(a->n_targets, sizeof *b->results);
        if (!b->inner_path || !b->elf || !b->results) {
            st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
            break;
        }
        st = ag_elf_read(f->disk_path, b->elf, err);
        if (st != AG_OK)
            st = ag_fail_prefix(err, st, f->inner_path);
        else
            b->glibc_floor = floor_of(b->elf, "GLIBC_");
    }
    for (size_t i = 0; st == AG_OK && i < a->n_binaries; i++) {
        ag_audit_binary *b = &a->binaries[i];
        const ag_artifact_file *f = ag_artifact_shared_object(art, i);
        bool textrel = has_text_relocations(f->disk_path);
        bool needed = needed_by_another(a, i);
        for (size_t t = 0; t < a->n_targets; t++) {
            ag_audit_result *r = &b->results[t];
            r->target = &a->targets[t];
            r->loads = true;
            judge j = { a, art, b, r->target, r, abi3, textrel, needed, arch_in_path(b->inner_path), false };
            check_arch(&j);
            check_libc(&j);
            check_closure(&j);
            check_hazards(&j);
            check_python(&j);
            check_node(&j);
            check_jni(&j);
            if (j.oom)
                st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
        }
    }
    /* A .deb's or .rpm's libraries are the package's own, not bundled copies. */
    if (st == AG_OK && !is_system_package_kind(a->kind))
        st = ag_audit_bundled_run(a, art, opts ? opts->catalog : NULL, err);
    for (size_t i = 0; st == AG_OK && i < a->n_binaries; i++) {
        bool failing = false;
        for (size_t t = 0; t < a->n_targets; t++)
            failing |= !a->binaries[i].results[t].loads;
        a->n_failing += failing;
    }
    ag_artifact_free(art);
    if (st != AG_OK) {
        ag_audit_free(a);
        return st;
    }
    /* kind pointed into the artifact's static strings: still valid. */
    *out = a;
    return AG_OK;
}

void ag_audit_free(ag_audit *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n_binaries; i++) {
        ag_audit_binary *b = &a->binaries[i];
        for (size_t t = 0; b->results && t < a->n_targets; t++) {
            ag_audit_result *r = &b->results[t];
            for (size_t k = 0; k < r->n_findings; k++) {
                free(r->findings[k].message);
                for (size_t s = 0; s < r->findings[k].n_symbols; s++)
                    free(r->findings[k].symbols[s]);
                free(r->findings[k].symbols);
            }
            free(r->findings);
        }
        free(b->results);
        free(b->inner_path);
        free(b->glibc_floor);
        ag_corpus_free(b->elf);
    }
    ag_audit_bundled_free(a->bundled, a->n_bundled);
    free(a->catalog);
    free(a->binaries);
    free(a->targets);
    free(a->artifact);
    free(a);
}

int ag_audit_exit_status(const ag_audit *a)
{
    if (a->n_failing)
        return 12;
    for (size_t i = 0; i < a->n_binaries; i++)
        for (size_t t = 0; t < a->n_targets; t++)
            for (size_t k = 0; k < a->binaries[i].results[t].n_findings; k++)
                if (a->binaries[i].results[t].findings[k].severity == AG_AUDIT_WARNING)
                    return 4;
    return 0;
}
