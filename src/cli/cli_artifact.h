/*
 * cli_artifact.h — artifacts (.deb, .rpm, wheel, jar, npm .tgz, tarball,
 * .zip, directory; artifact.h) as the commands' inputs: ARTIFACT names all
 * its shared objects, ARTIFACT:NAME one of them (by SONAME, file name or
 * inner path); the companion packages --debug-package FILE (debug files
 * matched by build-id) and --dev-package FILE (its headers are the public
 * surface), opened once per process and removed at exit.
 */
#ifndef ABIGUARD_CLI_ARTIFACT_H
#define ABIGUARD_CLI_ARTIFACT_H

#include <stdbool.h>

#include "cli_args.h"
#include "../artifact.h"
#include "../release_diff.h"
#include "../store.h"

/* --debug-package FILE (repeatable) and --dev-package FILE at argv[*i]:
   1 consumed, 0 not one of them, -1 usage error (printed). */
int cli_companion_option(const char *cmd, int argc, char **argv, int *i);

/* The debug directories the debug packages provide, after dirs (the
   --debug-dir values); opens the packages the first time. A package that
   cannot be read is an error (printed) and ends the process with exit 1. */
const char *const *cli_companion_debug_dirs(const char *const *dirs, size_t n_dirs, size_t *n_out);

/* The include directory of --dev-package (opened the first time), or NULL
   when none was given. */
ag_status cli_companion_include_dir(const char **dir, ag_error *err);

/* Does arg name an artifact? Sets *path (malloc'd) and *member (malloc'd or
   NULL): "ARTIFACT" or "ARTIFACT:NAME" when ARTIFACT is one and no file
   named arg exists. */
bool cli_artifact_arg(const char *arg, char **path, char **member);

/* One binary of an artifact as a corpus: the one member names, or the only
   one. Several without a member is an error listing them. */
ag_status cli_load_artifact_binary(const char *path, const char *member, const cli_debug_opts *debug,
                                   const ag_header_set *headers, ag_corpus **out, ag_error *err);

/* Every shared object of an artifact, as corpora with their inner paths. */
typedef struct cli_release {
    const char *kind;
    ag_corpus **corpora;
    char **inner_paths;
    ag_release_binary *bins;
    size_t n;
    size_t n_failed;    /* keep_going: binaries that could not be extracted (each reported) */
} cli_release;

/* keep_going: a binary that cannot be extracted is reported (one line on
   stderr, naming the artifact and the binary) and left out, instead of
   failing the whole release. */
ag_status cli_load_artifact_release(const char *path, const cli_debug_opts *debug, const ag_header_set *headers,
                                    bool keep_going, cli_release *out, ag_error *err);
void cli_release_free(cli_release *r);

/* One side of a release diff or check: a whole artifact, or a stored
   release (NAME@V: all its binaries, NAME@V:SONAME the one named), or
   anything else cli_load_release reads (one binary). */
typedef struct cli_side {
    cli_release art;
    ag_corpus *one;
    ag_store_loaded_release stored;
    ag_release_binary *bins;   /* n, pointing into art or stored; a stored one labelled by its SONAME */
    size_t n;
} cli_side;
ag_status cli_side_load(const char *db_option, const char *arg, const cli_debug_opts *debug,
                        const ag_header_set *headers, cli_side *r, ag_error *err);
void cli_side_free(cli_side *r);

/* Does arg name a whole artifact (not ARTIFACT:NAME)? */
bool cli_whole_artifact(const char *arg);
/* How many binaries the stored release NAME@V[:SONAME] arg has; 0 when arg
   is no NAME@V or the store cannot tell (the usual path then says why). */
size_t cli_stored_binaries(const char *db_option, const char *arg);
/* A release report to output (replaced atomically), or stdout when NULL. */
ag_status cli_write_release_report(const ag_release_diff *d, const ag_report_context *ctx, ag_report_format fmt,
                                   const char *output, ag_error *err);

#endif
