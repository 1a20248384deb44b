/*
 * store.c — the SQLite store (see store.h and schema/001_initial.sql):
 * opening and migrating, adding, loading, listing and removing releases.
 *
 * How a corpus is stored. The corpus is serialized with the one JSON writer
 * (corpus_json.c) and split: the top-level scalar fields and the ELF
 * identity go into columns of `binaries`; each element of the arrays
 * (exports, imports, functions, variables, types) is dumped as compact JSON
 * with sorted keys, keyed by a 64-bit hash of that text (hash.h) and stored
 * once in its content table; link tables list the hashes by position.
 * Loading concatenates the stored texts back into one document and reads it
 * with ag_corpus_from_json, which validates it (a damaged row is an error,
 * not a wrong corpus); since the writer is lossless, writing that corpus
 * again gives the bytes `extract` wrote. A 64-bit key could collide, so an
 * existing row is compared with the new text before it is shared.
 */
#include "store_internal.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "corpus_json.h"
#include "hash.h"
#include "store_schema.h"

#define AG_STORE_APPLICATION_ID 0x41424947 /* "ABIG", set by 001_initial.sql */

/* ================================================================== */
/* Small helpers                                                       */

/* A growable string for rebuilding a corpus document. */
typedef struct sbuf {
    char *data;
    size_t len, cap;
    bool failed;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static ag_status nomem(ag_error *err)
{
    return ag_fail(err, AG_ERR_NOMEM, "out of memory");
}

const char *ag_store_default_path(const char *explicit_path)
{
    if (explicit_path && *explicit_path)
        return explicit_path;
    const char *env = getenv("ABIGUARD_DB");
    if (env && *env)
        return env;
    return "abiguard.db";
}

int ag_version_compare(const char *a, const char *b)
{
    const char *pa = a, *pb = b;
    while (*pa && *pb) {
        if (isdigit((unsigned char)*pa) && isdigit((unsigned char)*pb)) {
            while (*pa == '0' && isdigit((unsigned char)pa[1]))
                pa++;
            while (*pb == '0' && isdigit((unsigned char)pb[1]))
                pb++;
            size_t na = 0, nb = 0;
            while (isdigit((unsigned char)pa[na]))
                na++;
            while (isdigit((unsigned char)pb[nb]))
                nb++;
            if (na != nb)
                return na < nb ? -1 : 1;
            int d = memcmp(pa, pb, na);
            if (d)
                return d < 0 ? -1 : 1;
            pa += na;
            pb += nb;
            continue;
        }
        if (*pa != *pb)
            return (unsigned char)*pa < (unsigned char)*pb ? -1 : 1;
        pa++;
        pb++;
    }
    if (*pa || *pb)
        return *pa ? 1 : -1;
    /* Equal as versions ("1.01" and "1.1"): still a total order. */
    int d = strcmp(a, b);
    return d < 0 ? -1 : d > 0;
}

static bool has_control_chars(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

static ag_status check_names(const char *library, const char *version, ag_error *err)
{
    if (!library || !*library)
        return ag_fail(err, AG_ERR_USAGE, "the library name is empty");
    if (!version || !*version)
        return ag_fail(err, AG_ERR_USAGE, "the version is empty");
    if (has_control_chars(library))
        return ag_fail(err, AG_ERR_USAGE, "the library name contains control characters");
    if (has_control_chars(version))
        return ag_fail(err, AG_ERR_USAGE, "the version contains control characters");
    if (strchr(version, '@'))
        return ag_fail(err, AG_ERR_USAGE, "the version '%s' contains '@' (NAME@VERSION would be ambiguous)",
                       version);
    return AG_OK;
}

static bool valid_date(const char *d)
{
    if (strlen(d) != 10 || d[4] != '-' || d[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)d[i]))
            return false;
    int y = atoi(d), m = atoi(d + 5), day = atoi(d + 8);
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m < 1 || m > 12 || day < 1 || day > mdays[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && day == 29 && !leap);
}

ag_status ag_store_parse_ref(const char *ref, char **name, char **version, ag_error *err)
{
    *name = *version = NULL;
    const char *at = ref ? strrchr(ref, '@') : NULL;
    if (!at)
        return ag_fail(err, AG_ERR_USAGE, "expected NAME@VERSION, got '%s'", ref ? ref : "");
    if (at == ref || at[1] == '\0')
        return ag_fail(err, AG_ERR_USAGE, "expected NAME@VERSION, got '%s' (%s is empty)", ref,
                       at == ref ? "NAME" : "VERSION");
    *name = strndup(ref, (size_t)(at - ref));
    *version = strdup(at + 1);
    if (!*name || !*version) {
        free(*name);
        free(*version);
        *name = *version = NULL;
        return nomem(err);
    }
    return AG_OK;
}

bool ag_store_looks_like_ref(const char *arg)
{
    return arg && strchr(arg, '@') && access(arg, F_OK) != 0;
}

/* ================================================================== */
/* Errors, statements, transactions                                    */

ag_status store_db_fail(sqlite3 *db, ag_error *err, const char *doing)
{
    int code = sqlite3_extended_errcode(db);
    const char *msg = sqlite3_errmsg(db);
    int sys = sqlite3_system_errno(db);
    switch (code & 0xff) {
    case SQLITE_NOTADB:
        return ag_fail(err, AG_ERR_FORMAT, "not an abiguard database: the file is not an SQLite database");
    case SQLITE_CORRUPT:
        return ag_fail(err, AG_ERR_FORMAT, "%s: the database is corrupt (%s)", doing, msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ag_fail(err, AG_ERR_IO, "%s: the database is locked by another process (waited %d s)",
                       doing, AG_STORE_BUSY_TIMEOUT_MS / 1000);
    case SQLITE_NOMEM:
        return nomem(err);
    case SQLITE_READONLY:
        return ag_fail(err, AG_ERR_IO, "%s: the database is read-only (%s)", doing, msg);
    case SQLITE_INTERRUPT:
        return ag_fail(err, AG_ERR_LIMIT, "%s: interrupted (over the budget of the request)", doing);
    case SQLITE_FULL:
        return ag_fail(err, AG_ERR_NOSPACE, "%s: the disk is full (nothing was written)", doing);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_PERM:
        if (sys == ENOSPC || sys == EDQUOT)
            return ag_fail(err, AG_ERR_NOSPACE, "%s: the disk is full (%s; nothing was written)", doing,
                           strerror(sys));
        if (sys == EROFS)
            return ag_fail(err, AG_ERR_IO, "%s: the database is on a read-only file system", doing);
        if (sys)
            return ag_fail(err, AG_ERR_IO, "%s: %s (%s)", doing, msg, strerror(sys));
        return ag_fail(err, AG_ERR_IO, "%s: %s", doing, msg);
    default:
        return ag_fail(err, AG_ERR_IO, "%s: %s", doing, msg);
    }
}

static ag_status prepare(ag_store *s, const char *sql, sqlite3_stmt **st, ag_error *err,
                         const char *doing)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return store_db_fail(s->db, err, doing);
    }
    return AG_OK;
}

static ag_status exec(sqlite3 *db, const char *sql, ag_error *err, const char *doing)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return store_db_fail(db, err, doing);
    return AG_OK;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

/* Steps a statement that returns no row (or whose row is not needed). */
static ag_status step_done(ag_store *s, sqlite3_stmt *st, ag_error *err, const char *doing)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return store_db_fail(s->db, err, doing);
    return AG_OK;
}

static char *column_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

/* ------------------------------------------------------------------ */
/* Before a write: space and integrity                                  */

/* After a write failed on a full disk the WAL keeps the size it grew to
   (SQLite reuses it, never shrinks it on its own), holding the space the
   next write needs. Checkpointing with TRUNCATE gives it back; when there
   is still no room for the checkpoint, the next write tries again. */
static void reclaim_wal(ag_store *s)
{
    if (!s->out_of_space)
        return;
    int log = 0, done = 0;
    if (sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done) == SQLITE_OK)
        s->out_of_space = false;
}

/* Databases (device, inode) this process has checked (or found checked
   recently): the check runs once per process and file, however many
   handles the process opens (the service opens one per thread). */
static pthread_mutex_t checked_lock = PTHREAD_MUTEX_INITIALIZER;
static struct checked_file { dev_t dev; ino_t ino; } *checked_files;
static size_t n_checked_files;

static bool file_id(ag_store *s, struct checked_file *id)
{
    const char *path = sqlite3_db_filename(s->db, "main");
    struct stat sb;
    if (!path || !*path || stat(path, &sb) != 0)
        return false;
    *id = (struct checked_file){ sb.st_dev, sb.st_ino };
    return true;
}

static bool process_checked(const struct checked_file *id, bool add)
{
    bool found = false;
    pthread_mutex_lock(&checked_lock);
    for (size_t i = 0; i < n_checked_files && !found; i++)
        found = checked_files[i].dev == id->dev && checked_files[i].ino == id->ino;
    if (!found && add) {
        struct checked_file *v = realloc(checked_files, (n_checked_files + 1) * sizeof *v);
        if (v) {
            checked_files = v;
            checked_files[n_checked_files++] = *id;
        }
    }
    pthread_mutex_unlock(&checked_lock);
    return found;
}

