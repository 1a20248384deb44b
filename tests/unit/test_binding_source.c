/*
 * test_binding_source.c — the names binding_source.c reads from a ctypes or
 * cffi binding's Python source, from C declarations and from a --symbols
 * list: what counts (attributes of a loaded library, cdef declarations),
 * and what must not (comments, unrelated strings, other objects'
 * attributes).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "binding_source.h"

static bool has(char **names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

static void scan(const char *text, ag_source_kind kind, char ***names, size_t *n)
{
    ag_error err;
    cr_assert_eq(ag_source_names(text, strlen(text), kind, names, n, &err), AG_OK, "%s", err.msg);
}

Test(binding_source, ctypes_attributes_of_the_loaded_library)
{
    const char *py =
        "import ctypes, ctypes.util\n"
        "# lib.geo_in_a_comment would not count\n"
        "_lib = ctypes.CDLL(ctypes.util.find_library('geo') or 'libgeo.so.1')\n"
        "_lib.geo_distance.restype = ctypes.c_double\n"
        "_lib.geo_distance.argtypes = [Point, Point]\n"
        "class Shape:\n"
        "    def __init__(self):\n"
        "        self._h = _lib.geo_shape_new(0, 3)\n"
        "        self.other.geo_not_the_library(1)\n"
        "    def free(self):\n"
        "        getattr(_lib, 'geo_shape_free')(self._h)\n"
        "        _lib['geo_bounds']\n"
        "        print('_lib.geo_in_a_string')\n"
        "doc = \"\"\"\n_lib.geo_in_a_docstring\n\"\"\"\n"
        "x = other.geo_visit\n";
    char **names = NULL;
    size_t n = 0;
    scan(py, AG_SOURCE_PYTHON, &names, &n);
    cr_expect(has(names, n, "geo_distance"));
    cr_expect(has(names, n, "geo_shape_new"));
    cr_expect(has(names, n, "geo_shape_free"));
    cr_expect(has(names, n, "geo_bounds"));
    cr_expect(!has(names, n, "geo_in_a_comment"));
    cr_expect(!has(names, n, "geo_in_a_string"));
    cr_expect(!has(names, n, "geo_in_a_docstring"));
    cr_expect(!has(names, n, "geo_not_the_library"));
    cr_expect(!has(names, n, "geo_visit"), "another object's attribute counted");
    ag_source_names_free(names, n);
}

Test(binding_source, library_bound_to_an_attribute_or_annotated)
{
    const char *py =
        "class G:\n"
        "    def __init__(self):\n"
        "        self._lib = ctypes.cdll.LoadLibrary(path)\n"
        "        self._lib.geo_version.restype = ctypes.c_char_p\n"
        "lib2: ctypes.CDLL = ctypes.CDLL(None)\n"
        "lib2.geo_translate(p, 1.0, 2.0)\n"
        "lib3 = ctypes.cdll.libgeo\n"
        "lib3.geo_visit\n";
    char **names = NULL;
    size_t n = 0;
    scan(py, AG_SOURCE_PYTHON, &names, &n);
    cr_expect(has(names, n, "geo_version"));
    cr_expect(has(names, n, "geo_translate"));
    cr_expect(has(names, n, "geo_visit"));
    cr_expect(!has(names, n, "restype"), "an attribute of a function counted");
    ag_source_names_free(names, n);
}

Test(binding_source, cffi_cdef_strings)
{
    const char *py =
        "from cffi import FFI\n"
        "ffi = FFI()\n"
        "CDEF = '''\n"
        "struct geo_point { double x, y; };  /* geo_in_a_c_comment */\n"
        "double geo_distance(struct geo_point a, struct geo_point b);\n"
        "'''\n"
        "ffi.cdef(CDEF)\n"
        "ffi.cdef(\"void geo_translate(struct geo_point *p, double dx, double dy);\"\n"
        "         \"int geo_visit(void *s, void *fn, void *ud);\")\n"
        "lib = ffi.dlopen('libgeo.so.1')\n"
        "lib.geo_version()\n";
    char **names = NULL;
    size_t n = 0;
    scan(py, AG_SOURCE_PYTHON, &names, &n);
    cr_expect(has(names, n, "geo_distance"));
    cr_expect(has(names, n, "geo_translate"));
    cr_expect(has(names, n, "geo_visit"));
    cr_expect(has(names, n, "geo_version"));
    cr_expect(!has(names, n, "geo_in_a_c_comment"));
    ag_source_names_free(names, n);
}

Test(binding_source, no_library_name_means_every_attribute)
{
    const char *py = "from ._native import load\nL = load()\nL.geo_distance(a, b)\n";
    char **names = NULL;
    size_t n = 0;
    scan(py, AG_SOURCE_PYTHON, &names, &n);
    cr_expect(has(names, n, "geo_distance"));
    ag_source_names_free(names, n);
}

Test(binding_source, c_declarations)
{
    const char *c = "#define GEO_LIMIT geo_not_a_symbol\n"
                    "// geo_in_a_comment\n"
                    "const char *geo_version(void);\n"
                    "int geo_visit(const struct geo_shape *s, int (*fn)(void *), void *ud);\n"
                    "char *s = \"geo_in_a_string\";\n";
    char **names = NULL;
    size_t n = 0;
    scan(c, AG_SOURCE_C, &names, &n);
    cr_expect(has(names, n, "geo_version"));
    cr_expect(has(names, n, "geo_visit"));
    cr_expect(!has(names, n, "geo_not_a_symbol"));
    cr_expect(!has(names, n, "geo_in_a_comment"));
    cr_expect(!has(names, n, "geo_in_a_string"));
    ag_source_names_free(names, n);
}

Test(binding_source, lists)
{
    char **names = NULL;
    size_t n = 0;
    scan("geo_version,geo_distance@GEO_1.0\n# a comment geo_no\n geo_visit  geo_version", AG_SOURCE_LIST,
         &names, &n);
    cr_assert_eq(n, 3);
    cr_expect_str_eq(names[0], "geo_version");
    cr_expect_str_eq(names[1], "geo_distance@GEO_1.0");
    cr_expect_str_eq(names[2], "geo_visit");
    ag_source_names_free(names, n);
}

Test(binding_source, unterminated_input_is_read_as_far_as_it_goes)
{
    char **names = NULL;
    size_t n = 0;
    scan("lib = ctypes.CDLL('x')\nlib.geo_a\ns = '''never closed lib.geo_b", AG_SOURCE_PYTHON, &names, &n);
    cr_expect(has(names, n, "geo_a"));
    cr_expect(!has(names, n, "geo_b"));
    ag_source_names_free(names, n);
    scan("int geo_c(void); /* never closed geo_d", AG_SOURCE_C, &names, &n);
    cr_expect(has(names, n, "geo_c"));
    cr_expect(!has(names, n, "geo_d"));
    ag_source_names_free(names, n);
}

Test(binding_source, missing_file)
{
    char **names = NULL;
    size_t n = 0;
    ag_error err;
    cr_assert_eq(ag_source_names_read("/nonexistent/binding.py", AG_SOURCE_PYTHON, &names, &n, &err), AG_ERR_IO);
    cr_expect(strstr(err.msg, "cannot open"), "%s", err.msg);
}
