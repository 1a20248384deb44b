/*
 * store_internal.h — what store.c shares with store_history.c: the handle,
 * SQLite error mapping, transactions and loading a release by id. Not a
 * public interface.
 */
#ifndef ABIGUARD_STORE_INTERNAL_H
#define ABIGUARD_STORE_INTERNAL_H

#include <sqlite3.h>

#include "budget.h"
#include "store.h"

struct ag_store {
    sqlite3 *db;
    bool in_tx;          /* an ag_store_begin transaction is open */
    bool readonly;       /* opened read-only: every write is refused up front */
    bool checked;        /* the integrity check before the first write is done */
    bool out_of_space;   /* a write failed on a full disk: truncate the WAL before the next */
    ag_budget *budget;   /* ag_store_set_budget; NULL: unlimited */
    int schema;          /* PRAGMA user_version at open (older only when read-only) */
};

/* The oldest schema a read-only handle still reads (one it cannot
   upgrade): what the queries need from newer ones is read as NULL. */
#define AG_STORE_SCHEMA_READ_MIN 3

/* Turns the connection's last error into one sentence with the right
   status (corrupt / not a database -> FORMAT, locked, read-only, I/O -> IO). */
ag_status store_db_fail(sqlite3 *db, ag_error *err, const char *doing);

/* A transaction of our own unless one is open already (*own says which);
   store_tx_end commits on st == AG_OK, rolls back otherwise, and returns
   the resulting status. */
ag_status store_tx_begin(ag_store *s, bool *own, ag_error *err);
ag_status store_tx_end(ag_store *s, bool own, ag_status st, ag_error *err);
/* The same for best-effort writes (verdict and report caches): it does not
   wait for another writer (a busy store means no caching this time), so a
   read that would cache something never queues behind a long write. */
ag_status store_tx_begin_nowait(ag_store *s, bool *own, ag_error *err);

/* Release id of library@version, AG_ERR_NOTFOUND when unknown. */
ag_status store_find_release(ag_store *s, const char *library, const char *version,
                             int64_t *release_id, ag_error *err);
/* The first binary of a release as a corpus; label names it in messages. */
ag_status store_load_release_id(ag_store *s, int64_t release_id, const char *label,
                                ag_corpus **out, ag_error *err);
/* One binary (binaries.id) as a corpus. */
ag_status store_load_binary_id(ag_store *s, int64_t binary_id, const char *label, ag_corpus **out,
                               ag_error *err);
/* library@version[:BINARY] (see ag_store_load): the release, and the binary
   named after the ':' (*binary_id -1 when none is named). */
ag_status store_resolve(ag_store *s, const char *library, const char *version, int64_t *release_id,
                        int64_t *binary_id, ag_error *err);
/* Every binary of a release, as ag_store_load_release gives them. */
ag_status store_load_release_binaries(ag_store *s, int64_t release_id, const char *label,
                                      ag_store_loaded_release *out, ag_error *err);

/* Two loaded releases diffed binary by binary (release_diff.h), each
   binary labelled by its SONAME; charges the store's budget. */
struct ag_release_diff;
ag_status store_release_diff(ag_store *s, const ag_store_loaded_release *o, const ag_store_loaded_release *n,
                             struct ag_release_diff **out, ag_error *err);

/* The diff_cache row format shared by history/matrix (store_history.c) and
   cached reports (store_report.c): a summary and its compact counts JSON
   (malloc'd, NULL when out of memory). */
void store_summary_from_diff(const ag_diff *d, ag_store_diff_summary *out);
char *store_counts_json(const ag_store_diff_summary *sum);
struct ag_release_diff;
/* The summary of a release diff as history keeps it: its verdict, the
   pairs' counts summed, compatibility over every old binary. */
ag_status store_summary_of_release_diff(const struct ag_release_diff *rd, ag_store_diff_summary *out,
                                        ag_error *err);

#endif