/* PRAGMA quick_check: "ok", or the first problem found. */
static ag_status quick_check(sqlite3 *db, ag_error *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, "PRAGMA quick_check(5)", -1, &q, NULL) != SQLITE_OK)
        return store_db_fail(db, err, "cannot check the database");
    int rc = sqlite3_step(q);
    ag_status st = AG_OK;
    if (rc == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(q, 0);
        if (!r || strcmp(r, "ok") != 0)
            st = ag_fail(err, AG_ERR_FORMAT,
                         "the database is damaged (integrity check: %s); nothing was written"
                         " (restore a backup, or rebuild it with 'sqlite3 FILE .recover')",
                         r ? r : "no result");
    } else if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) {
        st = ag_fail(err, AG_ERR_FORMAT,
                     "the database is damaged (integrity check: %s); nothing was written"
                     " (restore a backup, or rebuild it with 'sqlite3 FILE .recover')",
                     sqlite3_errmsg(db));
    } else {
        st = store_db_fail(db, err, "cannot check the database");
    }
    sqlite3_finalize(q);
    return st;
}

/* Inside the write transaction just begun, before anything is written:
   the integrity check, once per process and database unless the database
   records a recent one (see AG_STORE_CHECK_INTERVAL_S). A passing check is
   recorded in the same transaction. */
static ag_status check_before_write(ag_store *s, ag_error *err)
{
    if (s->checked)
        return AG_OK;
    struct checked_file id;
    bool have_id = file_id(s, &id);
    if (have_id && process_checked(&id, false)) {
        s->checked = true;
        return AG_OK;
    }
    int64_t last = 0, now = (int64_t)time(NULL);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "SELECT checked_at FROM integrity_checks WHERE id = 1", -1, &q, NULL) ==
        SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW)
            last = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    if (last <= 0 || now - last >= AG_STORE_CHECK_INTERVAL_S || last > now) {
        ag_status st = quick_check(s->db, err);
        if (st != AG_OK)
            return st;
        st = exec(s->db,
                  "INSERT OR REPLACE INTO integrity_checks(id, checked_at, pages)"
                  " SELECT 1, CAST(strftime('%s', 'now') AS INTEGER), page_count FROM pragma_page_count",
                  err, "cannot record the integrity check");
        if (st != AG_OK)
            return st;
    }
    s->checked = true;
    if (have_id)
        process_checked(&id, true);
    return AG_OK;
}

/* BEGIN IMMEDIATE and the checks above; busy_ms: how long to wait for
   another writer (the connection's busy timeout is restored after). */
static ag_status begin_write(ag_store *s, int busy_ms, ag_error *err)
{
    if (s->readonly)
        return ag_fail(err, AG_ERR_IO, "cannot write: the database is opened read-only"
                                       " (a read-only file or file system)");
    reclaim_wal(s);
    if (busy_ms != AG_STORE_BUSY_TIMEOUT_MS)
        sqlite3_busy_timeout(s->db, busy_ms);
    /* IMMEDIATE takes the write lock now (waiting up to the busy timeout),
       so two writers queue instead of failing halfway with SQLITE_BUSY. */
    ag_status st = exec(s->db, "BEGIN IMMEDIATE", err, "cannot start a write transaction");
    if (busy_ms != AG_STORE_BUSY_TIMEOUT_MS)
        sqlite3_busy_timeout(s->db, AG_STORE_BUSY_TIMEOUT_MS);
    if (st == AG_OK && (st = check_before_write(s, err)) != AG_OK)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    if (st == AG_ERR_NOSPACE)
        s->out_of_space = true;
    return st;
}

ag_status store_tx_begin(ag_store *s, bool *own, ag_error *err)
{
    *own = !s->in_tx;
    if (!*own)
        return AG_OK;
    return begin_write(s, AG_STORE_BUSY_TIMEOUT_MS, err);
}

ag_status store_tx_begin_nowait(ag_store *s, bool *own, ag_error *err)
{
    *own = !s->in_tx;
    if (!*own)
        return AG_OK;
    return begin_write(s, 0, err);
}

ag_status store_tx_end(ag_store *s, bool own, ag_status st, ag_error *err)
{
    if (st == AG_ERR_NOSPACE)
        s->out_of_space = true;
    if (!own)
        return st;
    if (st == AG_OK) {
        st = exec(s->db, "COMMIT", err, "cannot commit");
        if (st == AG_OK)
            return AG_OK;
        if (st == AG_ERR_NOSPACE)
            s->out_of_space = true;
    }
    /* A failed COMMIT may leave the transaction open; rolling back a closed
       one is harmless. */
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    reclaim_wal(s);
    return st;
}

ag_status ag_store_begin(ag_store *s, ag_error *err)
{
    if (s->in_tx)
        return ag_fail(err, AG_ERR_USAGE, "a transaction is already open");
    ag_status st = begin_write(s, AG_STORE_BUSY_TIMEOUT_MS, err);
    if (st == AG_OK)
        s->in_tx = true;
    return st;
}

ag_status ag_store_commit(ag_store *s, ag_error *err)
{
    if (!s->in_tx)
        return ag_fail(err, AG_ERR_USAGE, "no transaction is open");
    s->in_tx = false;
    return store_tx_end(s, true, AG_OK, err);
}

void ag_store_rollback(ag_store *s)
{
    if (!s->in_tx)
        return;
    s->in_tx = false;
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    reclaim_wal(s);
}

/* ================================================================== */
/* Opening and migrating                                               */

static ag_status pragma_int(sqlite3 *db, const char *sql, int64_t *out, ag_error *err,
                            const char *doing)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_db_fail(db, err, doing);
    int rc = sqlite3_step(st);
    ag_status status = AG_OK;
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        *out = 0;
    else
        status = store_db_fail(db, err, doing);
    sqlite3_finalize(st);
    return status;
}

int ag_store_schema_latest(void)
{
    return ag_migrations[ag_n_migrations - 1].version;
}

const char *ag_store_file_name(ag_store *s)
{
    const char *path = s ? sqlite3_db_filename(s->db, "main") : NULL;
    if (!path || !*path)
        return "";
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int ag_store_schema_version(ag_store *s)
{
    int64_t v = -1;
    if (pragma_int(s->db, "PRAGMA user_version", &v, NULL, "") != AG_OK)
        return -1;
    return (int)v;
}

/* Reads what decides whether the file is ours, in one read transaction so
   a concurrent first migration is seen entirely or not at all. Nothing is
   written: a file we refuse stays exactly as it was. */
static ag_status check_identity(sqlite3 *db, int64_t *user_version, ag_error *err)
{
    const char *doing = "cannot read the database";
    int64_t app_id = 0, n_tables = 0;
    ag_status st = exec(db, "BEGIN", err, doing);
    if (st != AG_OK)
        return st;
    st = pragma_int(db, "PRAGMA application_id", &app_id, err, doing);
    if (st == AG_OK)
        st = pragma_int(db, "PRAGMA user_version", user_version, err, doing);
    if (st == AG_OK)
        st = pragma_int(db, "SELECT count(*) FROM sqlite_schema", &n_tables, err, doing);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (st != AG_OK)
        return st;
    int latest = ag_store_schema_latest();
    if (app_id != 0 && app_id != AG_STORE_APPLICATION_ID)
        return ag_fail(err, AG_ERR_FORMAT, "not an abiguard database (application_id 0x%08" PRIx64 ")",
                       (uint64_t)app_id);
    if (*user_version == 0 && n_tables > 0)
        return ag_fail(err, AG_ERR_FORMAT, "not an abiguard database (an SQLite database with other tables)");
    if (*user_version > latest)
        return ag_fail(err, AG_ERR_UNSUPPORTED,
                       "database was created by a newer abiguard (schema %" PRId64 ", this build knows %d)",
                       *user_version, latest);
    return AG_OK;
}

/* Each migration in its own IMMEDIATE transaction, re-checking the version
   inside it: when two processes open a new database at once, the second
   waits and then finds the work done. */
static ag_status migrate(sqlite3 *db, ag_error *err)
{
    bool checked = false;
    for (size_t i = 0; i < ag_n_migrations; i++) {
        const ag_migration *m = &ag_migrations[i];
        char doing[128];
        snprintf(doing, sizeof doing, "cannot upgrade the database schema to %d (%s)", m->version, m->file);
        int64_t current = 0;
        ag_status st = pragma_int(db, "PRAGMA user_version", &current, err, doing);
        if (st != AG_OK)
            return st;
        if (current >= m->version)
            continue;
        if ((st = exec(db, "BEGIN IMMEDIATE", err, doing)) != AG_OK)
            return st;
        st = pragma_int(db, "PRAGMA user_version", &current, err, doing);
        /* Upgrading a database that has content: check it first, as before
           any write (a new database has nothing to check). */
        if (st == AG_OK && current >= 1 && current < m->version && !checked) {
            st = quick_check(db, err);
            checked = true;
        }
        if (st == AG_OK && current < m->version) {
            char set[64];
            snprintf(set, sizeof set, "PRAGMA user_version = %d", m->version);
            st = exec(db, m->sql, err, doing);
            if (st == AG_OK)
                st = exec(db, set, err, doing);
        }
        if (st == AG_OK)
            st = exec(db, "COMMIT", err, doing);
        if (st != AG_OK) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return st;
        }
    }
    return AG_OK;
}

static ag_status set_wal(sqlite3 *db, ag_error *err)
{
    /* Switching to WAL needs a moment of exclusive access; a concurrent
       opener may hold it, and this pragma does not always wait on its own. */
    for (int attempt = 0;; attempt++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK)
            return store_db_fail(db, err, "cannot switch the database to WAL mode");
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc == SQLITE_ROW || rc == SQLITE_DONE)
            return AG_OK;
        if ((rc & 0xff) != SQLITE_BUSY || attempt >= AG_STORE_BUSY_TIMEOUT_MS / 10)
            return store_db_fail(db, err, "cannot switch the database to WAL mode");
        usleep(10000);
    }
}

