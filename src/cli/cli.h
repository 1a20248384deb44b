/*
 * cli.h — what the subcommands share: the command table entry, the one
 * error-message shape ("abiguard: error: FILE: what is wrong"), and exit
 * codes. Only the CLI prints; the library below returns ag_status + message.
 */
#ifndef ABIGUARD_CLI_H
#define ABIGUARD_CLI_H

#include <stddef.h>

#include "../error.h"

/* Exit codes: abidiff's bit mask, so CI scripts written for it keep working. */
enum {
    AG_EXIT_OK = 0,
    AG_EXIT_ERROR = 1,
    AG_EXIT_USAGE = 2,
    AG_EXIT_ABI_CHANGED = 4,
    AG_EXIT_INCOMPATIBLE = 8,
};

typedef struct ag_command {
    const char *name;
    int (*run)(int argc, char **argv);   /* argv[0] is the command name */
    const char *summary;                 /* one line, for `abiguard --help` */
    const char *usage;                   /* full help text, for `abiguard CMD --help` */
} ag_command;

extern const ag_command ag_commands[];
/* The options of abiguard itself (--help, --version, --color), as option
   lines like the commands' (main.c). */
extern const char ag_global_options[];

/* "abiguard: error: <subject>: <message>" (subject may be NULL). */
void cli_error(const char *subject, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "abiguard: warning: <subject>: <message>" */
void cli_warning(const char *subject, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints a usage error plus "try 'abiguard CMD --help'" and returns AG_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "abiguard: error: CMD: unknown option 'ARG' (did you mean --x?)", the
   suggestion from the options CMD's help text lists (cli_help.c), plus the
   try line; returns AG_EXIT_USAGE. */
int cli_unknown_option(const char *cmd, const char *arg);
/* True (and prints the command's usage to stdout) if argv holds -h/--help. */
int cli_wants_help(const char *cmd, int argc, char **argv);

int cmd_extract(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_change_kinds(int argc, char **argv);
/* The store commands; what they share is in cmd_add.c. */
int cmd_add(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_import_dir(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_matrix(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_push(int argc, char **argv);
/* The guard: stub.c writes the load-time check, fingerprint.c answers
   which releases match a set of fingerprints. */
int cmd_stub(int argc, char **argv);
int cmd_fingerprint(int argc, char **argv);
struct ag_corpus;
/* A binding's corpus for --symbols-from: a shared object (ELF part only
   needed) or a corpus JSON (cmd_stub.c). */
ag_status cli_load_binding(const char *path, struct ag_corpus **c, ag_error *err);
/* What a binding uses: --symbols-from FILE (a shared object or corpus JSON:
   its imports; a Python module (.py) or C declarations: the names it
   mentions, binding_source.h) or --symbols NAME,...|@FILE (exact names).
   All empty when neither is given. label: what errors name. */
typedef struct cli_used {
    struct ag_corpus *binding;
    char **names;
    size_t n_names;
    int exact;
    const char *label;
} cli_used;
ag_status cli_load_used(const char *symbols_from, const char *symbols, cli_used *u, ag_error *err);
void cli_used_free(cli_used *u);
struct ag_store;
/* add (from_elf) and import: parse, read or extract, store, report. */
int cli_store_release_command(const char *cmd, int argc, char **argv, int from_elf);
/* How a command opens the store: creating it (add, import), an existing one
   read-write when it can be written and read-only otherwise (history and
   matrix cache verdicts when they can; rm), or read-only (list, export,
   stub, fingerprint: they work on read-only files and mounts). */
enum { CLI_STORE_CREATE = 0, CLI_STORE_EXISTING = 1, CLI_STORE_READONLY = 2 };
/* Opens the store named by --db (NULL: $ABIGUARD_DB, else ./abiguard.db);
   prints the error and returns NULL on failure. mode: CLI_STORE_*; a
   missing database is an error unless CLI_STORE_CREATE. *path gets the
   path used. */
struct ag_store *cli_store_open(const char *db_option, int mode, const char **path);

#endif
