/*
 * test_store_safety.c — the store refuses to write into a damaged database
 * and reads what it cannot write (issue 11, items 19-20), through the
 * built CLI: a page of an index that `add` (or a history's verdict cache)
 * never touches is overwritten, so only the integrity check can notice;
 * the command must refuse and leave the file byte for byte as it was. And
 * on a read-only tmpfs, with and without -wal/-shm files, every read
 * command works and every write fails with a clear message.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool_run.h"

#define LIBDIR "/usr/lib/x86_64-linux-gnu/"
#define LUA53 LIBDIR "liblua5.3.so.0"
#define LUA54 LIBDIR "liblua5.4.so.0"

TestSuite(store_safety, .timeout = 120 * SANITIZER_SLOWDOWN);

static void run_ok(const char *what, tool_run *r)
{
    cr_assert(r->exited && r->exit_status == 0, "%s: %s\n%s", what, tool_run_outcome(r), r->err);
}

static void add_release(const char *db, const char *lib, const char *ver)
{
    tool_run r;
    cr_assert(run_abiguard(&r, "add", lib, "--library", "lua", "--version", ver, "--db", db, NULL));
    run_ok("add", &r);
    tool_run_free(&r);
}

static void sql(const char *db, const char *stmt)
{
    sqlite3 *h = NULL;
    cr_assert(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK);
    char *msg = NULL;
    cr_assert(sqlite3_exec(h, stmt, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", stmt, msg ? msg : "");
    cr_assert(sqlite3_close(h) == SQLITE_OK);
}

static long long sql_int(const char *db, const char *query)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *q = NULL;
    cr_assert(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    cr_assert(sqlite3_prepare_v2(h, query, -1, &q, NULL) == SQLITE_OK, "%s: %s", query, sqlite3_errmsg(h));
    cr_assert(sqlite3_step(q) == SQLITE_ROW, "%s: no row", query);
    long long v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(h);
    return v;
}

/* Overwrites the root page of an index with garbage. */
static void damage_index(const char *db, const char *index)
{
    char q[256];
    snprintf(q, sizeof q, "SELECT rootpage FROM sqlite_schema WHERE type = 'index' AND name = '%s'", index);
    long long page = sql_int(db, q), size = sql_int(db, "PRAGMA page_size");
    cr_assert(page > 1);
    int fd = open(db, O_WRONLY);
    cr_assert(fd >= 0);
    char *junk = malloc((size_t)size);
    cr_assert(junk);
    memset(junk, 0x5a, (size_t)size);
    cr_assert(pwrite(fd, junk, (size_t)size, (off_t)((page - 1) * size)) == size);
    free(junk);
    close(fd);
}

/* lua 5.3.6 and 5.4.4 in a fresh database whose last integrity check is
   two hours old (longer ago than AG_STORE_CHECK_INTERVAL_S), closed
   cleanly (no -wal left). */
static char *damaged_candidate(const char *dir, const char *name)
{
    char *db = path_join2(dir, name);
    add_release(db, LUA53, "5.3.6");
    add_release(db, LUA54, "5.4.4");
    long long checked = sql_int(db, "SELECT count(*) FROM integrity_checks");
    cr_assert_eq(checked, 1, "the passing check is recorded");
    sql(db, "UPDATE integrity_checks SET checked_at = checked_at - 7200");
    return db;
}

static char *suffixed(const char *path, const char *suffix)
{
    char *p = NULL;
    cr_assert(asprintf(&p, "%s%s", path, suffix) >= 0);
    return p;
}

/* The database file, its -wal (if any, non-empty) as they are now. */
static char *snapshot(const char *db, size_t *len)
{
    char *bytes = read_whole_file(db, len);
    cr_assert(bytes);
    char *wal = suffixed(db, "-wal");
    size_t wal_len = 0;
    char *w = read_whole_file(wal, &wal_len);
    cr_assert(!w || wal_len == 0, "a -wal with content is left");
    free(w);
    free(wal);
    return bytes;
}