/* SQLite finds a damaged page only when it reads it, and an index lookup
   may never read a table's own pages: a database with a garbage table root
   would then half work. Reading each table's first row (root to leftmost
   leaf, a few pages in all) catches that at open, before anything is
   written, at a cost independent of the database's size. Damage deeper in
   a tree is still reported when a statement reaches it, and SQLite never
   commits over it. */
static ag_status probe_tables(sqlite3 *db, ag_error *err)
{
    const char *doing = "cannot read the database";
    sqlite3_stmt *list;
    if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table'", -1, &list, NULL) != SQLITE_OK)
        return store_db_fail(db, err, doing);
    ag_status st = AG_OK;
    int rc;
    while (st == AG_OK && (rc = sqlite3_step(list)) == SQLITE_ROW) {
        char *sql = sqlite3_mprintf("SELECT * FROM \"%w\" LIMIT 1", (const char *)sqlite3_column_text(list, 0));
        sqlite3_stmt *one = NULL;
        if (!sql)
            st = nomem(err);
        else if (sqlite3_prepare_v2(db, sql, -1, &one, NULL) != SQLITE_OK)
            st = store_db_fail(db, err, doing);
        else if ((rc = sqlite3_step(one)) != SQLITE_ROW && rc != SQLITE_DONE)
            st = store_db_fail(db, err, doing);
        sqlite3_finalize(one);
        sqlite3_free(sql);
    }
    if (st == AG_OK && rc != SQLITE_DONE)
        st = store_db_fail(db, err, doing);
    sqlite3_finalize(list);
    return st;
}

typedef enum open_mode {
    OPEN_CREATE,      /* read-write, created when missing */
    OPEN_EXISTING,    /* read-write when possible, else read-only; must exist */
    OPEN_READONLY,    /* read-only; must exist */
} open_mode;

static int on_progress(void *user)
{
    ag_store *s = user;
    return ag_budget_spent(s->budget);
}

/* "file:PATH?immutable=1" with PATH percent-escaped where a URI needs it. */
static char *immutable_uri(const char *path)
{
    size_t len = strlen(path);
    char *uri = malloc(len * 3 + 32);
    if (!uri)
        return NULL;
    char *w = uri + sprintf(uri, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#' || *p <= 0x20 || *p >= 0x7f)
            w += sprintf(w, "%%%02X", *p);
        else
            *w++ = (char)*p;
    }
    strcpy(w, "?immutable=1");
    return uri;
}

/* A read-only WAL database whose -shm cannot be created (a read-only
   directory or mount) opens only as immutable. That is right when no -wal
   file holds committed pages the main file lacks: then the main file is the
   whole database. */
static bool can_open_immutable(const char *path)
{
    char *wal = NULL;
    if (asprintf(&wal, "%s-wal", path) < 0)
        return false;
    struct stat sb;
    bool ok = stat(wal, &sb) != 0 ? errno == ENOENT : sb.st_size == 0;
    free(wal);
    return ok;
}

static bool sidecar_exists(const char *path, const char *suffix)
{
    char *p = NULL;
    if (asprintf(&p, "%s%s", path, suffix) < 0)
        return false;
    bool there = access(p, F_OK) == 0;
    free(p);
    return there;
}

static ag_status open_db(const char *path, int flags, sqlite3 **out, ag_error *err)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        ag_status st = db ? store_db_fail(db, err, "cannot open the database") : nomem(err);
        sqlite3_close(db);
        return st;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, AG_STORE_BUSY_TIMEOUT_MS);
    *out = db;
    return AG_OK;
}

static ag_status store_open(const char *path, open_mode mode, ag_store **out, ag_error *err)
{
    *out = NULL;
    if (!path || !*path)
        return ag_fail(err, AG_ERR_USAGE, "empty database path");
    struct stat sb;
    bool is_uri = strncmp(path, "file:", 5) == 0;
    if (mode != OPEN_CREATE && !is_uri && stat(path, &sb) != 0 && errno == ENOENT)
        return ag_fail(err, AG_ERR_NOTFOUND,
                       "no such database (add a release with 'abiguard add' or 'abiguard import' first)");
    if (!is_uri && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return ag_fail(err, AG_ERR_IO, "is a directory, not a database");

    /* Read-write unless asked for read-only; an existing database that
       cannot be written (EACCES, EROFS) is then read read-only. Root passes
       permission checks, so access() is asked, not just open(). */
    bool readonly = mode == OPEN_READONLY;
    bool exists = !is_uri && stat(path, &sb) == 0;
    if (exists && mode != OPEN_READONLY && access(path, W_OK) != 0 && (errno == EACCES || errno == EROFS)) {
        if (mode == OPEN_CREATE)
            return ag_fail(err, AG_ERR_IO, "cannot write the database: %s", strerror(errno));
        readonly = true;
    }
    int flags = SQLITE_OPEN_URI | (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                (mode == OPEN_CREATE ? SQLITE_OPEN_CREATE : 0);
    sqlite3 *db = NULL;
    ag_status st = open_db(path, flags, &db, err);
    if (st != AG_OK)
        return st;

    int64_t version = 0;
    st = check_identity(db, &version, err);
    if (st != AG_OK && readonly && !is_uri && can_open_immutable(path)) {
        /* The -shm could not be created next to a WAL database. */
        char *uri = immutable_uri(path);
        sqlite3_close(db);
        db = NULL;
        st = uri ? open_db(uri, SQLITE_OPEN_URI | SQLITE_OPEN_READONLY, &db, err) : nomem(err);
        free(uri);
        if (st == AG_OK)
            st = check_identity(db, &version, err);
    } else if (st != AG_OK && readonly && !is_uri && !sidecar_exists(path, "-shm")) {
        ag_fail(err, st, "cannot read the database: it has a write-ahead log (%s-wal) but its index (-shm)"
                         " cannot be created on this read-only file system; open it once with write access"
                         " to checkpoint it", path);
    }
    if (st == AG_OK)
        st = exec(db, "PRAGMA foreign_keys = ON", err, "cannot open the database");
    if (st == AG_OK && !sqlite3_db_readonly(db, "main"))
        st = set_wal(db, err);
    if (st == AG_OK)
        st = probe_tables(db, err);
    if (st == AG_OK && sqlite3_db_readonly(db, "main")) {
        /* An older schema is read as it is (what it lacks reads as NULL),
           down to AG_STORE_SCHEMA_READ_MIN. */
        if (version < AG_STORE_SCHEMA_READ_MIN)
            st = ag_fail(err, AG_ERR_UNSUPPORTED,
                         "the database has schema %" PRId64 " and needs an upgrade to %d, but it is read-only"
                         " (open it once with write access)", version, ag_store_schema_latest());
    } else if (st == AG_OK) {
        st = migrate(db, err);
        version = ag_store_schema_latest();
    }
    if (st != AG_OK) {
        sqlite3_close(db);
        return st;
    }
    ag_store *s = calloc(1, sizeof *s);
    if (!s) {
        sqlite3_close(db);
        return nomem(err);
    }
    s->db = db;
    s->readonly = sqlite3_db_readonly(db, "main") != 0;
    s->schema = (int)version;
    /* Long statements stop when the budget (if any) is spent. */
    sqlite3_progress_handler(db, 4096, on_progress, s);
    /* The WAL shrinks back to this after a checkpoint that resets it. */
    if (!s->readonly)
        sqlite3_exec(db, "PRAGMA journal_size_limit = 67108864", NULL, NULL, NULL);
    *out = s;
    return AG_OK;
}

ag_status ag_store_open(const char *path, ag_store **out, ag_error *err)
{
    return store_open(path, OPEN_CREATE, out, err);
}

ag_status ag_store_open_existing(const char *path, ag_store **out, ag_error *err)
{
    return store_open(path, OPEN_EXISTING, out, err);
}

ag_status ag_store_open_readonly(const char *path, ag_store **out, ag_error *err)
{
    return store_open(path, OPEN_READONLY, out, err);
}

bool ag_store_is_readonly(const ag_store *s)
{
    return s->readonly;
}

void ag_store_set_budget(ag_store *s, ag_budget *b)
{
    s->budget = b;
}

void ag_store_close(ag_store *s)
{
    if (!s)
        return;
    ag_store_rollback(s);
    sqlite3_close(s->db);
    free(s);
}

/* ================================================================== */
/* Content-addressed arrays                                            */

/* The five arrays of a corpus document, where their elements are stored. */
typedef struct array_table {
    const char *key;       /* in the corpus JSON */
    const char *content;   /* content table */
    const char *link;      /* link table */
    bool debug_part;       /* null when the corpus has no debug info */
} array_table;

static const array_table ARRAYS[] = {
    { "exports", "symbols", "binary_exports", false },
    { "imports", "symbols", "binary_imports", false },
    { "functions", "functions", "binary_functions", true },
    { "variables", "variables", "binary_variables", true },
    { "types", "types", "binary_types", true },
};
#define N_ARRAYS (sizeof ARRAYS / sizeof ARRAYS[0])

/* elf.hardening, in the order of the binaries columns. */
static const char *const HARDENING_FLAGS[7] = { "relro", "bind_now", "stack_protector", "exec_stack",
                                                "static_tls", "cet_ibt", "cet_shstk" };

typedef struct content_stmts {
    sqlite3_stmt *select, *insert, *link;
} content_stmts;

static void content_stmts_free(content_stmts *c)
{
    sqlite3_finalize(c->select);
    sqlite3_finalize(c->insert);
    sqlite3_finalize(c->link);
}

static ag_status content_stmts_prepare(ag_store *s, const array_table *t, content_stmts *c,
                                       ag_error *err)
{
    char sql[160];
    const char *doing = "cannot prepare the store";
    snprintf(sql, sizeof sql, "SELECT json FROM %s WHERE hash = ?1", t->content);
    ag_status st = prepare(s, sql, &c->select, err, doing);
    snprintf(sql, sizeof sql, "INSERT INTO %s(hash, json) VALUES (?1, ?2)", t->content);
    if (st == AG_OK)
        st = prepare(s, sql, &c->insert, err, doing);
    snprintf(sql, sizeof sql, "INSERT INTO %s(binary_id, position, hash) VALUES (?1, ?2, ?3)", t->link);
    if (st == AG_OK)
        st = prepare(s, sql, &c->link, err, doing);
    return st;
}

/* One array of a release, serialized before the write lock is taken: the
   compact text of each element and its content key. */
typedef struct prepared_array {
    bool present;           /* false: null (no debug info) */
    char **texts;
    size_t *lens;
    sqlite3_int64 *keys;
    size_t n;
} prepared_array;

static void prepared_free(prepared_array *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->texts[i]);
    free(a->texts);
    free(a->lens);
    free(a->keys);
    memset(a, 0, sizeof *a);
}

static ag_status prepare_array(const json_t *arr, prepared_array *out, ag_error *err)
{
    memset(out, 0, sizeof *out);
    if (!json_is_array(arr))
        return AG_OK;
    out->present = true;
    size_t n = json_array_size(arr);
    out->texts = calloc(n ? n : 1, sizeof *out->texts);
    out->lens = calloc(n ? n : 1, sizeof *out->lens);
    out->keys = calloc(n ? n : 1, sizeof *out->keys);
    if (!out->texts || !out->lens || !out->keys) {
        prepared_free(out);
        return nomem(err);
    }
    for (size_t i = 0; i < n; i++) {
        char *text = json_dumps(json_array_get(arr, i), JSON_COMPACT | JSON_SORT_KEYS);
        if (!text) {
            prepared_free(out);
            return nomem(err);
        }
        size_t len = strlen(text);
        ag_hasher h;
        ag_hash_init(&h);
        ag_hash_bytes(&h, text, len);
        out->texts[i] = text;
        out->lens[i] = len;
        out->keys[i] = (sqlite3_int64)ag_hash_final(&h);
        out->n = i + 1;
    }
    return AG_OK;
}

/* Stores one element's text (once across the store) and links it. */
static ag_status store_element(ag_store *s, const array_table *t, content_stmts *c,
                               int64_t binary_id, size_t position, const char *text,
                               size_t len, sqlite3_int64 key, ag_error *err)
{
    const char *doing = "cannot store the release";

    sqlite3_reset(c->select);
    sqlite3_bind_int64(c->select, 1, key);
    int rc = sqlite3_step(c->select);
    if (rc == SQLITE_ROW) {
        const void *have = sqlite3_column_blob(c->select, 0);
        size_t have_len = (size_t)sqlite3_column_bytes(c->select, 0);
        if (have_len != len || memcmp(have, text, len) != 0)
            return ag_fail(err, AG_ERR_UNSUPPORTED,
                           "cannot store the release: two different %s share the content hash %016" PRIx64,
                           t->content, (uint64_t)key);
    } else if (rc == SQLITE_DONE) {
        sqlite3_reset(c->insert);
        sqlite3_bind_int64(c->insert, 1, key);
        sqlite3_bind_text(c->insert, 2, text, (int)len, SQLITE_STATIC);
        if (sqlite3_step(c->insert) != SQLITE_DONE)
            return store_db_fail(s->db, err, doing);
    } else {
        return store_db_fail(s->db, err, doing);
    }
    sqlite3_reset(c->link);
    sqlite3_bind_int64(c->link, 1, binary_id);
    sqlite3_bind_int64(c->link, 2, (sqlite3_int64)position);
    sqlite3_bind_int64(c->link, 3, key);
    if (sqlite3_step(c->link) != SQLITE_DONE)
        return store_db_fail(s->db, err, doing);
    return AG_OK;
}

static ag_status store_array(ag_store *s, const array_table *t, int64_t binary_id,
                             const prepared_array *arr, ag_error *err)
{
    if (!arr->present)
        return AG_OK; /* null: no debug info */
    content_stmts c = { 0 };
    ag_status st = content_stmts_prepare(s, t, &c, err);
    for (size_t i = 0; st == AG_OK && i < arr->n; i++)
        st = store_element(s, t, &c, binary_id, i, arr->texts[i], arr->lens[i], arr->keys[i], err);
    content_stmts_free(&c);
    return st;
}

/* Content no binary links to any more (after a remove or a replace). One
   pass per table over the link hashes, not one lookup per content row. */
static ag_status collect_garbage(ag_store *s, ag_error *err)
{
    static const char *const sql =
        "DELETE FROM types WHERE hash NOT IN (SELECT hash FROM binary_types);"
        "DELETE FROM functions WHERE hash NOT IN (SELECT hash FROM binary_functions);"
        "DELETE FROM variables WHERE hash NOT IN (SELECT hash FROM binary_variables);"
        "DELETE FROM symbols WHERE hash NOT IN"
        " (SELECT hash FROM binary_exports UNION ALL SELECT hash FROM binary_imports);";
    return exec(s->db, sql, err, "cannot remove unused content");
}

/* ================================================================== */
/* Adding                                                              */

static const char *jstr(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key)); /* NULL for null */
}

