/*
 * corpus_json.h — the one serialized form of a corpus, "abiguard-corpus/1"
 * (jansson). Deterministic: keys sorted, arrays sorted, no addresses, no
 * timestamps, so extract -> read -> write is byte-identical.
 */
#ifndef ABIGUARD_CORPUS_JSON_H
#define ABIGUARD_CORPUS_JSON_H

#include <stdio.h>

#include "corpus.h"

/* Serializes a finalized corpus. Returns a malloc'd NUL-terminated string
   (ending in a newline) or NULL with err set. */
char *ag_corpus_to_json(const ag_corpus *c, ag_error *err);
ag_status ag_corpus_write_file(const ag_corpus *c, FILE *out, ag_error *err);

/* Parses and validates a corpus (format tag, every field's type, every type
   reference resolves, ids match their content). On success *out is a
   finalized corpus. Errors are AG_ERR_FORMAT with a message that names the
   offending field ("types[12].members[3].type: unknown type id ..."). */
ag_status ag_corpus_from_json(const char *text, size_t len, ag_corpus **out, ag_error *err);

/* Reads at most AG_MAX_CORPUS_JSON_BYTES (the largest real corpus, glibc's,
   is a few MB): `show /dev/zero` must not fill the memory. */
#define AG_MAX_CORPUS_JSON_BYTES ((size_t)1 << 30)
ag_status ag_corpus_read_file(const char *path, ag_corpus **out, ag_error *err);
/* Reads all of f, at most AG_MAX_CORPUS_JSON_BYTES, into a malloc'd *text
   (not NUL-terminated): works for pipes too, whose size is not known up
   front. */
ag_status ag_corpus_json_read_stream(FILE *f, char **text, size_t *len, ag_error *err);

#endif
