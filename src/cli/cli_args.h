/*
 * cli_args.h — option parsing and input loading that `extract` and `show`
 * share: "--opt VALUE" / "--opt=VALUE", the debug-info search options
 * (--debug-dir, --no-system-debug, --debuginfod, --no-debuginfod), and
 * "a corpus JSON or a shared object, whichever the file is".
 */
#ifndef ABIGUARD_CLI_ARGS_H
#define ABIGUARD_CLI_ARGS_H

#include <stdbool.h>

#include "../corpus.h"
#include "../debug_locate.h"
#include "../report.h"
#include "../surface.h"

/* Matches argv[*i] against an option that takes a value ("--type NAME" or
   "--type=NAME"; short options only in the separate form). Returns 1 and sets
   *value (advancing *i past a separate value), 0 when argv[*i] is another
   option, or -1 when the value is missing (a usage error was printed). */
int cli_opt_value(const char *cmd, int argc, char **argv, int *i,
                  const char *long_opt, const char *short_opt, const char **value);

/* Debug-info search options collected from the command line. dirs has room
   for every argument, so it never needs to grow. */
typedef struct cli_debug_opts {
    const char **dirs;
    size_t n_dirs;
    bool no_system;
    bool no_debuginfod;       /* --no-debuginfod */
    const char *source_root;  /* --source-root DIR (as given), or NULL */
} cli_debug_opts;

/* Handles --debug-dir DIR, --no-system-debug, --debuginfod URL (repeatable),
   --no-debuginfod and --source-root DIR at argv[*i]. Returns 1 when consumed, 0 when not one
   of them, -1 on a usage error (printed). The --debuginfod URLs are kept
   for the process (one command runs per process) and freed at exit. */
int cli_debug_option(const char *cmd, int argc, char **argv, int *i, cli_debug_opts *opts);

/* The public surface given on the command line: --headers-dir DIR
   (repeatable) and --public-headers FILE[,FILE...] (repeatable). Both
   arrays have room for every argument. */
typedef struct cli_surface_opts {
    const char **dirs;
    size_t n_dirs;
    const char **files;        /* as given: comma-separated lists are split later */
    size_t n_files;
} cli_surface_opts;

/* Allocates room for argc arguments in both arrays; false when out of memory. */
bool cli_surface_opts_init(cli_surface_opts *o, int argc);
void cli_surface_opts_free(cli_surface_opts *o);

/* Handles --headers-dir and --public-headers at argv[*i]: 1 consumed, 0 not
   one of them, -1 usage error (printed). */
int cli_surface_option(const char *cmd, int argc, char **argv, int *i, cli_surface_opts *o);

/* The header set the options name, or NULL in *out when none was given. */
ag_status cli_surface_headers(const cli_surface_opts *o, ag_header_set **out, ag_error *err);

/* Loads a release argument the way diff and check read each side:
   NAME@VERSION from the store db (when no file of that name exists), a
   shared object extracted on the fly (with the headers, when given), or
   else a corpus JSON file. With headers given, a stored or JSON corpus is
   given that surface (ag_surface_apply). */
ag_status cli_load_release(const char *db, const char *arg, const cli_debug_opts *debug,
                           const ag_header_set *headers, ag_corpus **out, ag_error *err);

/* The options of commands that print a diff report (diff, check). */
typedef struct cli_report_opts {
    ag_report_format format;   /* --format, default text */
    ag_verdict fail_on;        /* --fail-on, default breaking */
    cli_surface_opts surface;  /* --headers-dir, --public-headers: the surface of both sides */
    const char *suppressions;  /* --suppressions FILE */
    bool show_suppressed;      /* --show-suppressed */
    bool show_private;         /* --show-private: list what the surface left out */
    const char *db;            /* --db FILE */
    const char *output;        /* -o/--output FILE */
} cli_report_opts;

/* Handles one of the options above at argv[*i]: 1 consumed, 0 not one of
   them, -1 usage error (already reported). */
int cli_report_option(const char *cmd, int argc, char **argv, int *i, cli_report_opts *opts);

/* Whether the report is coloured: text to a terminal (--color, NO_COLOR);
   never a file named with -o. */
bool cli_report_color(const cli_report_opts *opts);

/* The search the options describe. debuginfod servers: the --debuginfod
   URLs, else those in $DEBUGINFOD_URLS (blank-separated), none with
   --no-debuginfod; downloads show a progress bar when stderr is a terminal
   and servers' failures are printed as warnings. */
ag_debug_search cli_debug_search(const cli_debug_opts *opts);

/* True when the file starts with the ELF magic. Sets *err on I/O failure.
   A pipe or device (`show /dev/stdin`) cannot be read twice: it is read
   whole here, kept for cli_read_corpus, and refused if it is ELF. */
ag_status cli_is_elf(const char *path, bool *is_elf, ag_error *err);

/* The corpus JSON in path, after cli_is_elf said it is not ELF. */
ag_status cli_read_corpus(const char *path, ag_corpus **out, ag_error *err);

#endif