static bool jbool(const json_t *obj, const char *key)
{
    return json_is_true(json_object_get(obj, key));
}

/* Compact JSON of obj[key] (an array or object), malloc'd. */
static char *jdump(const json_t *obj, const char *key)
{
    return json_dumps(json_object_get(obj, key), JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

static ag_status insert_binary(ag_store *s, int64_t release_id, size_t position, const json_t *root,
                               const char *inner_path, int64_t *binary_id, ag_error *err)
{
    static const char *const sql =
        "INSERT INTO binaries(release_id, position, file_name, soname, elf_type, machine,"
        " elf_class, byte_order, build_id, sha256, needed, runpath, rpath, version_defs,"
        " relro, bind_now, stack_protector, exec_stack, static_tls, cet_ibt, cet_shstk,"
        " has_debug_info, debug_source, dwarf_version, skipped,"
        " n_exports, n_imports, n_functions, n_variables, n_types, surface, inner_path)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
        " ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32)";
    const json_t *elf = json_object_get(root, "elf");
    const json_t *hard = json_object_get(elf, "hardening");
    char *needed = jdump(elf, "needed");
    char *vdefs = jdump(elf, "version_defs");
    char *skipped = jdump(root, "skipped");
    bool has_surface = json_object_get(root, "surface") != NULL;
    char *surface = has_surface ? jdump(root, "surface") : NULL;
    sqlite3_stmt *st = NULL;
    ag_status status = needed && vdefs && skipped && (surface || !has_surface) ? AG_OK : nomem(err);
    if (status == AG_OK)
        status = prepare(s, sql, &st, err, "cannot store the release");
    if (status == AG_OK) {
        int i = 1;
        sqlite3_bind_int64(st, i++, release_id);
        sqlite3_bind_int64(st, i++, (sqlite3_int64)position);
        bind_text(st, i++, jstr(elf, "file_name"));
        bind_text(st, i++, jstr(elf, "soname"));
        bind_text(st, i++, jstr(elf, "elf_type"));
        bind_text(st, i++, jstr(elf, "machine"));
        sqlite3_bind_int64(st, i++, json_integer_value(json_object_get(elf, "class")));
        bind_text(st, i++, jstr(elf, "byte_order"));
        bind_text(st, i++, jstr(elf, "build_id"));
        bind_text(st, i++, jstr(elf, "sha256"));
        bind_text(st, i++, needed);
        bind_text(st, i++, jstr(elf, "runpath"));
        bind_text(st, i++, jstr(elf, "rpath"));
        bind_text(st, i++, vdefs);
        for (size_t f = 0; f < 7; f++)
            sqlite3_bind_int(st, i++, jbool(hard, HARDENING_FLAGS[f]));
        sqlite3_bind_int(st, i++, jbool(root, "debug_info"));
        bind_text(st, i++, jstr(root, "debug_source"));
        sqlite3_bind_int64(st, i++, json_integer_value(json_object_get(root, "dwarf_version")));
        bind_text(st, i++, skipped);
        for (size_t a = 0; a < N_ARRAYS; a++)
            sqlite3_bind_int64(st, i++, (sqlite3_int64)json_array_size(json_object_get(root, ARRAYS[a].key)));
        bind_text(st, i++, surface);
        bind_text(st, i++, inner_path);
        status = step_done(s, st, err, "cannot store the release");
        *binary_id = sqlite3_last_insert_rowid(s->db);
    }
    sqlite3_finalize(st);
    free(needed);
    free(vdefs);
    free(skipped);
    free(surface);
    return status;
}

/* Library id, created when missing. */
static ag_status library_id(ag_store *s, const char *library, int64_t *id, ag_error *err)
{
    const char *doing = "cannot store the release";
    sqlite3_stmt *st;
    ag_status status = prepare(s, "INSERT INTO libraries(name) VALUES (?1) ON CONFLICT(name) DO NOTHING",
                               &st, err, doing);
    if (status == AG_OK) {
        bind_text(st, 1, library);
        status = step_done(s, st, err, doing);
        sqlite3_finalize(st);
    }
    if (status == AG_OK)
        status = prepare(s, "SELECT id FROM libraries WHERE name = ?1", &st, err, doing);
    if (status == AG_OK) {
        bind_text(st, 1, library);
        if (sqlite3_step(st) == SQLITE_ROW)
            *id = sqlite3_column_int64(st, 0);
        else
            status = store_db_fail(s->db, err, doing);
        sqlite3_finalize(st);
    }
    return status;
}

ag_status ag_store_no_release(ag_error *err, const char *library, const char *version,
                              const ag_store_release *rels, size_t n)
{
    char have[512] = "";
    size_t len = 0;
    enum { SHOWN = 12 };
    for (size_t i = 0; i < n && i < SHOWN && len < sizeof have; i++)
        len += (size_t)snprintf(have + len, sizeof have - len, "%s%s", i ? ", " : "", rels[i].version);
    if (len >= sizeof have)
        len = sizeof have - 1;
    if (n > SHOWN)
        snprintf(have + len, sizeof have - len, ", ... (%zu in all)", n);
    if (n == 0)
        return ag_fail(err, AG_ERR_NOTFOUND, "no release %s@%s (%s has no release)", library, version, library);
    return ag_fail(err, AG_ERR_NOTFOUND, "no release %s@%s (%s has %s)", library, version, library, have);
}

/* ag_store_no_release for a library of this store. */
static ag_status no_release(ag_store *s, const char *library, const char *version, ag_error *err)
{
    ag_store_release *rels = NULL;
    size_t n = 0;
    ag_error ignored = { .msg = "" };
    if (ag_store_list_releases(s, library, &rels, &n, &ignored) != AG_OK)
        return ag_fail(err, AG_ERR_NOTFOUND, "no release %s@%s", library, version);
    ag_status st = ag_store_no_release(err, library, version, rels, n);
    ag_store_releases_free(rels, n);
    return st;
}

ag_status store_find_release(ag_store *s, const char *library, const char *version,
                             int64_t *release_id, ag_error *err)
{
    sqlite3_stmt *st;
    ag_status status = prepare(s,
        "SELECT r.id FROM libraries l LEFT JOIN releases r ON r.library_id = l.id AND r.version = ?2"
        " WHERE l.name = ?1", &st, err, "cannot read the database");
    if (status != AG_OK)
        return status;
    bind_text(st, 1, library);
    bind_text(st, 2, version);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *release_id = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_ROW)
        status = AG_ERR_NOTFOUND;
    else if (rc == SQLITE_DONE)
        status = ag_fail(err, AG_ERR_NOTFOUND, "no library %s", library);
    else
        status = store_db_fail(s->db, err, "cannot read the database");
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW && status == AG_ERR_NOTFOUND)
        status = no_release(s, library, version, err);
    return status;
}

