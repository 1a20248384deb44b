/*
 * guard_java.c — the Java stub `abiguard stub --lang java` writes: one class
 * for a JNA binding (libjna-java). verify(NativeLibrary) finds the object
 * the library was loaded from (dladdr1 on a symbol it resolves), reads its
 * SONAME, build-id and dynamic symbol table from memory through JNA's
 * Pointer and decides as the C stub does; verifyLayouts() compares the
 * binding's Structure subclasses (size(), fieldOffset(), the alignment JNA
 * computed) and enum constants with the baseline's layouts. A JNI library
 * has a native part: its JNI_OnLoad calls the C stub instead and turns a
 * refusal into an UnsatisfiedLinkError. The runtime is
 * src/guard_rt/java_runtime.java.
 */
#include "guard_internal.h"

#include <stdlib.h>
#include <string.h>

#include "version.h"

static const char JAVA_RUNTIME[] =
#include "guard_rt/java_runtime.java.inc"
    ;

static void java_str(FILE *f, const char *s)
{
    if (s)
        ag_guard_quote(f, AG_LANG_JAVA, s);
    else
        fputs("null", f);
}

/* A row of a table: its fields, a NUL between two (the one byte no field can
   hold: a release's version may be any other). */
typedef struct {
    const char *field[3];
} java_row;

static size_t java_row_len(const java_row *r)
{
    size_t n = 1; /* its '\n' */
    for (size_t k = 0; k < 3 && r->field[k]; k++)
        n += strlen(r->field[k]) + (k > 0);
    return n;
}

/* NAME = "\n" then each row and a '\n', written field by field
   ("a" + "\0" + "b" + "\n") for javac to fold into one string constant: a
   table the class's initializer does not build, that the check reads with
   indexOf (arrays of rows cost the class a constant, and its initializer
   code, per cell). A constant holds at most 65535 bytes, so a big table is
   cut, between rows, into parts NAME_0, NAME_1... joined once. */
static void write_table(FILE *f, const char *name, const java_row *rows, size_t n)
{
    enum { PART_MAX = 30000 }; /* bytes: at most twice that once in the class file */
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += java_row_len(&rows[i]);
    size_t part = 0, used = 1;
    bool cut = total > PART_MAX;
    fprintf(f, cut ? "    static final String %s_0 = \"\\n\"" : "    static final String %s = \"\\n\"", name);
    for (size_t i = 0; i < n; i++) {
        size_t len = java_row_len(&rows[i]);
        if (cut && used + len > PART_MAX && used > 0) {
            fprintf(f, ";\n    static final String %s_%zu = \"\"", name, ++part);
            used = 0;
        }
        fputs("\n        + ", f);
        for (size_t k = 0; k < 3 && rows[i].field[k]; k++) {
            if (k > 0)
                fputs(" + \"\\0\" + ", f);
            java_str(f, rows[i].field[k]);
        }
        fputs(" + \"\\n\"", f);
        used += len;
    }
    fputs(";\n", f);
    if (cut) {
        fprintf(f, "    static final String %s = String.join(\"\"", name);
        for (size_t k = 0; k <= part; k++)
            fprintf(f, ", %s_%zu", name, k);
        fputs(");\n", f);
    }
}

/* s (NULL: nothing) with its newlines as spaces: a row is one line. */
static void one_line(char *s)
{
    for (; s && *s; s++)
        if (*s == '\n')
            *s = ' ';
}

/* The releases known compatible and incompatible and the symbols required,
   as write_table's tables. */
