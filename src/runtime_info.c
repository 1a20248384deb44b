/*
 * runtime_info.c — the loaded libraries' versions (see runtime_info.h).
 * Each library's own version call where it has one; libelf has none, so
 * its version is read from the file the loader mapped it from
 * (libelf.so.1 -> libelf-0.188.so).
 */
#include "runtime_info.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <jansson.h>
#include <libelf.h>
#include <limits.h>
#include <microhttpd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <libdwarf.h>

static void set(ag_runtime_library *l, const char *name, const char *version)
{
    l->name = name;
    snprintf(l->version, sizeof l->version, "%s", version && *version ? version : "unknown");
}

/* "…/libelf-0.188.so" -> "0.188". */
static void libelf_version(char *buf, size_t size)
{
    Dl_info info;
    char real[PATH_MAX];
    snprintf(buf, size, "unknown");
    if (!dladdr((void *)elf_version, &info) || !info.dli_fname || !realpath(info.dli_fname, real))
        return;
    const char *base = strrchr(real, '/');
    base = base ? base + 1 : real;
    if (strncmp(base, "libelf-", 7) != 0)
        return;
    const char *v = base + 7, *end = strstr(v, ".so");
    if (end && end > v)
        snprintf(buf, size, "%.*s", (int)(end - v), v);
}

void ag_runtime_libraries(ag_runtime_library out[AG_RUNTIME_LIBRARIES])
{
    char elf[64];
    libelf_version(elf, sizeof elf);
    const curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);
    set(&out[0], "libdwarf", dwarf_package_version());
    set(&out[1], "libelf", elf);
    set(&out[2], "SQLite", sqlite3_libversion());
    set(&out[3], "libcurl", curl ? curl->version : NULL);
    set(&out[4], "libmicrohttpd", MHD_get_version());
    set(&out[5], "jansson", jansson_version_str());
}