/* Everything a release needs, parsed before the write lock is taken. */
static ag_status corpus_document(const ag_corpus *c, json_t **root, ag_error *err)
{
    ag_error inner = { .msg = "" };
    char *text = ag_corpus_to_json(c, &inner);
    if (!text)
        return ag_fail(err, AG_ERR_FORMAT, "cannot serialize the corpus: %s", inner.msg);
    json_error_t jerr;
    *root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    if (!*root)
        return ag_fail(err, AG_ERR_FORMAT, "cannot re-read the corpus: %s", jerr.text);
    return AG_OK;
}

/* One binary of a release, serialized before the write lock is taken. */
typedef struct prepared_binary {
    json_t *root;
    char *inner_path;
    prepared_array arrays[N_ARRAYS];
} prepared_binary;

static ag_status add_locked(ag_store *s, const char *library, const char *version, const char *date,
                            const char *notes, const prepared_binary *bins, size_t n_bins,
                            bool replace, bool *replaced, ag_error *err)
{
    const char *doing = "cannot store the release";
    int64_t lib_id = 0, old_id = 0, rel_id = 0;
    ag_status st = library_id(s, library, &lib_id, err);
    if (st != AG_OK)
        return st;
    ag_error ignored;
    if (store_find_release(s, library, version, &old_id, &ignored) == AG_OK) {
        if (!replace)
            return ag_fail(err, AG_ERR_USAGE, "%s@%s already exists (use --replace)", library, version);
        /* Cascades to its binaries, their links and every cached diff that
           involves it. */
        sqlite3_stmt *del;
        if ((st = prepare(s, "DELETE FROM releases WHERE id = ?1", &del, err, doing)) != AG_OK)
            return st;
        sqlite3_bind_int64(del, 1, old_id);
        st = step_done(s, del, err, doing);
        sqlite3_finalize(del);
        if (st != AG_OK)
            return st;
        *replaced = true;
    }
    sqlite3_stmt *ins;
    if ((st = prepare(s, "INSERT INTO releases(library_id, version, date, notes) VALUES (?1, ?2, ?3, ?4)",
                      &ins, err, doing)) != AG_OK)
        return st;
    sqlite3_bind_int64(ins, 1, lib_id);
    bind_text(ins, 2, version);
    bind_text(ins, 3, date);
    bind_text(ins, 4, notes);
    st = step_done(s, ins, err, doing);
    sqlite3_finalize(ins);
    rel_id = sqlite3_last_insert_rowid(s->db);
    for (size_t b = 0; st == AG_OK && b < n_bins; b++) {
        int64_t bin_id = 0;
        st = insert_binary(s, rel_id, b, bins[b].root, bins[b].inner_path, &bin_id, err);
        for (size_t a = 0; st == AG_OK && a < N_ARRAYS; a++)
            st = store_array(s, &ARRAYS[a], bin_id, &bins[b].arrays[a], err);
    }
    /* After the insert, so content the new release shares is never dropped
       and re-added. */
    if (st == AG_OK && *replaced)
        st = collect_garbage(s, err);
    return st;
}

struct ag_store_prepared {
    char *library, *version, *date, *notes;
    prepared_binary *bins;
    size_t n_bins;
};

void ag_store_prepared_free(ag_store_prepared *p)
{
    if (!p)
        return;
    for (size_t b = 0; b < p->n_bins; b++) {
        for (size_t a = 0; a < N_ARRAYS; a++)
            prepared_free(&p->bins[b].arrays[a]);
        json_decref(p->bins[b].root);
        free(p->bins[b].inner_path);
    }
    free(p->bins);
    free(p->library);
    free(p->version);
    free(p->date);
    free(p->notes);
    free(p);
}

size_t ag_store_prepared_n_binaries(const ag_store_prepared *p)
{
    return p ? p->n_bins : 0;
}

/* Two binaries of one release with one SONAME could not be told apart by
   NAME@V:SONAME. */
static ag_status check_distinct_sonames(const ag_corpus *const *corpora, size_t n, ag_error *err)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; corpora[i]->elf.soname && j < n; j++)
            if (corpora[j]->elf.soname && strcmp(corpora[i]->elf.soname, corpora[j]->elf.soname) == 0)
                return ag_fail(err, AG_ERR_USAGE, "two binaries of the release have the SONAME %s",
                               corpora[i]->elf.soname);
    return AG_OK;
}

ag_status ag_store_prepare_release_binaries(const char *library, const char *version, const char *date,
                                            const char *notes, const ag_corpus *const *corpora,
                                            const char *const *inner_paths, size_t n, ag_store_prepared **out,
                                            ag_error *err)
{
    *out = NULL;
    if (n == 0)
        return ag_fail(err, AG_ERR_USAGE, "a release needs at least one binary");
    ag_status st = check_names(library, version, err);
    if (st == AG_OK)
        st = check_distinct_sonames(corpora, n, err);
    if (st != AG_OK)
        return st;
    if (date && !valid_date(date))
        return ag_fail(err, AG_ERR_USAGE, "the date '%s' is not a valid YYYY-MM-DD date", date);
    ag_store_prepared *p = calloc(1, sizeof *p);
    if (!p)
        return nomem(err);
    p->library = strdup(library);
    p->version = strdup(version);
    p->date = dup_or_null(date);
    p->notes = dup_or_null(notes);
    p->bins = calloc(n, sizeof *p->bins);
    if (!p->library || !p->version || (date && !p->date) || (notes && !p->notes) || !p->bins)
        st = nomem(err);
    for (size_t b = 0; st == AG_OK && b < n; b++) {
        prepared_binary *pb = &p->bins[b];
        p->n_bins = b + 1;
        const char *inner = inner_paths ? inner_paths[b] : NULL;
        if (inner && !(pb->inner_path = strdup(inner)))
            st = nomem(err);
        if (st == AG_OK)
            st = corpus_document(corpora[b], &pb->root, err);
        for (size_t a = 0; st == AG_OK && a < N_ARRAYS; a++)
            st = prepare_array(json_object_get(pb->root, ARRAYS[a].key), &pb->arrays[a], err);
    }
    if (st != AG_OK) {
        ag_store_prepared_free(p);
        return st;
    }
    *out = p;
    return AG_OK;
}

ag_status ag_store_add_prepared(ag_store *s, const ag_store_prepared *p, bool replace, ag_error *err)
{
    bool own, replaced = false;
    ag_status st = store_tx_begin(s, &own, err);
    if (st == AG_OK) {
        st = add_locked(s, p->library, p->version, p->date, p->notes, p->bins, p->n_bins, replace, &replaced,
                        err);
        st = store_tx_end(s, own, st, err);
    }
    return st;
}

ag_status ag_store_prepare_release(const char *library, const char *version, const char *date,
                                   const char *notes, const ag_corpus *c, ag_store_prepared **out,
                                   ag_error *err)
{
    return ag_store_prepare_release_binaries(library, version, date, notes, &c, NULL, 1, out, err);
}

ag_status ag_store_add_release_binaries(ag_store *s, const char *library, const char *version,
                                        const char *date, const char *notes, const ag_corpus *const *corpora,
                                        const char *const *inner_paths, size_t n, bool replace, ag_error *err)
{
    /* Everything but the SQL before the write lock: the lock is held only
       as long as the inserts take. */
    ag_store_prepared *p = NULL;
    ag_status st = ag_store_prepare_release_binaries(library, version, date, notes, corpora, inner_paths, n, &p,
                                                     err);
    if (st == AG_OK)
        st = ag_store_add_prepared(s, p, replace, err);
    ag_store_prepared_free(p);
    return st;
}

