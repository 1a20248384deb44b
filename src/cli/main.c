/*
 * main.c — the abiguard command: the table of subcommands, --help and
 * --version, and dispatch. Each subcommand lives in cmd_<name>.c.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "build_info.h"
#include "cli.h"
#include "cli_help.h"
#include "../corpus.h"
#include "../runtime_info.h"
#include "../version.h"

const ag_command ag_commands[] = {
    { "extract", cmd_extract, "read a shared object's ABI (ELF + DWARF) into a corpus JSON",
      "usage: abiguard extract LIB.so|ARTIFACT[:NAME] [--headers-dir DIR]... [--public-headers FILE]...\n"
      "                       [--debug-dir DIR]... [--no-system-debug] [-o FILE|DIR]\n"
      "                       [--debug-package FILE]... [--dev-package FILE] [--source-root DIR]\n"
      "\n"
      "Reads LIB.so and its debug info (in the file, via .gnu_debuglink,\n"
      "/usr/lib/debug/.build-id, or --debug-dir) and writes its ABI corpus\n"
      "(format abiguard-corpus/1) to FILE or stdout.\n"
      "An ARTIFACT (.deb, .rpm, .whl, .jar, npm .tgz, .tar.*, .zip or a\n"
      "directory) is read with libarchive: every ELF shared object inside is a\n"
      "binary; ARTIFACT:NAME picks one by SONAME, file name or inner path, and\n"
      "-o DIR writes one corpus per binary (DIR/<inner path with _>.json).\n"
      "\n"
      "  --headers-dir DIR   the library's installed public headers (PREFIX/include;\n"
      "                      repeatable): recorded in the corpus as its public\n"
      "                      surface; types they declare are kept even when no\n"
      "                      signature reaches them. Without it the surface is\n"
      "                      inferred from the declaration files when used\n"
      "  --public-headers FILE[,FILE...]  only these files are public headers\n"
      "                      (repeatable; named relative to a --headers-dir)\n"
      "  --debug-dir DIR     also look for separate debug files under DIR (repeatable)\n"
      "  --no-system-debug   do not look under /usr/lib/debug\n"
      "  --debuginfod URL    fetch missing debug info by build-id from this server\n"
      "                      (repeatable; default: $DEBUGINFOD_URLS)\n"
      "  --no-debuginfod     do not ask any debuginfod server\n"
      "  --debug-package FILE  a -dbg/-dbgsym .deb or a tarball of a debug tree: its\n"
      "                      debug files are matched by build-id (repeatable)\n"
      "  --dev-package FILE  the -dev .deb or an include tree: its headers are the\n"
      "                      public surface (as --headers-dir)\n"
      "  --source-root DIR   the library's source tree: declaration files are\n"
      "                      spelled relative to it (default: inferred from the\n"
      "                      debug info's compilation units; see docs/corpus.md)\n"
      "  -o, --output FILE   write to FILE instead of stdout (replaced atomically)\n"
      "\n"
      "exit: 0 ok, 1 error, 2 usage\n" },
    { "show", cmd_show, "print a readable view of a corpus or library",
      "usage: abiguard show FILE.json|LIB.so|NAME@V [--type NAME] [--function NAME]\n"
      "                     [--debug-dir DIR]... [--no-system-debug]\n"
      "                     [--debuginfod URL]... [--no-debuginfod] [--db FILE]\n"
      "\n"
      "Without options: identity, symbol counts, functions and variables.\n"
      "  --type NAME       one type; structs and unions shown with offsets, sizes\n"
      "                    and holes, as pahole does (NAME: 'struct foo', 'foo_t', 'foo')\n"
      "  --function NAME   one function's signature and the types it reaches\n"
      "  --debug-dir DIR   as for extract, when given a shared object (repeatable)\n"
      "  --no-system-debug do not look under /usr/lib/debug\n"
      "  --source-root DIR as for extract: the source tree declaration files are\n"
      "                    spelled from\n"
      "  --debuginfod URL  fetch missing debug info by build-id from this server\n"
      "                    (repeatable; default: $DEBUGINFOD_URLS)\n"
      "  --no-debuginfod   do not ask any debuginfod server\n"
      "  --debug-package FILE as for extract: a -dbg/-dbgsym package's debug\n"
      "                    files, matched by build-id (repeatable)\n"
      "  --dev-package FILE as for extract: the -dev package's headers are\n"
      "                    the public surface\n"
      "  --db FILE         the store for NAME@V (default $ABIGUARD_DB, else ./abiguard.db)\n"
      "\n"
      "exit: 0 ok, 1 error, 2 usage\n" },
    { "diff", cmd_diff, "compare two releases: classified ABI changes, a verdict, a report",
      "usage: abiguard diff OLD NEW [--format text|json|markdown|junit|sarif]\n"
      "                     [--fail-on breaking|api-break|risky] [--headers-dir DIR]...\n"
      "                     [--public-headers FILE]... [--show-private]\n"
      "                     [--suppressions FILE] [--show-suppressed]\n"
      "                     [--debug-dir DIR]... [--no-system-debug]\n"
      "                     [--debuginfod URL]... [--no-debuginfod] [--db FILE] [-o FILE]\n"
      "\n"
      "Tells whether binaries built against OLD keep working with NEW, and why.\n"
      "OLD and NEW are each a corpus JSON (from 'abiguard extract'), a shared\n"
      "object (extracted on the fly), NAME@VERSION from the store, or an artifact\n"
      "(ARTIFACT:NAME for one of its binaries; see extract). Two whole artifacts\n"
      "are diffed binary by binary: paired by SONAME, then by file-name stem,\n"
      "libraries added (compatible) and removed (breaking), one overall verdict\n"
      "and one section per binary in every format (--debug-package and\n"
      "--dev-package as for extract).\n"
      "\n"
      "  --format FMT          text (default), json (schema: docs/diff-json.md),\n"
      "                        markdown (a pull-request comment), junit (one test\n"
      "                        case per interface of OLD), sarif (2.1.0)\n"
      "  --fail-on VERDICT     the least severe verdict that sets exit bit 8:\n"
      "                        breaking (default), api-break or risky\n"
      "  --headers-dir DIR     the installed public headers (repeatable): a type not\n"
      "                        declared in them and reached only through pointers\n"
      "                        is opaque, nothing in it is reported. Overrides the\n"
      "                        surface the corpora recorded; without either it is\n"
      "                        inferred from the declaration files\n"
      "  --public-headers FILE[,FILE...]  only these files are public headers\n"
      "  --show-private        list the changes and types the public surface left out\n"
      "  --suppressions FILE   rules that accept known changes, one a line ('#'\n"
      "                        comments), each one or more key=value fields that\n"
      "                        must all match: symbol=GLOB (an impacted interface),\n"
      "                        type=NAME (type=\"struct ctx\" also matches its\n"
      "                        members), kind=ID (a change kind), source=GLOB (the\n"
      "                        declaration file). Suppressed changes are counted,\n"
      "                        not failed on; a malformed line is an error\n"
      "  --show-suppressed     list suppressed changes in the report too\n"
      "  --debug-dir DIR       look for separate debug files under DIR (repeatable)\n"
      "  --no-system-debug     do not look under /usr/lib/debug\n"
      "  --source-root DIR     as for extract, when given shared objects\n"
      "  --debuginfod URL      fetch missing debug info by build-id from this server\n"
      "                        (repeatable; default: $DEBUGINFOD_URLS)\n"
      "  --no-debuginfod       do not ask any debuginfod server\n"
      "  --debug-package FILE  as for extract: a -dbg/-dbgsym package's debug\n"
      "                        files, matched by build-id (repeatable)\n"
      "  --dev-package FILE    as for extract: the -dev package's headers are\n"
      "                        the public surface\n"
      "  --db FILE             the store for NAME@VERSION (default $ABIGUARD_DB,\n"
      "                        else ./abiguard.db)\n"
      "  -o, --output FILE     write the report to FILE instead of stdout\n"
      "\n"
      "'abiguard change-kinds' lists every change kind with its verdict and why.\n"
      "\n"
      "exit (abidiff's bit mask): 0 no ABI change (or only harmless ones),\n"
      "      1 error, 2 usage, 4 ABI changed (compatible or worse), 12 (4|8)\n"
      "      changed with a change at or above --fail-on\n" },
    { "check", cmd_check, "check a binding against a library release: only what it uses",
      "usage: abiguard check BINDING --library LIB.so|NAME@V|FILE.json\n"
      "                      [--built-against NAME@V|FILE.json|LIB.so]\n"
      "                      [--format text|json|markdown|junit|sarif]\n"
      "                      [--fail-on breaking|api-break|risky] [--headers-dir DIR]...\n"
      "                      [--public-headers FILE]... [--show-private]\n"
      "                      [--suppressions FILE] [--show-suppressed]\n"
      "                      [--debug-dir DIR]... [--no-system-debug]\n"
      "                      [--debuginfod URL]... [--no-debuginfod] [--db FILE] [-o FILE]\n"
      "\n"
      "Tells whether BINDING (a CPython extension, a JNI or N-API library, a\n"
      "program) still works with the library release LIB. What it was built for\n"
      "comes from BINDING itself: the symbols it imports from the library (with\n"
      "their versions), the DT_NEEDED entry naming it, and the library's\n"
      "declarations and types in BINDING's own DWARF (build it with -g).\n"
      "Only changes BINDING can feel are reported: imported symbols removed or\n"
      "re-versioned, a SONAME it no longer finds, and type changes reached from\n"
      "the functions it calls (callbacks it passes included).\n"
      "BINDING may be an artifact (wheel, jar, npm package, .deb): each shared\n"
      "object in it is a binding. A LIB of several binaries (an artifact, or\n"
      "NAME@V stored from one) offers each binding the one its DT_NEEDED names.\n"
      "Then one section per binding and one verdict, the worst.\n"
      "\n"
      "  -l, --library LIB       the release to run with: a shared object, a corpus\n"
      "                          JSON, or NAME@VERSION from the store\n"
      "  --built-against REL     the release BINDING was built against, used where\n"
      "                          its DWARF says nothing (stripped, or a function whose\n"
      "                          address is only taken). Without DWARF and without\n"
      "                          it, only imported symbols and versions are checked\n"
      "                          (a warning says so)\n"
      "  --format FMT            as for diff: text, json, markdown, junit, sarif\n"
      "  --fail-on VERDICT       the least severe verdict that sets exit bit 8\n"
      "  --headers-dir DIR       the library's installed public headers (as for diff)\n"
      "  --public-headers FILE   only these files are public headers (as for diff)\n"
      "  --show-private          list what the public surface left out\n"
      "  --suppressions FILE     rules that accept known changes (as for diff)\n"
      "  --show-suppressed       list suppressed changes in the report too\n"
      "  --debug-dir DIR         look for separate debug files under DIR (repeatable)\n"
      "  --no-system-debug       do not look under /usr/lib/debug\n"
      "  --source-root DIR       as for extract, when given a shared object\n"
      "  --debuginfod URL        fetch missing debug info by build-id from this server\n"
      "                          (repeatable; default: $DEBUGINFOD_URLS)\n"
      "  --no-debuginfod         do not ask any debuginfod server\n"
      "  --debug-package FILE    as for extract: a -dbg/-dbgsym package's debug\n"
      "                          files, matched by build-id (repeatable)\n"
      "  --dev-package FILE      as for extract: the -dev package's headers are\n"
      "                          the public surface\n"
      "  --db FILE               the store for NAME@VERSION (default $ABIGUARD_DB,\n"
      "                          else ./abiguard.db)\n"
      "  -o, --output FILE       write the report to FILE instead of stdout\n"
      "\n"
      "exit (as diff): 0 nothing BINDING uses changed (or only harmlessly),\n"
      "      1 error, 2 usage, 4 changed, 12 (4|8) changed with a change at or\n"
      "      above --fail-on\n" },
    { "audit", cmd_audit, "will each native binary of a wheel, jar, npm package or .deb load on a target?",
      "usage: abiguard audit ARTIFACT [--target T]... [--format text|json|markdown|junit|sarif]\n"
      "                      [-o FILE] [--db FILE | --server URL] [--push URL [--token-file FILE]]\n"
      "                      [--insecure]\n"
      "\n"
      "For every ELF shared object in ARTIFACT (.whl, .jar, npm .tgz, .deb, .rpm,\n"
      ".tar.*, .zip or a directory) and every target, says whether it loads and\n"
      "why not: the libc floor (the highest GLIBC_/GLIBCXX_/CXXABI_ version it\n"
      "needs, with the symbols that need it), musl against glibc, architecture\n"
      "and ELF class against the tag or the path (linux-arm64/, x86_64-linux-gnu),\n"
      "every DT_NEEDED resolved inside the artifact (RPATH/RUNPATH with $ORIGIN)\n"
      "or on the target's system (the manylinux/musllinux policy's library list),\n"
      "absolute RPATHs, executable stack, static TLS, text relocations, and the\n"
      "runtime contracts: PyInit_<module>, abi3 wheels using only the Stable ABI,\n"
      "the Node-API version a .node addon needs, JNI entry points in a jar.\n"
      "Each bundled library (one another binary needs; auditwheel's hashed names\n"
      "are undone) is identified by SONAME and build-id; with --db or --server its\n"
      "users are checked, as 'abiguard check' does, against the stored release of\n"
      "that build, and against a stored system copy of the same SONAME: can both\n"
      "be loaded into one process, which symbols interpose, does the ABI differ.\n"
      "\n"
      "  --target T     manylinux_X_Y[_ARCH], manylinux2014, musllinux_X_Y[_ARCH],\n"
      "                 linux[_ARCH], debian:N, ubuntu:N.NN, rhel:N (centos, rocky,\n"
      "                 almalinux), alpine:3.N (repeatable). Default: a wheel's\n"
      "                 platform tags, else 'linux' with the path's architecture\n"
      "  --format FMT   text (default), json (abiguard-audit/1), markdown, junit\n"
      "                 (a suite per target, a case per binary), sarif (2.1.0)\n"
      "  -o, --output FILE  write to FILE instead of stdout (replaced atomically)\n"
      "  --db FILE      match bundled libraries with this store's releases\n"
      "  --server URL   ... or with this abiguard service's (read-only API)\n"
      "  --push URL     also store the result in this abiguard service (POST\n"
      "                 /api/v1/audits; the dashboard shows it under Audits)\n"
      "  --token-file FILE  the service's token for --push (first line), else\n"
      "                 $ABIGUARD_TOKEN\n"
      "  --insecure     do not verify the services' TLS certificates\n"
      "\n"
      "exit: 0 every binary loads on every target, 4 warnings only, 12 some binary\n"
      "fails to load on some target, 1 error, 2 usage\n" },
    { "change-kinds", cmd_change_kinds, "list the ABI change kinds with their verdicts and why",
      "usage: abiguard change-kinds [--format text|markdown]\n"
      "\n"
      "Prints every change kind 'abiguard diff' reports: its stable id, its\n"
      "verdict (breaking, api-break, risky, compatible, harmless), its area and\n"
      "one sentence of why. The Markdown form is the README's table.\n"
      "\n"
      "  --format FMT   text (default) or markdown\n"
      "\n"
      "exit: 0 ok, 1 error, 2 usage\n" },
    { "add", cmd_add, "extract a shared object and store it as release NAME@VERSION",
      "usage: abiguard add LIB.so|ARTIFACT[:NAME] --library NAME --version V [--date YYYY-MM-DD]\n"
      "                   [--notes TEXT] [--source-url PATTERN] [--replace] [--db FILE]\n"
      "                   [--headers-dir DIR]... [--public-headers FILE]...\n"
      "                   [--debug-dir DIR]... [--no-system-debug] [--source-root DIR]\n"
      "\n"
      "Extracts LIB.so as 'abiguard extract' does and records it in the store as\n"
      "release NAME@V, in one transaction: a killed run leaves the release absent\n"
      "or complete. An ARTIFACT (.deb, .rpm, wheel, jar, npm .tgz, tarball) is\n"
      "recorded with every shared object in it, each with its path inside the\n"
      "artifact (NAME@V:SONAME then names one); ARTIFACT:NAME records that one. Types, functions and symbols already stored for any release\n"
      "are stored once, so a release costs only what changed.\n"
      "\n"
      "  --library NAME      the library's name in the store (e.g. lua)\n"
      "  --version V         the release (e.g. 5.4.6); must not contain '@'\n"
      "  --date YYYY-MM-DD   the release date\n"
      "  --notes TEXT        free text, shown by 'abiguard list NAME'\n"
      "  --source-url PATTERN  where the release's sources are browsable, e.g.\n"
      "                      'https://github.com/o/r/blob/{version}/{file}#L{line}':\n"
      "                      the dashboard links each declaration there ({file} is\n"
      "                      the path relative to the source root)\n"
      "  --replace           replace an existing NAME@V (its cached diffs are dropped)\n"
      "  --db FILE           the store (default $ABIGUARD_DB, else ./abiguard.db;\n"
      "                      created when missing)\n"
      "  --headers-dir DIR   the library's installed public headers (PREFIX/include;\n"
      "                      repeatable): recorded in the corpus as its public\n"
      "                      surface; types they declare are kept even when no\n"
      "                      signature reaches them. Without it the surface is\n"
      "                      inferred from the declaration files when used\n"
      "  --public-headers FILE[,FILE...]  only these files are public headers\n"
      "                      (repeatable; named relative to a --headers-dir)\n"
      "  --debug-dir DIR     also look for separate debug files under DIR (repeatable)\n"
      "  --no-system-debug   do not look under /usr/lib/debug\n"
      "  --debuginfod URL    fetch missing debug info by build-id from this server\n"
      "                      (repeatable; default: $DEBUGINFOD_URLS)\n"
      "  --no-debuginfod     do not ask any debuginfod server\n"
      "  --source-root DIR   the library's source tree (as for extract)\n"
      "  --debug-package FILE as for extract: a -dbg/-dbgsym package's debug\n"
      "                      files, matched by build-id (repeatable)\n"
      "  --dev-package FILE  as for extract: the -dev package's headers are\n"
      "                      the public surface\n"
      "\n"
      "exit: 0 ok, 1 error (NAME@V already stored, without --replace, is one), 2 usage\n" },
    { "import", cmd_import, "store a corpus JSON as release NAME@VERSION",
      "usage: abiguard import FILE.json --library NAME --version V [--date YYYY-MM-DD]\n"
      "                      [--notes TEXT] [--source-url PATTERN] [--replace] [--db FILE]\n"
      "                      [--headers-dir DIR]... [--public-headers FILE]... [--source-root DIR]\n"
      "\n"
      "Records a corpus written by 'abiguard extract' (or 'abiguard export') in\n"
      "the store as release NAME@V, in one transaction. Options as for 'add'.\n"
      "\n"
      "  --library NAME      the library's name in the store\n"
      "  --version V         the release; must not contain '@'\n"
      "  --date YYYY-MM-DD   the release date\n"
      "  --notes TEXT        free text, shown by 'abiguard list NAME'\n"
      "  --source-url PATTERN  where the release's sources are browsable, e.g.\n"
      "                      'https://github.com/o/r/blob/{version}/{file}#L{line}':\n"
      "                      the dashboard links each declaration there ({file} is\n"
      "                      the path relative to the source root)\n"
      "  --replace           replace an existing NAME@V (its cached diffs are dropped)\n"
      "  --db FILE           the store (default $ABIGUARD_DB, else ./abiguard.db;\n"
      "                      created when missing)\n"
      "  --headers-dir DIR   the installed public headers: recorded as the corpus's\n"
      "                      surface (replacing one it recorded)\n"
      "  --public-headers FILE[,FILE...]  only these files are public headers\n"
      "  --source-root DIR   the library's source tree: declaration files the corpus\n"
      "                      spells by absolute path under DIR (an older corpus) are\n"
      "                      respelled relative to it\n"
      "\n"
      "exit: 0 ok, 1 error (NAME@V already stored, without --replace, is one), 2 usage\n" },
    { "export", cmd_export, "write a stored release as corpus JSON",
      "usage: abiguard export NAME@V [-o FILE] [--db FILE]\n"
      "\n"
      "Writes release NAME@V as corpus JSON, byte-identical to what 'abiguard\n"
      "extract' wrote for it, to stdout or FILE. Committed baselines are made\n"
      "this way: abiguard export lua@5.4 -o baselines/lua/5.4.json\n"
      "\n"
      "  -o, --output FILE   write to FILE (replaced atomically; missing parent\n"
      "                      directories are created) instead of stdout\n"
      "  --db FILE           the store (default $ABIGUARD_DB, else ./abiguard.db)\n"
      "\n"
      "exit: 0 ok, 1 error (unknown library or release), 2 usage\n" },
    { "list", cmd_list, "list the libraries in the store, or one library's releases",
      "usage: abiguard list [NAME | NAME@V[:SONAME]] [--db FILE]\n"
      "\n"
      "Without NAME: each library with its number of releases, its latest\n"
      "version and that release's SONAME. With NAME: its releases, oldest\n"
      "version first (5.1 < 5.3 < 5.10), with date, SONAME, counts of exports,\n"
      "functions and types, whether debug info was found, when it was added\n"
      "and its notes. With NAME@V: the release's binaries (all the shared\n"
      "objects of the artifact it was added from), each with its SONAME, path\n"
      "in the artifact, build-id and counts; NAME@V:SONAME lists that one.\n"
      "\n"
      "  --db FILE           the store (default $ABIGUARD_DB, else ./abiguard.db)\n"
      "\n"
      "exit: 0 ok, 1 error (no database, unknown library), 2 usage\n" },
    { "rm", cmd_rm, "remove a release from the store",
      "usage: abiguard rm NAME@V [--db FILE]\n"
      "\n"
      "Removes release NAME@V, the diffs cached for it, and stored types,\n"
      "functions and symbols that no other release uses, in one transaction.\n"
      "Removing a library's last release removes the library.\n"
      "\n"
      "  --db FILE           the store (default $ABIGUARD_DB, else ./abiguard.db)\n"
      "\n"
      "exit: 0 ok, 1 error (unknown library or release), 2 usage\n" },
    { "import-dir", cmd_import_dir, "load every DIR/LIBRARY/VERSION.json baseline into the store",
      "usage: abiguard import-dir DIR [--replace] [--db FILE]\n"
      "\n"
      "Loads every DIR/LIBRARY/VERSION.json (as 'abiguard export -o' writes\n"
      "them under baselines/); library and version come from the path, other\n"
      "files are ignored. A release already stored with identical content is\n"
      "skipped; one stored with different content is an error unless --replace.\n"
      "The whole import is one transaction: after any error nothing is imported.\n"
      "\n"
      "  --replace           replace releases stored with different content\n"
      "  --db FILE           the store (default $ABIGUARD_DB, else ./abiguard.db;\n"
      "                      created when missing)\n"
      "\n"
      "exit: 0 ok, 1 error, 2 usage\n" },
    { "history", cmd_history, "a library's releases with the verdict of each against the previous",
      "usage: abiguard history NAME [--db FILE]\n"
      "\n"
      "Every release of NAME, oldest version first (5.1 < 5.3 < 5.10), with its\n"
      "date, its SONAME and the diff against the release before it: the overall\n"
      "verdict, the number of breaking / api-break / risky / compatible changes,\n"
      "and functions added (+), removed (-) and changed (~). Verdicts are\n"
      "computed once and cached in the store (recomputed when a release is\n"
      "replaced).\n"
      "\n"
      "  --db FILE           the store (default $ABIGUARD_DB, else ./abiguard.db)\n"
      "\n"
      "exit: 0 ok, 1 error (no database, unknown library), 2 usage\n" },
    { "matrix", cmd_matrix, "compatibility matrix: built against one release, running with another",
      "usage: abiguard matrix NAME [--db FILE]\n"
      "\n"
      "For every pair of releases of NAME, whether a binary built against the\n"
      "row's release can run with the column's: the verdict of diff(row ->\n"
      "column), computed once and cached in the store. Cells:\n"
      "  ok      no ABI change, or only harmless ones\n"
      "  ok+     compatible: additions old binaries never see\n"
      "  risky   breaking for some uses (embedding, copying, allocating a type)\n"
      "  api     old binaries keep working; rebuilding against the new headers breaks\n"
      "  BREAK   a binary built against the row's release can misbehave\n"
      "  .       the same release\n"
      "\n"
      "  --db FILE           the store (default $ABIGUARD_DB, else ./abiguard.db)\n"
      "\n"
      "exit: 0 ok, 1 error (no database, unknown library), 2 usage\n" },
    { "push", cmd_push, "upload a release's corpus to an abiguard service",
      "usage: abiguard push LIB.so|ARTIFACT[:NAME]|FILE.json --server URL --library NAME --version V\n"
      "                    [--token-file FILE] [--date YYYY-MM-DD] [--notes TEXT]\n"
      "                    [--source-url PATTERN]\n"
      "                    [--replace] [--timeout S] [--retries N] [--insecure]\n"
      "                    [--headers-dir DIR]... [--public-headers FILE]...\n"
      "                    [--debug-dir DIR]... [--no-system-debug]\n"
      "                    [--debuginfod URL]... [--no-debuginfod] [--source-root DIR]\n"
      "       abiguard push BINDING.so --binding NAME --server URL --library LIB --version V\n"
      "                    [--built-against LIB@V] [--token-file FILE] [--replace]\n"
      "\n"
      "Extracts LIB.so as 'abiguard extract' does (or reads and checks a corpus\n"
      "JSON) and uploads it to the service at URL ('abiguard serve') as release\n"
      "NAME@V: POST URL/api/v1/libraries/NAME/releases/V (docs/api.md).\n"
      "Answers 5xx and connection failures are retried with exponential backoff\n"
      "(0.5 s, 1 s, 2 s, ...); a 4xx answer is final. On failure one line gives\n"
      "the status and the server's error message.\n"
      "\n"
      "With --binding, registers BINDING.so (a language binding of LIB, version V)\n"
      "instead: what 'abiguard check' reads from it (its imports, its DWARF's\n"
      "declarations of them, the types it holds by value) is uploaded to\n"
      "URL/api/v1/libraries/LIB/bindings/NAME/V, and the dashboard shows which\n"
      "releases of LIB it can run with.\n"
      "\n"
      "  --server URL        the service's base URL (http:// or https://)\n"
      "  --library NAME      the library's name (e.g. lua)\n"
      "  --version V         the release (e.g. 5.4.6); must not contain '@' or '/'\n"
      "  --token-file FILE   the bearer token: the file's first non-blank line\n"
      "                      (default: $ABIGUARD_TOKEN)\n"
      "  --date YYYY-MM-DD   the release date\n"
      "  --notes TEXT        free text shown with the release\n"
      "  --source-url PATTERN  where the release's sources are browsable, e.g.\n"
      "                      'https://github.com/o/r/blob/{version}/{file}#L{line}':\n"
      "                      the dashboard links each declaration there ({file} is\n"
      "                      the path relative to the source root)\n"
      "  --binding NAME      register BINDING.so as binding NAME of --library\n"
      "  --built-against LIB@V  the release of LIB the binding was built against\n"
      "                      (its types fill in what the binding's DWARF lacks)\n"
      "  --replace           replace an existing NAME@V (else the server answers 409)\n"
      "  --timeout S         give up on an attempt after S seconds (default 60)\n"
      "  --retries N         attempts after the first (default 3, at most 20)\n"
      "  --insecure          do not verify the server's TLS certificate\n"
      "  --headers-dir DIR   the installed public headers, recorded as the corpus's\n"
      "                      surface (as for extract)\n"
      "  --public-headers FILE[,FILE...]  only these files are public headers\n"
      "  --debug-dir DIR     also look for separate debug files under DIR (repeatable)\n"
      "  --no-system-debug   do not look under /usr/lib/debug\n"
      "  --debuginfod URL    fetch missing debug info by build-id from this server\n"
      "                      (repeatable; default: $DEBUGINFOD_URLS)\n"
      "  --no-debuginfod     do not ask any debuginfod server\n"
      "  --source-root DIR   the library's source tree (as for extract)\n"
      "  --debug-package FILE as for extract: a -dbg/-dbgsym package's debug\n"
      "                      files, matched by build-id (repeatable)\n"
      "  --dev-package FILE  as for extract: the -dev package's headers are\n"
      "                      the public surface\n"
      "\n"
      "exit: 0 ok, 1 error (unreachable, rejected by the server), 2 usage\n" },
    { "serve", cmd_serve, "run the JSON API and the web dashboard over HTTP",
      "usage: abiguard serve [--db FILE] [--create] [--listen HOST:PORT] [--token-file FILE]\n"
      "                     [--threads N] [--web DIR] [--grace T] [LIMITS]\n"
      "\n"
      "Serves the JSON API (docs/api.md) under /api/v1/ and the dashboard's\n"
      "static files until SIGINT or SIGTERM, then finishes the requests in\n"
      "flight (for at most --grace), cancels what still runs and exits 0.\n"
      "Reads are open; writes (POST) need 'Authorization: Bearer TOKEN' with\n"
      "a token from --token-file. Logs one line per request on stderr:\n"
      "METHOD PATH STATUS MS.\n"
      "\n"
      "  --db FILE           the store (default $ABIGUARD_DB, else ./abiguard.db);\n"
      "                      a missing one is an error unless --create\n"
      "  --create            start with a new, empty store when FILE does not exist\n"
      "  --listen HOST:PORT  address to listen on (default 127.0.0.1:8080; [::1]:PORT\n"
      "                      for IPv6; port 0 picks a free port). The URL is printed\n"
      "                      alone on stdout ('http://HOST:PORT/'), and first on\n"
      "                      stderr as 'listening on http://HOST:PORT'\n"
      "  --token-file FILE   write tokens, one per line; without it writes are refused\n"
      "  --threads N         read workers, each with its own store connection (default 2;\n"
      "                      there are as many network threads and upload workers,\n"
      "                      and one writer)\n"
      "  --web DIR           dashboard files (default: ../share/abiguard/web from the\n"
      "                      binary's directory when installed, else ../web in the\n"
      "                      source tree it was built in)\n"
      "  --grace T           how long SIGTERM lets requests finish (default 10s)\n"
      "\n"
      "Limits (sizes take K, M, G; durations T are 30, 30s, 500ms or 2m):\n"
      "  --max-body BYTES    request body (default 64M; 413)\n"
      "  --max-imports N     imports in a question or an uploaded corpus (default 100000; 422)\n"
      "  --max-types N       types in an uploaded corpus (default 200000; 422)\n"
      "  --max-members N     members/enumerators/parameters of one uploaded type or\n"
      "                      function (default 65536; 422)\n"
      "  --max-work N        work units of one request (default 20000000; 422)\n"
      "  --max-response BYTES  one answer's body (default 64M; 422)\n"
      "  --request-timeout T time one read may run (default 30s; 503)\n"
      "  --max-queue N       requests waiting for a worker (default 256; 503)\n"
      "  --max-connections N open connections (default 1024, at most the descriptor limit)\n"
      "  --max-per-client N  open connections from one address (default 64)\n"
      "  --idle-timeout T    close a connection silent this long (default 30s)\n"
      "\n"
      "exit: 0 stopped by a signal, 1 error (address in use, unreadable token file), 2 usage\n" },
    { "stub", cmd_stub, "write the load-time ABI check a binding ships (C, Python, Java, Go, Rust, JS)",
      "usage: abiguard stub NAME@V [--symbols-from FILE | --symbols NAME,...|@FILE]\n"
      "                    [--policy default|strict|warn] [--lang LANG] [--name IDENT]\n"
      "                    [--package NAME] [--db FILE] -o FILE\n"
      "\n"
      "Writes one self-contained check for a binding built against NAME@V. At\n"
      "load time it identifies the loaded library, reads its build-id and its\n"
      "dynamic symbol table from memory, and gives one of three outcomes:\n"
      "  verified             a build the store knows compatible for the symbols\n"
      "                       the binding uses\n"
      "  accepted-unverified  an unknown build (a distribution's rebuild) whose\n"
      "                       SONAME, required symbols and versions and data-object\n"
      "                       sizes all match NAME@V\n"
      "  refused              a build known incompatible (naming the breaking\n"
      "                       changes), or an unknown one where any of those differ\n"
      "The stubs in a binding's own language also compare its declarations of\n"
      "the library's structs, unions and enums with NAME@V's layouts.\n"
      "\n"
      "  --symbols-from FILE the binding: a shared object or corpus JSON (its\n"
      "                      imports), a Python module (the attributes it reads\n"
      "                      from a ctypes library, its cffi cdef) or C\n"
      "                      declarations (a cdef or header): the symbols checked\n"
      "                      (default: every function and variable NAME@V exports)\n"
      "  --symbols LIST      the symbols checked, NAME or NAME@VERSION, comma\n"
      "                      separated, or @FILE (one or more a line, '#' comments)\n"
      "  --policy P          what the binding does, unless ABIGUARD_POLICY=default|\n"
      "                      strict|warn|off says otherwise at run time:\n"
      "                      default  load verified and accepted-unverified builds\n"
      "                      strict   load verified builds only\n"
      "                      warn     load everything; refusals become warnings\n"
      "  --lang L            c (default): FILE.c and FILE.h, C99, libc only, with\n"
      "                      abiguard_verify_IDENT(msg, len) and, under\n"
      "                      -DABIGUARD_IDENT_WITH_HEADERS, _Static_assert on the\n"
      "                      sizes, alignments and offsets the binding relies on;\n"
      "                      python: FILE.py, verify(lib) and verify_layouts() for\n"
      "                      ctypes and cffi; java: FILE.java (the class is named\n"
      "                      as the file) for JNA; go: FILE.go for a cgo package,\n"
      "                      the C check in its preamble; rust: FILE.rs for\n"
      "                      bindgen-style declarations (link the C stub too);\n"
      "                      js: FILE.js for koffi\n"
      "  --name IDENT        the identifier in the generated names (default NAME)\n"
      "  --package NAME      the Java package or Go package of the generated file\n"
      "  --db FILE           the store (default $ABIGUARD_DB, else ./abiguard.db)\n"
      "  -o, --output FILE   where to write (FILE.c/.h, FILE.py, ...)\n"
      "\n"
      "abiguard_verify_IDENT returns 0 verified, 1 accepted unverified, 2 warned\n"
      "(load, show the message); refused: 3 incompatible, 4 mismatch, 5 unverified\n"
      "under strict, 6 not loaded.\n"
      "\n"
      "exit: 0 ok, 1 error, 2 usage\n" },
    { "fingerprint", cmd_fingerprint, "per-symbol ABI fingerprints, and which releases match them",
      "usage: abiguard fingerprint show NAME@V [--symbols-from FILE | --symbols LIST] [--db FILE]\n"
      "       abiguard fingerprint match NAME --fingerprints FILE [--db FILE]\n"
      "\n"
      "A fingerprint is a hash of one function's signature (or a variable's\n"
      "type) and of the layout of every type it reaches, as Linux modversions\n"
      "has for kernel symbols (algorithm: src/fingerprint.h). A rebuild keeps\n"
      "it; any layout change on the way changes it.\n"
      "\n"
      "  show    prints 'HEX16 SYMBOL[@VERSION]' for each symbol the binding\n"
      "          uses of NAME@V, else each it exports\n"
      "  match   for each stored release of NAME, whether every fingerprint in\n"
      "          FILE is unchanged, and which differ or are missing\n"
      "\n"
      "  --symbols-from FILE  show: the binding whose symbols to fingerprint (as\n"
      "                       for 'abiguard stub')\n"
      "  --symbols LIST       show: the symbols, NAME or NAME@VERSION, comma\n"
      "                       separated, or @FILE (as for 'abiguard stub')\n"
      "  --fingerprints FILE  match: the fingerprints (the format show prints and\n"
      "                       the stubs embed; '-' for stdin)\n"
      "  --db FILE            the store (default $ABIGUARD_DB, else ./abiguard.db)\n"
      "\n"
      "exit: 0 ok (match: some release matches all), 1 error, 2 usage,\n"
      "      4 match: no release matches\n" },
    { NULL, NULL, NULL, NULL },
};

/* The options of abiguard itself, in the shape of the commands' option
   lines (cli_help.h reads them for the man page and completion). */
