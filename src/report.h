/*
 * report.h — turning a diff into something people and CI read: a text
 * report for terminals, JSON for scripts (docs/diff-json.md), Markdown for a
 * pull-request comment, JUnit XML for test dashboards and SARIF 2.1.0 for
 * code-scanning views. The report writers are the only library code that
 * writes, and only to the FILE* they are given.
 */
#ifndef ABIGUARD_REPORT_H
#define ABIGUARD_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "diff.h"

typedef enum ag_report_format {
    AG_FMT_TEXT,
    AG_FMT_JSON,
    AG_FMT_MARKDOWN,
    AG_FMT_JUNIT,
    AG_FMT_SARIF,
} ag_report_format;

/* "text", "json", "markdown", "junit", "sarif"; -1 if unknown. */
int ag_report_format_from_name(const char *name);
const char *ag_report_format_name(ag_report_format fmt);

typedef struct ag_report_context {
    const char *old_label, *new_label; /* e.g. file names or NAME@V; NULL reads "old"/"new" */
    const ag_corpus *old_c, *new_c;    /* may be NULL; JUnit lists old_c's interfaces */
    ag_verdict fail_on;                /* what counts as a failure (JUnit); NONE means breaking */
    bool show_suppressed;              /* list suppressed changes too (they are always counted) */
    bool show_private;                 /* list the changes and types the public surface left out */
    bool color;                        /* text: verdicts in ANSI colours (a terminal) */
    /* JSON: each side's source URL pattern with {version} filled in
       ("https://.../blob/5.4.6/{file}#L{line}"), or NULL; a change's
       location then carries the link (a removed function's: the old
       side's). */
    const char *old_source_url, *new_source_url;
} ag_report_context;

/* The ANSI SGR sequence that colours a verdict's word on a terminal
   ("\033[1;31m" for breaking), and the one that ends it. */
const char *ag_verdict_sgr(ag_verdict v);
#define AG_SGR_RESET "\033[0m"

/* Writes the report. AG_ERR_IO when the stream fails, AG_ERR_NOMEM,
   AG_ERR_USAGE for an unknown format. */
ag_status ag_report_write(const ag_diff *d, const ag_report_context *ctx,
                          ag_report_format fmt, FILE *out, ag_error *err);

/* "symbols", "functions", "types", "enums", "callbacks", "elf". */
const char *ag_report_area_name(ag_change_area area);

#endif