static ag_status write_tables(FILE *f, const ag_guard_plan *p, ag_error *err)
{
    size_t n = p->n_releases > p->n_symbols ? p->n_releases : p->n_symbols;
    java_row *rows = calloc(n ? n : 1, sizeof *rows);
    char **owned = calloc(2 * (n ? n : 1), sizeof *owned); /* the text made for a row */
    if (!rows || !owned) {
        free(rows);
        free(owned);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    ag_status st = AG_OK;
    size_t m = 0, o = 0;
    for (int compatible = 1; compatible >= 0 && st == AG_OK; compatible--) {
        m = 0;
        for (size_t i = 0; i < p->n_releases; i++) {
            const ag_guard_release *r = &p->releases[i];
            if (r->compatible != (compatible == 1))
                continue;
            char *rel = malloc(strlen(p->library) + strlen(r->version) + 2), *why = NULL;
            if (rel)
                sprintf(rel, "%s@%s", p->library, r->version);
            if (!compatible && rel)
                why = strdup(r->why ? r->why : "");
            one_line(rel);
            one_line(why);
            owned[o++] = rel;
            owned[o++] = why;
            if (!rel || (!compatible && !why)) {
                st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
                break;
            }
            rows[m++] = (java_row){ { r->build_id, rel, why } };
        }
        if (st != AG_OK)
            break;
        fputs(compatible ? "    /** \"\\nbuild-id\\0release\\n...\": the releases known compatible for the symbols used. */\n"
                         : "    /** \"\\nbuild-id\\0release\\0its breaking changes\\n...\": those known incompatible. */\n", f);
        write_table(f, compatible ? "COMPATIBLE" : "INCOMPATIBLE", rows, m);
        for (size_t k = 0; k < o; k++)
            free(owned[k]);
        o = 0;
    }
    if (st == AG_OK) {
        for (size_t i = 0; i < p->n_symbols && st == AG_OK; i++) {
            const ag_guard_symbol *s = &p->symbols[i];
            char *size = malloc(24);
            owned[o++] = size;
            if (!size)
                st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
            else if (s->is_object)
                snprintf(size, 24, "%llu", (unsigned long long)s->size);
            else
                strcpy(size, "-");
            rows[i] = (java_row){ { s->name, s->version ? s->version : "", size } };
        }
        if (st == AG_OK) {
            fputs("    /** \"\\nsymbol\\0required version (empty: the default one)\\0size of a data object (-: a function)\\n...\":\n"
                  "        the symbols this binding requires. */\n", f);
            write_table(f, "SYMBOLS", rows, p->n_symbols);
        }
    }
    for (size_t k = 0; k < o; k++)
        free(owned[k]);
    free(owned);
    free(rows);
    return st;
}

/* The layouts as string constants rather than a class initializer building
   maps of objects, which would cost every binding its load time: only the
   types verifyLayouts is given are ever parsed. A class file's string
   constant holds at most 65535 bytes, so a large table is cut into parts
   LAYOUT_TABLE joins once. */
static ag_status write_layouts(FILE *f, const ag_guard_plan *p, ag_error *err)
{
    enum { PART_MAX = 30000 }; /* bytes: at most twice that once in the class file */
    fputs("    /** \"\\nC type|kind|size|alignment (0: packed)|members (name,offset,size,bit offset,bits;...)\n"
          "        or enumerators (name=value;...)\": the baseline's layouts, one line each. */\n"
          "    static final String LAYOUTS_0 = \"\\n\"",
          f);
    size_t part = 0, used = 1;
    for (size_t i = 0; i < p->n_layouts; i++) {
        char *line = ag_guard_layout_row(&p->layouts[i], true);
        if (!line)
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
        for (size_t at = 0, n = strlen(line); at < n;) {
            if (used == PART_MAX) {
                fprintf(f, ";\n    static final String LAYOUTS_%zu = \"\"", ++part);
                used = 0;
            }
            size_t take = n - at < PART_MAX - used ? n - at : PART_MAX - used;
            char saved = line[at + take];
            line[at + take] = '\0';
            fputs("\n        + ", f);
            java_str(f, line + at);
            line[at + take] = saved;
            at += take;
            used += take;
        }
        free(line);
    }
    fputs(";\n    static final String LAYOUT_TABLE = ", f);
    if (part == 0) {
        fputs("LAYOUTS_0;\n", f);
    } else {
        fputs("String.join(\"\"", f);
        for (size_t k = 0; k <= part; k++)
            fprintf(f, ", LAYOUTS_%zu", k);
        fputs(");\n", f);
    }
    return AG_OK;
}

ag_status ag_guard_write_java(const ag_guard_plan *p, const ag_guard_stub_options *o, FILE *f, ag_error *err)
{
    ag_guard_head h;
    ag_status st = ag_guard_head_init(&h, p, o, true, err);
    if (st != AG_OK)
        return st;
    if (o->class_name) {
        char *c = strdup(o->class_name);
        if (!c) {
            ag_guard_head_free(&h);
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
        }
        free(h.names.camel);
        h.names.camel = c;
    }
    const char *camel = h.names.camel;
    fprintf(f, "// Generated by abiguard %s (abiguard stub %s --lang java); do not edit, regenerate it.\n",
            ABIGUARD_VERSION, h.baseline_text);
    if (o->package)
        fprintf(f, "package %s;\n", o->package);
    fprintf(f,
            "\n"
            "import com.sun.jna.Function;\n"
            "import com.sun.jna.Native;\n"
            "import com.sun.jna.NativeLibrary;\n"
            "import com.sun.jna.Platform;\n"
            "import com.sun.jna.Pointer;\n"
            "import com.sun.jna.Structure;\n"
            "import java.lang.reflect.Field;\n"
            "import java.lang.reflect.Method;\n"
            "import java.lang.reflect.Modifier;\n"
            "import java.util.Map;\n"
            "\n"
            "/**\n"
            " * The load-time ABI check of %s for a JNA binding built against %s.\n"
            " * Call it once, right after loading the library:\n"
            " * <pre>\n"
            " *   NativeLibrary lib = NativeLibrary.getInstance(\"%s\");\n"
            " *   %s.verify(lib);   // Refused (an UnsatisfiedLinkError) if refused\n"
            " *   %s.verifyLayouts(Map.of(\"struct ...\", MyStructure.class, ...));\n"
            " * </pre>\n"
            " * Outcomes: verified (a build known compatible), accepted-unverified (an\n"
            " * unknown build whose SONAME, symbols, versions and data-object sizes\n"
            " * match), refused. The policy (%s) is overridden by\n"
            " * ABIGUARD_POLICY=default|strict|warn|off.\n"
            " */\n"
            "public final class %s {\n",
            h.so_text, h.baseline_text, h.library_text, camel, camel, ag_guard_default_policy(o), camel);
    fputs("    public static final String LIBRARY = ", f);
    java_str(f, p->library);
    fputs(";\n    public static final String BASELINE = ", f);
    java_str(f, h.baseline);
    fputs(";\n    public static final String SONAME = ", f);
    java_str(f, h.so);
    fprintf(f, ";\n    static final boolean SONAME_REQUIRED = %s; // the baseline has a DT_SONAME\n"
               "    static final String DEFAULT_POLICY = \"%s\";\n\n",
            p->soname ? "true" : "false", ag_guard_default_policy(o));
    st = write_tables(f, p, err);
    if (st == AG_OK) {
        fputs("    /** For `abiguard fingerprint match LIBRARY --fingerprints FILE`. */\n"
              "    public static final String FINGERPRINTS = ", f);
        java_str(f, h.fingerprints);
        fputs(";\n\n", f);
        st = write_layouts(f, p, err);
    }
    if (st == AG_OK)
        ag_guard_emit(f, JAVA_RUNTIME, &h.names);
    ag_guard_head_free(&h);
    if (st == AG_OK && ferror(f))
        st = ag_fail(err, AG_ERR_IO, "write error");
    return st;
}
