/*
 * ld_search.c — the loader's search for a DT_NEEDED library (see
 * ld_search.h). Read-only: it only asks whether files exist.
 */
#include "ld_search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The Debian multiarch directory name of a machine, or NULL. */
static const char *multiarch(const ag_elf_info *bin)
{
    const char *m = bin->machine ? bin->machine : "";
    if (strcmp(m, "x86_64") == 0)
        return bin->elf_class == 32 ? "x86_64-linux-gnux32" : "x86_64-linux-gnu";
    if (strcmp(m, "aarch64") == 0)
        return "aarch64-linux-gnu";
    if (strcmp(m, "i386") == 0)
        return "i386-linux-gnu";
    if (strcmp(m, "arm") == 0)
        return "arm-linux-gnueabihf";
    if (strcmp(m, "riscv") == 0)
        return "riscv64-linux-gnu";
    if (strcmp(m, "ppc64") == 0)
        return "powerpc64le-linux-gnu";
    if (strcmp(m, "s390x") == 0)
        return "s390x-linux-gnu";
    return NULL;
}

/* Looks for dir/needed with each ':'-separated dir of list ($ORIGIN
   replaced by origin); returns the first that exists. */
static char *search_list(const char *list, const char *origin, const char *needed)
{
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ":");
        char dir[4096], path[4096];
        snprintf(dir, sizeof dir, "%.*s", (int)len, p);
        const char *o = strstr(dir, "$ORIGIN");
        if (!o)
            o = strstr(dir, "${ORIGIN}");
        if (o) {
            size_t skip = dir[o - dir + 1] == '{' ? 9 : 7;
            char rest[4096];
            snprintf(rest, sizeof rest, "%s", o + skip);
            int n = snprintf(dir + (o - dir), sizeof dir - (size_t)(o - dir), "%s%s", origin, rest);
            if (n < 0 || (size_t)n >= sizeof dir - (size_t)(o - dir))
                dir[0] = '\0'; /* too long to be a directory here */
        }
        int n = *dir ? snprintf(path, sizeof path, "%s/%s", dir, needed) : -1;
        if (n > 0 && (size_t)n < sizeof path && access(path, F_OK) == 0)
            return strdup(path);
        p += len;
        if (*p == ':')
            p++;
    }
    return NULL;
}

char *ag_ld_find(const char *binary_path, const ag_elf_info *bin, const char *needed)
{
    if (strchr(needed, '/'))
        return access(needed, F_OK) == 0 ? strdup(needed) : NULL;
    char origin[4096];
    const char *slash = strrchr(binary_path, '/');
    if (slash)
        snprintf(origin, sizeof origin, "%.*s", (int)(slash - binary_path), binary_path);
    else
        snprintf(origin, sizeof origin, ".");
    char *found = NULL;
    if (!bin->runpath)
        found = search_list(bin->rpath, origin, needed);
    if (!found)
        found = search_list(getenv("LD_LIBRARY_PATH"), origin, needed);
    if (!found)
        found = search_list(bin->runpath, origin, needed);
    const char *ma = multiarch(bin);
    char system[1024];
    int used = 0;
    if (ma)
        used = snprintf(system, sizeof system, "/lib/%s:/usr/lib/%s:", ma, ma);
    snprintf(system + used, sizeof system - (size_t)used, "%s/lib:/usr/lib",
             bin->elf_class == 64 ? "/lib64:/usr/lib64:" : "");
    if (!found)
        found = search_list(system, origin, needed);
    return found;
}