static void expect_unchanged(const char *db, const char *before, size_t len, const char *what)
{
    size_t now_len;
    char *now = snapshot(db, &now_len);
    cr_assert(now_len == len && memcmp(now, before, len) == 0, "%s changed the damaged database", what);
    free(now);
}

Test(store_safety, add_refuses_a_damaged_database_and_leaves_it_as_it_was)
{
    char *dir = make_temp_dir();
    char *db = damaged_candidate(dir, "store.db");
    damage_index(db, "diff_cache_new"); /* add never reads or writes the diff cache */
    size_t len;
    char *before = snapshot(db, &len);
    tool_run r;
    cr_assert(run_abiguard(&r, "add", LUA53, "--library", "lua", "--version", "9", "--db", db, NULL));
    cr_assert(r.exited && r.exit_status == 1, "add into a damaged database: %s\n%s", tool_run_outcome(&r), r.err);
    cr_assert(strstr(r.err, "damaged") && strstr(r.err, "nothing was written"), "%s", r.err);
    cr_assert_eq(count_lines(r.err), 1, "one line of error: %s", r.err);
    tool_run_free(&r);
    expect_unchanged(db, before, len, "add");
    /* so does a removal, and an import */
    cr_assert(run_abiguard(&r, "rm", "lua@5.3.6", "--db", db, NULL));
    cr_assert(r.exited && r.exit_status == 1 && strstr(r.err, "damaged"), "%s", r.err);
    tool_run_free(&r);
    expect_unchanged(db, before, len, "rm");
    free(before);
    free(db);
    remove_tree(dir);
    free(dir);
}

Test(store_safety, verdict_caches_are_not_written_into_a_damaged_database)
{
    char *dir = make_temp_dir();
    char *db = damaged_candidate(dir, "store.db");
    damage_index(db, "binaries_build_id"); /* history reads by release, never by build-id */
    size_t len;
    char *before = snapshot(db, &len);
    tool_run r;
    cr_assert(run_abiguard(&r, "history", "lua", "--db", db, NULL));
    run_ok("history", &r); /* the answer is still right, only not remembered */
    cr_assert(strstr(r.out, "5.4.4") && strstr(r.out, "breaking"), "%s", r.out);
    tool_run_free(&r);
    expect_unchanged(db, before, len, "history");
    cr_assert(run_abiguard(&r, "diff", "lua@5.3.6", "lua@5.4.4", "--db", db, NULL));
    cr_assert(r.exited && r.exit_status == 12, "%s\n%s", tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    expect_unchanged(db, before, len, "diff");
    free(before);
    free(db);
    remove_tree(dir);
    free(dir);
}

Test(store_safety, a_sound_database_is_checked_once_and_written)
{
    char *dir = make_temp_dir();
    char *db = damaged_candidate(dir, "store.db"); /* not damaged: the check passes */
    long long old = sql_int(db, "SELECT checked_at FROM integrity_checks");
    add_release(db, LUA53, "9");
    long long now = sql_int(db, "SELECT checked_at FROM integrity_checks");
    cr_assert(now >= old + 7200, "the passing check is recorded again (%lld -> %lld)", old, now);
    free(db);
    remove_tree(dir);
    free(dir);
}

/* ------------------------------------------------------------------ */
/* Read-only files and mounts                                          */

static bool mount_tmpfs(const char *dir)
{
    return mount_private_tmpfs(dir, "16m");
}

static void remount_ro(const char *dir)
{
    cr_assert(mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0, "remount ro: %s", strerror(errno));
}

static void read_commands_work(const char *db)
{
    struct { const char *argv[8]; int status; const char *needle; } cmds[] = {
        { { "list", NULL }, 0, "lua" },
        { { "list", "lua", NULL }, 0, "5.4.4" },
        { { "history", "lua", NULL }, 0, "breaking" },
        { { "matrix", "lua", NULL }, 0, "5.3.6" },
        { { "export", "lua@5.3.6", NULL }, 0, "abiguard-corpus/1" },
        { { "show", "lua@5.4.4", NULL }, 0, "lua_newstate" },
        { { "diff", "lua@5.3.6", "lua@5.4.4", NULL }, 12, "BREAKING" },
        { { "diff", "lua@5.3.6", "lua@5.4.4", "--format", "json", NULL }, 12, "\"verdict\"" },
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        const char *argv[16] = { abiguard_binary() };
        size_t n = 1;
        for (size_t k = 0; cmds[i].argv[k]; k++)
            argv[n++] = cmds[i].argv[k];
        argv[n++] = "--db";
        argv[n++] = db;
        argv[n] = NULL;
        tool_run r;
        cr_assert(tool_run_argv(argv, 60, &r));
        cr_assert(r.exited && r.exit_status == cmds[i].status, "%s on a read-only store: %s\n%s", cmds[i].argv[0],
                  tool_run_outcome(&r), r.err);
        cr_assert(strstr(r.out, cmds[i].needle), "%s: %s", cmds[i].argv[0], r.out);
        tool_run_free(&r);
    }
}

static void writes_fail_clearly(const char *db)
{
    tool_run r;
    cr_assert(run_abiguard(&r, "rm", "lua@5.3.6", "--db", db, NULL));
    cr_assert(r.exited && r.exit_status == 1 && strstr(r.err, "read-only"), "rm: %s", r.err);
    cr_assert_eq(count_lines(r.err), 1, "%s", r.err);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "add", LUA53, "--library", "lua", "--version", "9", "--db", db, NULL));
    cr_assert(r.exited && r.exit_status == 1 && strstr(r.err, "Read-only file system"), "add: %s", r.err);
    tool_run_free(&r);
}

