/*
 * ld_search.c — the loader's search for a DT_NEEDED library (see
 * ld_search.h). Read-only: it only asks whether files exist.
 */
#include "ld_search.h"

#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct dir_list {
    char *s;
    size_t len, cap;
    bool oom;
} dir_list;

static void dirs_add(dir_list *l, const char *dir, size_t n)
{
    if (l->oom || n == 0)
        return;
    if (l->len + n + 2 > l->cap) {
        size_t cap = (l->len + n + 2) * 2;
        char *s = realloc(l->s, cap);
        if (!s) {
            l->oom = true;
            return;
        }
        l->s = s;
        l->cap = cap;
    }
    if (l->len)
        l->s[l->len++] = ':';
    memcpy(l->s + l->len, dir, n);
    l->len += n;
    l->s[l->len] = '\0';
}

static void read_conf(dir_list *l, const char *path, int depth);

/* An include line's glob, relative to the including file's directory. */
static void read_include(dir_list *l, const char *conf_path, const char *pattern, int depth)
{
    char full[4096];
    const char *slash = strrchr(conf_path, '/');
    if (pattern[0] == '/' || !slash)
        snprintf(full, sizeof full, "%s", pattern);
    else
        snprintf(full, sizeof full, "%.*s/%s", (int)(slash - conf_path), conf_path, pattern);
    glob_t g;
    if (glob(full, 0, NULL, &g) == 0)
        for (size_t i = 0; i < g.gl_pathc; i++)
            read_conf(l, g.gl_pathv[i], depth + 1);
    globfree(&g);
}

static void read_conf(dir_list *l, const char *path, int depth)
{
    if (depth > 8)
        return;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[4096];
    while (!l->oom && fgets(line, sizeof line, f)) {
        line[strcspn(line, "#\n")] = '\0';
        char *p = line + strspn(line, " \t");
        if (strncmp(p, "include", 7) == 0 && (p[7] == ' ' || p[7] == '\t')) {
            char *save = NULL;
            for (char *tok = strtok_r(p + 8, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
                read_include(l, path, tok, depth);
            continue;
        }
        if (strncmp(p, "hwcap", 5) == 0 && (p[5] == ' ' || p[5] == '\t'))
            continue;
        for (char *q = p; *q;) {
            size_t n = strcspn(q, " \t,:="); /* "dir=TYPE": the old libc5 form */
            if (n && q[0] == '/')
                dirs_add(l, q, n);
            q += n;
            q += strspn(q, " \t,:=");
        }
    }
    fclose(f);
}

char *ag_ld_conf_dirs(const char *conf_path)
{
    dir_list l = { 0 };
    read_conf(&l, conf_path, 0);
    if (l.oom) {
        free(l.s);
        return NULL;
    }
    return l.s ? l.s : strdup("");
}

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
    if (!found) {
        char *conf = ag_ld_conf_dirs("/etc/ld.so.conf");
        if (conf)
            found = search_list(conf, origin, needed);
        free(conf);
    }
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
