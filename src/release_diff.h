/*
 * release_diff.h — diffing two releases that are made of several binaries
 * (two artifacts: .deb, wheel, jar, ...): pairs the binaries by SONAME,
 * then by file-name stem ("liblua5.3.so.0" and "liblua5.4.so.0" are both
 * "liblua"), diffs each pair, counts the libraries added and removed, and
 * gives one overall verdict: the worst of the pairs', a removed library
 * being breaking (its users no longer load) and an added one compatible.
 * The report shows one section per binary in every format.
 */
#ifndef ABIGUARD_RELEASE_DIFF_H
#define ABIGUARD_RELEASE_DIFF_H

#include <stdio.h>

#include "diff.h"
#include "report.h"
#include "suppress.h"

/* One side's binary: its corpus and where it is inside the artifact. */
typedef struct ag_release_binary {
    const ag_corpus *corpus;
    const char *inner_path;
    const char *label;   /* its sections' label after the release's and ':' (a stored
                            release's "SONAME"); NULL: inner_path */
} ag_release_binary;

typedef enum ag_pair_status {
    AG_PAIR_DIFFED,   /* both sides: diff says what changed */
    AG_PAIR_ADDED,    /* only in the new release */
    AG_PAIR_REMOVED,  /* only in the old release */
} ag_pair_status;

typedef struct ag_release_pair {
    ag_pair_status status;
    const ag_release_binary *old_b, *new_b; /* NULL on the missing side */
    const char *paired_by;  /* "soname", "stem", "only binary"; NULL when unpaired */
    ag_diff *diff;          /* AG_PAIR_DIFFED only */
    ag_verdict verdict;
    const char *name;       /* the section's name; NULL: the binary's SONAME (else file name) */
} ag_release_pair;

typedef struct ag_release_diff {
    ag_release_pair *pairs;  /* in the old release's order, then the added ones */
    size_t n_pairs;
    size_t n_diffed, n_added, n_removed;
    ag_verdict verdict;      /* the worst of the pairs' */
    void *owned[2];          /* freed with it (a caller's binaries arrays), or NULL */
} ag_release_diff;

/* The file-name stem used for pairing, into buf ("libz.so.1" -> "libz"). */
const char *ag_release_stem(const char *file_name, char *buf, size_t size);

/* Pairs and diffs. The binaries must outlive the result. */
ag_status ag_release_diff_build(const ag_release_binary *old_bins, size_t n_old,
                                const ag_release_binary *new_bins, size_t n_new,
                                const ag_diff_options *opts, ag_release_diff **out, ag_error *err);
void ag_release_diff_free(ag_release_diff *d);

/* Applies rules to each diffed pair's changes (ag_diff_apply_suppressions),
   and gives the pairs and the release their verdicts again: for a release
   diff read back from its report, as ag_release_diff_build applies them.
   With no rules, it only judges again (as ag_diff_apply_suppressions
   recounts). */
void ag_release_diff_apply_suppressions(ag_release_diff *d, const ag_suppression *rules, size_t n);

/* abidiff's bit mask over the whole release (see ag_diff_exit_status). */
int ag_release_diff_exit_status(const ag_release_diff *d, ag_verdict fail_on);

/* The report: a summary of every binary, then each binary's own report.
   ctx's labels name the two artifacts; its corpora are ignored. */
ag_status ag_release_report_write(const ag_release_diff *d, const ag_report_context *ctx,
                                  ag_report_format fmt, FILE *out, ag_error *err);

#endif
