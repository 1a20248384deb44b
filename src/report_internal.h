/*
 * report_internal.h — what the per-format report writers (report_*.c)
 * share: their entry points, called by ag_report_write, and small helpers
 * so every format names kinds, verdicts and labels the same way.
 */
#ifndef ABIGUARD_REPORT_INTERNAL_H
#define ABIGUARD_REPORT_INTERNAL_H

#include <jansson.h>

#include "report.h"

/* One writer per format; each writes the whole report to out. A write
   error on out is detected once by ag_report_write (ferror), so writers
   only return early for their own failures (out of memory). */
ag_status ag_report_text(const ag_diff *d, const ag_report_context *ctx, FILE *out, ag_error *err);
ag_status ag_report_json(const ag_diff *d, const ag_report_context *ctx, FILE *out, ag_error *err);
ag_status ag_report_markdown(const ag_diff *d, const ag_report_context *ctx, FILE *out, ag_error *err);
ag_status ag_report_junit(const ag_diff *d, const ag_report_context *ctx, FILE *out, ag_error *err);
ag_status ag_report_sarif(const ag_diff *d, const ag_report_context *ctx, FILE *out, ag_error *err);

/* The change's kind id and why sentence ("unknown" / "" for a bad kind). */
const char *rep_kind_id(const ag_change *c);
const char *rep_why(const ag_change *c);

/* ctx labels, with "old" / "new" when unset. */
const char *rep_old_label(const ag_report_context *ctx);
const char *rep_new_label(const ag_report_context *ctx);

/* ctx->fail_on, with AG_VERDICT_NONE read as breaking. */
ag_verdict rep_fail_on(const ag_report_context *ctx);

/* How the public surface was decided and what it left out, in one
   sentence for every format: "public headers (12 files): 38 types private;
   7 changes inside private types left out", or "inferred (no headers
   given): 41 types treated as private: 3 in .c files, 38 outside the
   prototypes' directories; ...". */
void rep_surface_sentence(const ag_diff *d, char *buf, size_t len);
/* Whether either side's surface was inferred (the text report then
   suggests --headers-dir). */
bool rep_surface_inferred(const ag_diff *d);

/* Whether a change is shown at all (suppressed ones only on request). */
bool rep_shown(const ag_change *c, const ag_report_context *ctx);

/* Length (1-4) of the valid UTF-8 sequence at s, or 0 when invalid. */
size_t rep_utf8_len(const unsigned char *s);

/* A JSON string for s (invalid UTF-8 bytes become '?'), or JSON null for
   NULL. Returns NULL only when out of memory. */
json_t *rep_json_string(const char *s);

/* Sets key in obj to value (stealing it); clears *ok when either is NULL or
   the set fails, so builders check out-of-memory once at the end. */
void rep_json_set(json_t *obj, const char *key, json_t *value, bool *ok);
void rep_json_append(json_t *arr, json_t *value, bool *ok);

#endif