ag_status ag_store_add_release(ag_store *s, const char *library, const char *version,
                               const char *date, const char *notes, const ag_corpus *c,
                               bool replace, ag_error *err)
{
    return ag_store_add_release_binaries(s, library, version, date, notes, &c, NULL, 1, replace, err);
}

/* ================================================================== */
/* Loading                                                             */

/* Columns of the binaries query in binary_document. */
enum {
    B_ID, B_FILE_NAME, B_SONAME, B_ELF_TYPE, B_MACHINE, B_CLASS, B_BYTE_ORDER, B_BUILD_ID,
    B_SHA256, B_NEEDED, B_RUNPATH, B_RPATH, B_VERSION_DEFS, B_RELRO /* ... 7 flags */,
    B_DEBUG_INFO = B_RELRO + 7, B_DEBUG_SOURCE, B_DWARF_VERSION, B_SKIPPED, B_SURFACE
};

static json_t *column_json_string(sqlite3_stmt *b, int i)
{
    if (sqlite3_column_type(b, i) == SQLITE_NULL)
        return json_null();
    return json_string((const char *)sqlite3_column_text(b, i));
}

static json_t *column_json_parsed(sqlite3_stmt *b, int i)
{
    const char *text = (const char *)sqlite3_column_text(b, i);
    json_error_t jerr;
    return text ? json_loads(text, JSON_DECODE_ANY, &jerr) : NULL;
}

/* The document's scalar part, "{...}" without its closing brace, so the
   arrays can be appended as stored text. */
static ag_status document_head(sqlite3_stmt *b, sbuf *out, bool *debug_info, ag_error *err)
{
    json_t *root = json_object(), *elf = json_object(), *hard = json_object();
    json_t *needed = column_json_parsed(b, B_NEEDED);
    json_t *vdefs = column_json_parsed(b, B_VERSION_DEFS);
    json_t *skipped = column_json_parsed(b, B_SKIPPED);
    bool has_surface = sqlite3_column_type(b, B_SURFACE) != SQLITE_NULL;
    json_t *surface = has_surface ? column_json_parsed(b, B_SURFACE) : NULL;
    json_object_set_new(elf, "file_name", column_json_string(b, B_FILE_NAME));
    json_object_set_new(elf, "soname", column_json_string(b, B_SONAME));
    json_object_set_new(elf, "elf_type", column_json_string(b, B_ELF_TYPE));
    json_object_set_new(elf, "machine", column_json_string(b, B_MACHINE));
    json_object_set_new(elf, "class", json_integer(sqlite3_column_int64(b, B_CLASS)));
    json_object_set_new(elf, "byte_order", column_json_string(b, B_BYTE_ORDER));
    json_object_set_new(elf, "build_id", column_json_string(b, B_BUILD_ID));
    json_object_set_new(elf, "sha256", column_json_string(b, B_SHA256));
    json_object_set_new(elf, "runpath", column_json_string(b, B_RUNPATH));
    json_object_set_new(elf, "rpath", column_json_string(b, B_RPATH));
    json_object_set(elf, "needed", needed);
    json_object_set(elf, "version_defs", vdefs);
    for (int f = 0; f < 7; f++)
        json_object_set_new(hard, HARDENING_FLAGS[f], json_boolean(sqlite3_column_int(b, B_RELRO + f)));
    json_object_set(elf, "hardening", hard);
    *debug_info = sqlite3_column_int(b, B_DEBUG_INFO) != 0;
    json_object_set_new(root, "format", json_string(AG_CORPUS_FORMAT));
    json_object_set(root, "elf", elf);
    json_object_set_new(root, "debug_info", json_boolean(*debug_info));
    json_object_set_new(root, "debug_source", column_json_string(b, B_DEBUG_SOURCE));
    json_object_set_new(root, "dwarf_version", json_integer(sqlite3_column_int64(b, B_DWARF_VERSION)));
    json_object_set(root, "skipped", skipped);
    if (surface)
        json_object_set(root, "surface", surface);
    /* A NULL anywhere above (no memory) leaves a key out; from_json then
       rejects the document, so the check below can stay coarse. */
    char *text = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    ag_status st = AG_OK;
    if (!needed || !vdefs || !skipped || (has_surface && !surface))
        st = ag_fail(err, AG_ERR_FORMAT, "the database is damaged: a binary's JSON column does not parse");
    else if (!text || text[0] != '{' || text[strlen(text) - 1] != '}')
        st = nomem(err);
    else
        sb_add(out, text, strlen(text) - 1);
    free(text);
    json_decref(needed);
    json_decref(vdefs);
    json_decref(skipped);
    json_decref(surface);
    json_decref(hard);
    json_decref(elf);
    json_decref(root);
    return st;
}

static ag_status append_array(ag_store *s, const array_table *t, int64_t binary_id, const char *label,
                              sbuf *out, ag_error *err)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT l.position, c.json FROM %s l LEFT JOIN %s c ON c.hash = l.hash"
             " WHERE l.binary_id = ?1 ORDER BY l.position", t->link, t->content);
    sqlite3_stmt *st;
    ag_status status = prepare(s, sql, &st, err, "cannot read the release");
    if (status != AG_OK)
        return status;
    sqlite3_bind_int64(st, 1, binary_id);
    sb_str(out, ",\"");
    sb_str(out, t->key);
    sb_str(out, "\":[");
    int rc;
    size_t n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
            status = ag_fail(err, AG_ERR_FORMAT, "the database is damaged: %s[%lld] of %s is missing",
                             t->key, (long long)sqlite3_column_int64(st, 0), label);
            break;
        }
        if (n++)
            sb_add(out, ",", 1);
        sb_add(out, (const char *)sqlite3_column_text(st, 1), (size_t)sqlite3_column_bytes(st, 1));
    }
    if (status == AG_OK && rc != SQLITE_DONE)
        status = store_db_fail(s->db, err, "cannot read the release");
    sb_add(out, "]", 1);
    sqlite3_finalize(st);
    return status;
}

/* The canonical text of one binary (binaries.id), before validation. */
static ag_status binary_document(ag_store *s, int64_t wanted_id, const char *label, sbuf *doc,
                                 ag_error *err)
{
    static const char *const sql =
        "SELECT id, file_name, soname, elf_type, machine, elf_class, byte_order,"
        " build_id, sha256, needed, runpath, rpath, version_defs,"
        " relro, bind_now, stack_protector, exec_stack, static_tls, cet_ibt, cet_shstk,"
        " has_debug_info, debug_source, dwarf_version, skipped, surface"
        " FROM binaries WHERE id = ?1";
    sqlite3_stmt *b;
    ag_status st = prepare(s, sql, &b, err, "cannot read the release");
    if (st != AG_OK)
        return st;
    sqlite3_bind_int64(b, 1, wanted_id);
    int rc = sqlite3_step(b);
    bool debug_info = false;
    int64_t binary_id = 0;
    if (rc == SQLITE_ROW) {
        binary_id = sqlite3_column_int64(b, B_ID);
        st = document_head(b, doc, &debug_info, err);
    } else if (rc == SQLITE_DONE) {
        st = ag_fail(err, AG_ERR_FORMAT, "the database is damaged: %s has no binary", label);
    } else {
        st = store_db_fail(s->db, err, "cannot read the release");
    }
    sqlite3_finalize(b);
    for (size_t a = 0; st == AG_OK && a < N_ARRAYS; a++) {
        if (ARRAYS[a].debug_part && !debug_info) {
            sb_str(doc, ",\"");
            sb_str(doc, ARRAYS[a].key);
            sb_str(doc, "\":null");
            continue;
        }
        st = append_array(s, &ARRAYS[a], binary_id, label, doc, err);
    }
    sb_add(doc, "}", 1);
    if (st == AG_OK && doc->failed)
        st = nomem(err);
    return st;
}

/* The id of a release's first binary. */
static ag_status first_binary(ag_store *s, int64_t release_id, const char *label, int64_t *binary_id,
                              ag_error *err)
{
    sqlite3_stmt *q;
    ag_status st = prepare(s, "SELECT id FROM binaries WHERE release_id = ?1 ORDER BY position LIMIT 1", &q, err,
                           "cannot read the release");
    if (st != AG_OK)
        return st;
    sqlite3_bind_int64(q, 1, release_id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *binary_id = sqlite3_column_int64(q, 0);
    else if (rc == SQLITE_DONE)
        st = ag_fail(err, AG_ERR_FORMAT, "the database is damaged: %s has no binary", label);
    else
        st = store_db_fail(s->db, err, "cannot read the release");
    sqlite3_finalize(q);
    return st;
}

ag_status store_load_release_id(ag_store *s, int64_t release_id, const char *label,
                                ag_corpus **out, ag_error *err)
{
    *out = NULL;
    int64_t binary_id = 0;
    ag_status st = first_binary(s, release_id, label, &binary_id, err);
    return st == AG_OK ? store_load_binary_id(s, binary_id, label, out, err) : st;
}

ag_status store_load_binary_id(ag_store *s, int64_t binary_id, const char *label, ag_corpus **out,
                               ag_error *err)
{
    *out = NULL;
    sbuf doc = { 0 };
    bool own = false;
    /* One read transaction: a concurrent replace cannot mix two versions
       of the release into one document. */
    ag_status st = s->in_tx ? AG_OK : exec(s->db, "BEGIN", err, "cannot read the release");
    own = !s->in_tx && st == AG_OK;
    if (st == AG_OK)
        st = binary_document(s, binary_id, label, &doc, err);
    if (own)
        sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    /* Reading a corpus costs about one unit per element; its text is a
       good measure of that. */
    if (st == AG_OK)
        st = ag_budget_charge(s->budget, doc.len / 256 + 1, err);
    if (st == AG_OK) {
        ag_error inner;
        st = ag_corpus_from_json(doc.data, doc.len, out, &inner);
        if (st != AG_OK)
            ag_fail(err, st, "the database is damaged: %s does not read back: %s", label, inner.msg);
    }
    free(doc.data);
    return st;
}

/* ------------------------------------------------------------------ */
/* The binaries of a release                                           */

/* The inner_path column, or NULL in a read-only database of an older
   schema (AG_STORE_SCHEMA_READ_MIN). */
static const char *inner_path_column(const ag_store *s)
{
    return s->schema >= 4 ? "inner_path" : "NULL";
}

const char *ag_store_binary_name(const ag_store_binary *b)
{
    return b->soname ? b->soname : b->file_name;
}

static void binaries_clear(ag_store_binary *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].inner_path);
        free(v[i].file_name);
        free(v[i].soname);
        free(v[i].build_id);
        free(v[i].machine);
    }
}

