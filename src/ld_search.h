/*
 * ld_search.h — where the dynamic loader would find a DT_NEEDED library of
 * a binary on this machine: the binary's DT_RPATH (when it has no
 * DT_RUNPATH), LD_LIBRARY_PATH, its DT_RUNPATH ($ORIGIN is the binary's
 * directory), then the directories /etc/ld.so.conf lists (following its
 * `include` globs), then the system directories for its machine (the
 * multiarch ones, /lib64 and /usr/lib64 for 64-bit, /lib, /usr/lib), as
 * ld.so(8) describes. The ld.so.cache is not read: it only indexes the
 * directories of ld.so.conf and the system ones, which are searched
 * directly.
 */
#ifndef ABIGUARD_LD_SEARCH_H
#define ABIGUARD_LD_SEARCH_H

#include "corpus.h"

/* The path (malloc'd) of the file the loader would load for `needed` (a
   DT_NEEDED entry of the binary at binary_path, whose ELF part is bin), or
   NULL when no such file exists here. A name with a '/' is taken as is. */
char *ag_ld_find(const char *binary_path, const ag_elf_info *bin, const char *needed);

/* The directories an ld.so.conf file lists, in order, as one ':'-separated
   string (malloc'd; "" when none or the file cannot be read): one directory
   per line (or several, separated by spaces, commas or colons), '#'
   comments, `include GLOB` lines read in glob order (a relative glob is
   taken from the file's directory; at most 8 levels deep), `hwcap` lines
   ignored. NULL only when out of memory. */
char *ag_ld_conf_dirs(const char *conf_path);

#endif