const char ag_global_options[] =
    "  -h, --help          this help; 'abiguard COMMAND --help' (or 'abiguard help\n"
    "                      COMMAND') describes one command\n"
    "  -V, --version       abiguard's version (and git description), the corpus\n"
    "                      format, and the versions of the libraries it runs with\n"
    "  --color=WHEN        colour verdicts: auto (the default: on a terminal, unless\n"
    "                      NO_COLOR is set), always or never; never in -o files.\n"
    "                      Taken before or after COMMAND\n"
    "  --no-color          the same as --color=never\n";

#ifndef ABIGUARD_NO_MAIN
/* (docgen links this file without main: it writes its own pages.) */
static void print_main_help(FILE *out)
{
    fprintf(out,
            "usage: abiguard [--version] [--help] [--color=WHEN] COMMAND [ARGS]\n"
            "\n"
            "abiguard %s: ABI-drift monitor and compatibility guard for native libraries\n"
            "used through language bindings.\n"
            "\n"
            "commands:\n", ABIGUARD_VERSION);
    for (const ag_command *c = ag_commands; c->name; c++)
        fprintf(out, "  %-13s %s\n", c->name, c->summary);
    fprintf(out, "\noptions:\n%s", ag_global_options);
    fprintf(out, "\n'abiguard COMMAND --help' describes one command; 'man abiguard-COMMAND' too.\n"
                 "exit codes: 0 ok / no change (or only harmless ones), 1 error, 2 usage,\n"
                 "            4 ABI changed, 8 incompatible\n");
}