void ag_store_binaries_free(ag_store_binary *v, size_t n)
{
    binaries_clear(v, n);
    free(v);
}

static ag_status binaries_of(ag_store *s, int64_t release_id, ag_store_binary **out, size_t *n, ag_error *err)
{
    *out = NULL;
    *n = 0;
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT id, %s, file_name, soname, build_id, machine, has_debug_info,"
             " n_exports, n_imports, n_functions, n_variables, n_types"
             " FROM binaries WHERE release_id = ?1 ORDER BY position", inner_path_column(s));
    sqlite3_stmt *q;
    ag_status st = prepare(s, sql, &q, err, "cannot read the release");
    if (st != AG_OK)
        return st;
    sqlite3_bind_int64(q, 1, release_id);
    ag_store_binary *v = NULL;
    size_t count = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? 2 * cap : 4;
            ag_store_binary *bigger = realloc(v, cap * sizeof *v);
            if (!bigger) {
                st = nomem(err);
                break;
            }
            v = bigger;
        }
        ag_store_binary *b = &v[count++];
        memset(b, 0, sizeof *b);
        b->id = sqlite3_column_int64(q, 0);
        b->inner_path = column_dup(q, 1);
        b->file_name = column_dup(q, 2);
        b->soname = column_dup(q, 3);
        b->build_id = column_dup(q, 4);
        b->machine = column_dup(q, 5);
        b->has_debug_info = sqlite3_column_int(q, 6) != 0;
        b->n_exports = (size_t)sqlite3_column_int64(q, 7);
        b->n_imports = (size_t)sqlite3_column_int64(q, 8);
        b->n_functions = (size_t)sqlite3_column_int64(q, 9);
        b->n_variables = (size_t)sqlite3_column_int64(q, 10);
        b->n_types = (size_t)sqlite3_column_int64(q, 11);
        if (!b->file_name || !b->machine) {
            st = nomem(err);
            break;
        }
    }
    if (st == AG_OK && rc != SQLITE_DONE)
        st = store_db_fail(s->db, err, "cannot read the release");
    sqlite3_finalize(q);
    if (st != AG_OK) {
        ag_store_binaries_free(v, count);
        return st;
    }
    *out = v;
    *n = count;
    return AG_OK;
}

/* "a, b, c" of the binaries' names, cut short for a message. */
static void binary_names(const ag_store_binary *v, size_t n, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && len + 1 < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", ag_store_binary_name(&v[i]));
    if (len >= size && size > 4)
        strcpy(buf + size - 4, "...");
}

static bool binary_matches(const ag_store_binary *b, const char *sel)
{
    if (b->soname && strcmp(b->soname, sel) == 0)
        return true;
    if (strcmp(b->file_name, sel) == 0)
        return true;
    if (!b->inner_path)
        return false;
    const char *slash = strrchr(b->inner_path, '/');
    return strcmp(b->inner_path, sel) == 0 || (slash && strcmp(slash + 1, sel) == 0);
}

ag_status store_resolve(ag_store *s, const char *library, const char *version, int64_t *release_id,
                        int64_t *binary_id, ag_error *err)
{
    *binary_id = -1;
    ag_error whole = { .msg = "" };
    ag_status st = store_find_release(s, library, version, release_id, &whole);
    const char *colon = strrchr(version, ':');
    if (st != AG_ERR_NOTFOUND || !colon || colon == version || !colon[1]) {
        if (st != AG_OK)
            *err = whole;
        return st;
    }
    /* "V:BINARY": the release V, then its binary. */
    char *v = strndup(version, (size_t)(colon - version));
    if (!v)
        return nomem(err);
    st = store_find_release(s, library, v, release_id, err);
    ag_store_binary *bins = NULL;
    size_t n = 0;
    if (st == AG_OK)
        st = binaries_of(s, *release_id, &bins, &n, err);
    for (size_t i = 0; st == AG_OK && i < n && *binary_id < 0; i++)
        if (binary_matches(&bins[i], colon + 1))
            *binary_id = bins[i].id;
    if (st == AG_OK && *binary_id < 0) {
        char names[400];
        binary_names(bins, n, names, sizeof names);
        st = ag_fail(err, AG_ERR_NOTFOUND, "%s@%s has no binary '%s' (it has %s)", library, v, colon + 1, names);
    }
    ag_store_binaries_free(bins, n);
    free(v);
    return st;
}

ag_status ag_store_list_binaries(ag_store *s, const char *library, const char *version, ag_store_binary **out,
                                 size_t *n, ag_error *err)
{
    *out = NULL;
    *n = 0;
    int64_t rel_id, bin_id;
    ag_status st = store_resolve(s, library, version, &rel_id, &bin_id, err);
    if (st != AG_OK)
        return st;
    st = binaries_of(s, rel_id, out, n, err);
    if (st != AG_OK || bin_id < 0)
        return st;
    /* V:BINARY lists that one. */
    for (size_t i = 0; i < *n; i++) {
        if ((*out)[i].id == bin_id) {
            ag_store_binary one = (*out)[i];
            (*out)[i] = (*out)[0];
            (*out)[0] = one;
        }
    }
    binaries_clear(*out + 1, *n - 1);
    *n = 1;
    return AG_OK;
}

ag_status ag_store_load(ag_store *s, const char *library, const char *version,
                        ag_corpus **out, ag_error *err)
{
    *out = NULL;
    int64_t id, bin_id;
    ag_status st = store_resolve(s, library, version, &id, &bin_id, err);
    if (st != AG_OK)
        return st;
    char label[512];
    snprintf(label, sizeof label, "%s@%s", library, version);
    if (bin_id >= 0)
        return store_load_binary_id(s, bin_id, label, out, err);
    ag_store_binary *bins = NULL;
    size_t n = 0;
    if ((st = binaries_of(s, id, &bins, &n, err)) != AG_OK)
        return st;
    if (n == 1) {
        st = store_load_binary_id(s, bins[0].id, label, out, err);
    } else if (n == 0) {
        st = ag_fail(err, AG_ERR_FORMAT, "the database is damaged: %s has no binary", label);
    } else {
        char names[400];
        binary_names(bins, n, names, sizeof names);
        st = ag_fail(err, AG_ERR_USAGE, "%s has %zu binaries (%s); name one as %s:SONAME", label, n, names, label);
    }
    ag_store_binaries_free(bins, n);
    return st;
}

void ag_store_loaded_release_free(ag_store_loaded_release *r)
{
    for (size_t i = 0; r && i < r->n; i++) {
        ag_corpus_free(r->corpora[i]);
        free(r->inner_paths[i]);
    }
    if (r) {
        free(r->corpora);
        free(r->inner_paths);
        memset(r, 0, sizeof *r);
    }
}

ag_status store_load_release_binaries(ag_store *s, int64_t release_id, const char *label,
                                      ag_store_loaded_release *out, ag_error *err)
{
    memset(out, 0, sizeof *out);
    ag_store_binary *bins = NULL;
    size_t n = 0;
    ag_status st = binaries_of(s, release_id, &bins, &n, err);
    if (st == AG_OK && n == 0)
        st = ag_fail(err, AG_ERR_FORMAT, "the database is damaged: %s has no binary", label);
    if (st == AG_OK) {
        out->corpora = calloc(n, sizeof *out->corpora);
        out->inner_paths = calloc(n, sizeof *out->inner_paths);
        if (!out->corpora || !out->inner_paths)
            st = nomem(err);
    }
    for (size_t i = 0; st == AG_OK && i < n; i++) {
        char one[640];
        snprintf(one, sizeof one, "%s:%s", label, ag_store_binary_name(&bins[i]));
        st = store_load_binary_id(s, bins[i].id, n > 1 ? one : label, &out->corpora[i], err);
        out->inner_paths[i] = bins[i].inner_path;
        bins[i].inner_path = NULL;
        out->n = i + 1;
    }
    ag_store_binaries_free(bins, n);
    if (st != AG_OK)
        ag_store_loaded_release_free(out);
    return st;
}