Test(store_safety, read_commands_work_on_a_read_only_mount)
{
    char *dir = make_temp_dir();
    if (!mount_tmpfs(dir)) {
        int e = errno;
        remove_tree(dir);
        cr_skip_test("cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): %s", strerror(e));
    }
    char *db = path_join2(dir, "store.db");
    add_release(db, LUA53, "5.3.6");
    add_release(db, LUA54, "5.4.4");
    remount_ro(dir);
    read_commands_work(db);
    writes_fail_clearly(db);
    umount2(dir, MNT_DETACH);
    free(db);
    rmdir(dir);
    free(dir);
}

Test(store_safety, a_read_only_mount_with_wal_files_shows_their_content)
{
    char *dir = make_temp_dir(), *src = make_temp_dir();
    if (!mount_tmpfs(dir)) {
        int e = errno;
        remove_tree(dir);
        remove_tree(src);
        cr_skip_test("cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): %s", strerror(e));
    }
    /* A copy taken while a connection holds the database open: the last
       change is only in the -wal. */
    char *db = path_join2(src, "store.db");
    add_release(db, LUA53, "5.3.6");
    add_release(db, LUA54, "5.4.4");
    sqlite3 *h = NULL;
    cr_assert(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK);
    cr_assert(sqlite3_exec(h, "PRAGMA wal_autocheckpoint = 0; UPDATE releases SET notes = 'only-in-wal'", NULL,
                           NULL, NULL) == SQLITE_OK);
    const char *files[] = { "store.db", "store.db-wal", "store.db-shm" };
    for (size_t i = 0; i < 3; i++) {
        char *from = path_join2(src, files[i]), *to = path_join2(dir, files[i]);
        size_t len;
        char *bytes = read_whole_file(from, &len);
        cr_assert(bytes && len > 0, "%s is missing", files[i]);
        cr_assert(write_whole_file(to, bytes, len));
        free(bytes);
        free(from);
        free(to);
    }
    sqlite3_close(h);
    char *copy = path_join2(dir, "store.db");
    remount_ro(dir);
    tool_run r;
    cr_assert(run_abiguard(&r, "list", "lua", "--db", copy, NULL));
    run_ok("list", &r);
    cr_assert(strstr(r.out, "only-in-wal"), "the change in the -wal is not seen:\n%s", r.out);
    tool_run_free(&r);
    read_commands_work(copy);
    writes_fail_clearly(copy);
    umount2(dir, MNT_DETACH);
    rmdir(dir);
    remove_tree(src);
    free(copy);
    free(db);
    free(dir);
    free(src);
}