static void print_version(void)
{
    printf("abiguard %s\n", ABIGUARD_VERSION);
    if (*ABIGUARD_GIT_DESCRIBE)
        printf("git: %s\n", ABIGUARD_GIT_DESCRIBE);
    printf("corpus format: %s\n", AG_CORPUS_FORMAT);
    ag_runtime_library libs[AG_RUNTIME_LIBRARIES];
    ag_runtime_libraries(libs);
    fputs("running with:", stdout);
    for (size_t i = 0; i < AG_RUNTIME_LIBRARIES; i++)
        printf("%s %s %s", i ? "," : "", libs[i].name, libs[i].version);
    putchar('\n');
}

/* Takes --color[=WHEN] and --no-color out of argv (anywhere before "--"),
   so every command accepts them. Returns -1 after a usage error. */
static int take_global_options(int *argc, char **argv)
{
    int out = 1;
    bool done = false;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        if (!done && strcmp(a, "--") == 0)
            done = true;
        if (!done && (strcmp(a, "--no-color") == 0 || strcmp(a, "--color") == 0)) {
            cli_set_color_mode(a[2] == 'n' ? CLI_COLOR_NEVER : CLI_COLOR_ALWAYS);
            continue;
        }
        if (!done && strncmp(a, "--color=", 8) == 0) {
            int m = cli_parse_color_mode(a + 8);
            if (m < 0) {
                cli_error(NULL, "--color takes auto, always or never, not '%s'", a + 8);
                fprintf(stderr, "try 'abiguard --help'\n");
                return -1;
            }
            cli_set_color_mode((cli_color_mode)m);
            continue;
        }
        argv[out++] = argv[i];
    }
    argv[out] = NULL;
    *argc = out;
    return 0;
}