ag_status ag_store_load_release(ag_store *s, const char *library, const char *version,
                                ag_store_loaded_release *out, ag_error *err)
{
    memset(out, 0, sizeof *out);
    int64_t id, bin_id;
    ag_status st = store_resolve(s, library, version, &id, &bin_id, err);
    if (st != AG_OK)
        return st;
    char label[512];
    snprintf(label, sizeof label, "%s@%s", library, version);
    if (bin_id < 0)
        return store_load_release_binaries(s, id, label, out, err);
    /* V:BINARY: a release of that one binary. */
    ag_store_binary *bins = NULL;
    size_t n = 0;
    if ((st = ag_store_list_binaries(s, library, version, &bins, &n, err)) != AG_OK)
        return st;
    out->corpora = calloc(1, sizeof *out->corpora);
    out->inner_paths = calloc(1, sizeof *out->inner_paths);
    if (!out->corpora || !out->inner_paths)
        st = nomem(err);
    if (st == AG_OK && (st = store_load_binary_id(s, bin_id, label, &out->corpora[0], err)) == AG_OK) {
        out->inner_paths[0] = bins[0].inner_path;
        bins[0].inner_path = NULL;
        out->n = 1;
    }
    ag_store_binaries_free(bins, n);
    if (st != AG_OK) {
        free(out->corpora);
        free(out->inner_paths);
        memset(out, 0, sizeof *out);
    }
    return st;
}

ag_status ag_store_export_json(ag_store *s, const char *library, const char *version,
                               char **json, ag_error *err)
{
    *json = NULL;
    ag_corpus *c;
    ag_status st = ag_store_load(s, library, version, &c, err);
    if (st != AG_OK)
        return st;
    *json = ag_corpus_to_json(c, err);
    ag_corpus_free(c);
    return *json ? AG_OK : AG_ERR_NOMEM;
}

ag_status ag_store_release_matches(ag_store *s, const char *library, const char *version,
                                   const ag_corpus *c, bool *exists, bool *same, ag_error *err)
{
    *exists = *same = false;
    int64_t id;
    ag_error ignored;
    if (store_find_release(s, library, version, &id, &ignored) != AG_OK)
        return AG_OK;
    *exists = true;
    char *stored = NULL;
    ag_status st = ag_store_export_json(s, library, version, &stored, err);
    if (st != AG_OK)
        return st;
    char *mine = ag_corpus_to_json(c, err);
    if (!mine) {
        free(stored);
        return AG_ERR_FORMAT;
    }
    *same = strcmp(stored, mine) == 0;
    free(stored);
    free(mine);
    return AG_OK;
}

ag_status ag_store_load_ref(const char *db_path, const char *ref, ag_corpus **out, ag_error *err)
{
    *out = NULL;
    char *name, *version;
    ag_status st = ag_store_parse_ref(ref, &name, &version, err);
    if (st != AG_OK)
        return st;
    const char *path = ag_store_default_path(db_path);
    ag_store *s = NULL;
    ag_error inner;
    st = ag_store_open_readonly(path, &s, &inner);
    if (st == AG_OK)
        st = ag_store_load(s, name, version, out, &inner);
    if (st != AG_OK)
        ag_fail(err, st, "%s: %s", path, inner.msg);
    ag_store_close(s);
    free(name);
    free(version);
    return st;
}

/* ================================================================== */
/* Removing and listing                                                */

ag_status ag_store_remove_release(ag_store *s, const char *library, const char *version,
                                  ag_error *err)
{
    const char *doing = "cannot remove the release";
    bool own;
    ag_status st = store_tx_begin(s, &own, err);
    if (st != AG_OK)
        return st;
    int64_t id = 0;
    st = store_find_release(s, library, version, &id, err);
    sqlite3_stmt *del = NULL;
    if (st == AG_OK)
        st = prepare(s, "DELETE FROM releases WHERE id = ?1", &del, err, doing);
    if (st == AG_OK) {
        sqlite3_bind_int64(del, 1, id);
        st = step_done(s, del, err, doing);
    }
    sqlite3_finalize(del);
    del = NULL;
    if (st == AG_OK)
        st = prepare(s, "DELETE FROM libraries WHERE name = ?1 AND NOT EXISTS"
                        " (SELECT 1 FROM releases r WHERE r.library_id = libraries.id)",
                     &del, err, doing);
    if (st == AG_OK) {
        bind_text(del, 1, library);
        st = step_done(s, del, err, doing);
    }
    sqlite3_finalize(del);
    if (st == AG_OK)
        st = collect_garbage(s, err);
    return store_tx_end(s, own, st, err);
}

void ag_store_releases_free(ag_store_release *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].library);
        free(v[i].version);
        free(v[i].date);
        free(v[i].notes);
        free(v[i].created);
        free(v[i].file_name);
        free(v[i].soname);
        free(v[i].build_id);
    }
    free(v);
}

static int cmp_release(const void *pa, const void *pb)
{
    const ag_store_release *a = pa, *b = pb;
    int d = strcmp(a->library, b->library);
    if (!d)
        d = ag_version_compare(a->version, b->version);
    if (!d)
        d = (a->id > b->id) - (a->id < b->id);
    return d;
}

static ag_status library_exists(ag_store *s, const char *library, bool *exists, ag_error *err)
{
    sqlite3_stmt *st;
    ag_status status = prepare(s, "SELECT 1 FROM libraries WHERE name = ?1", &st, err,
                               "cannot read the database");
    if (status != AG_OK)
        return status;
    bind_text(st, 1, library);
    int rc = sqlite3_step(st);
    *exists = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        status = store_db_fail(s->db, err, "cannot read the database");
    sqlite3_finalize(st);
    return status;
}

ag_status ag_store_list_releases(ag_store *s, const char *library, ag_store_release **out,
                                 size_t *n, ag_error *err)
{
    static const char *const sql =
        "SELECT r.id, l.name, r.version, r.date, r.notes, r.created,"
        " (SELECT count(*) FROM binaries x WHERE x.release_id = r.id),"
        " b.file_name, b.soname, b.build_id, b.has_debug_info,"
        " b.n_exports, b.n_imports, b.n_functions, b.n_variables, b.n_types"
        " FROM releases r JOIN libraries l ON l.id = r.library_id"
        " LEFT JOIN binaries b ON b.release_id = r.id AND b.position ="
        "  (SELECT min(position) FROM binaries y WHERE y.release_id = r.id)"
        " WHERE ?1 IS NULL OR l.name = ?1";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    ag_status status = prepare(s, sql, &st, err, "cannot read the database");
    if (status != AG_OK)
        return status;
    bind_text(st, 1, library);
    ag_store_release *v = NULL;
    size_t count = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            ag_store_release *bigger = realloc(v, cap * sizeof *v);
            if (!bigger) {
                status = nomem(err);
                break;
            }
            v = bigger;
        }
        ag_store_release *r = &v[count++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(st, 0);
        r->library = column_dup(st, 1);
        r->version = column_dup(st, 2);
        r->date = column_dup(st, 3);
        r->notes = column_dup(st, 4);
        r->created = column_dup(st, 5);
        r->n_binaries = (size_t)sqlite3_column_int64(st, 6);
        r->file_name = column_dup(st, 7);
        r->soname = column_dup(st, 8);
        r->build_id = column_dup(st, 9);
        r->has_debug_info = sqlite3_column_int(st, 10) != 0;
        r->n_exports = (size_t)sqlite3_column_int64(st, 11);
        r->n_imports = (size_t)sqlite3_column_int64(st, 12);
        r->n_functions = (size_t)sqlite3_column_int64(st, 13);
        r->n_variables = (size_t)sqlite3_column_int64(st, 14);
        r->n_types = (size_t)sqlite3_column_int64(st, 15);
        if (!r->library || !r->version || !r->created) {
            status = nomem(err);
            break;
        }
    }
    if (status == AG_OK && rc != SQLITE_DONE)
        status = store_db_fail(s->db, err, "cannot read the database");
    sqlite3_finalize(st);
    if (status == AG_OK && library && count == 0) {
        bool exists = false;
        status = library_exists(s, library, &exists, err);
        if (status == AG_OK && !exists)
            status = ag_fail(err, AG_ERR_NOTFOUND, "no library %s", library);
    }
    if (status != AG_OK) {
        ag_store_releases_free(v, count);
        return status;
    }
    if (count)
        qsort(v, count, sizeof *v, cmp_release);
    *out = v;
    *n = count;
    return AG_OK;
}

void ag_store_libraries_free(ag_store_library *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].name);
        free(v[i].latest_version);
        free(v[i].latest_soname);
    }
    free(v);
}

ag_status ag_store_list_libraries(ag_store *s, ag_store_library **out, size_t *n, ag_error *err)
{
    *out = NULL;
    *n = 0;
    ag_store_release *rels;
    size_t n_rels;
    ag_status st = ag_store_list_releases(s, NULL, &rels, &n_rels, err);
    if (st != AG_OK)
        return st;
    ag_store_library *v = calloc(n_rels ? n_rels : 1, sizeof *v);
    size_t count = 0;
    if (!v)
        st = nomem(err);
    /* Releases come sorted by library, then version: the last of each run
       is the latest. */
    for (size_t i = 0; st == AG_OK && i < n_rels; i++) {
        if (count == 0 || strcmp(v[count - 1].name, rels[i].library) != 0) {
            if (!(v[count].name = strdup(rels[i].library))) {
                st = nomem(err);
                break;
            }
            count++;
        }
        ag_store_library *lib = &v[count - 1];
        lib->n_releases++;
        free(lib->latest_version);
        free(lib->latest_soname);
        lib->latest_version = strdup(rels[i].version);
        lib->latest_soname = dup_or_null(rels[i].soname);
        if (!lib->latest_version || (rels[i].soname && !lib->latest_soname))
            st = nomem(err);
    }
    ag_store_releases_free(rels, n_rels);
    if (st != AG_OK) {
        ag_store_libraries_free(v, count);
        return st;
    }
    *out = v;
    *n = count;
    return AG_OK;
}