#endif

static void vreport(const char *level, const char *subject, const char *fmt, va_list ap)
{
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* One line, always: fold any newline the message may carry. */
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    cli_progress_end();   /* a progress line on the terminal goes first */
    if (subject)
        fprintf(stderr, "abiguard: %s: %s: %s\n", level, subject, msg);
    else
        fprintf(stderr, "abiguard: %s: %s\n", level, msg);
}

void cli_error(const char *subject, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("error", subject, fmt, ap);
    va_end(ap);
}

void cli_warning(const char *subject, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("warning", subject, fmt, ap);
    va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("error", cmd, fmt, ap);
    va_end(ap);
    fprintf(stderr, "try 'abiguard %s --help'\n", cmd);
    return AG_EXIT_USAGE;
}

int cli_wants_help(const char *cmd, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            for (const ag_command *c = ag_commands; c->name; c++)
                if (strcmp(c->name, cmd) == 0)
                    fputs(c->usage, stdout);
            return 1;
        }
    }
    return 0;
}

#ifndef ABIGUARD_NO_MAIN
int main(int argc, char **argv)
{
    if (take_global_options(&argc, argv) < 0)
        return AG_EXIT_USAGE;
    if (argc < 2) {
        print_main_help(stderr);
        return AG_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        if (argc > 2 && strcmp(argv[1], "help") == 0) {
            const ag_command *c = cli_find_command(argv[2]);
            if (!c)
                return cli_unknown_command(argv[2]);
            fputs(c->usage, stdout);
            return AG_EXIT_OK;
        }
        print_main_help(stdout);
        return AG_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        print_version();
        return AG_EXIT_OK;
    }
    if (argv[1][0] == '-') {
        static const char *const globals[] = { "--help", "--version", "--color", "--no-color" };
        const char *s = cli_suggest(argv[1], globals, sizeof globals / sizeof globals[0]);
        if (s)
            cli_error(NULL, "unknown option '%s' (did you mean %s?)", argv[1], s);
        else
            cli_error(NULL, "unknown option '%s' (a command's options go after it)", argv[1]);
        fprintf(stderr, "try 'abiguard --help'\n");
        return AG_EXIT_USAGE;
    }
    const ag_command *c = cli_find_command(argv[1]);
    if (!c)
        return cli_unknown_command(argv[1]);
    if (cli_wants_help(c->name, argc - 1, argv + 1))
        return AG_EXIT_OK;
    /* Commands whose work can take a while (reading a large library's
       DWARF, importing many baselines, comparing many releases) show a
       progress line on a terminal; serve never does. */
    static const char *const long_work[] = { "extract", "show", "diff", "check", "add", "push",
                                             "import-dir", "history", "matrix", "fingerprint" };
    bool progress = false;
    for (size_t i = 0; i < sizeof long_work / sizeof long_work[0]; i++)
        progress = progress || strcmp(c->name, long_work[i]) == 0;
    if (progress)
        cli_progress_start();
    int rc = c->run(argc - 1, argv + 1);
    if (progress)
        cli_progress_end();
    return rc;
}
#endif
