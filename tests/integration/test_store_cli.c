/*
 * test_store_cli.c — the store commands as a user runs them (the built
 * abiguard, via tool_run.h): add / list / export (byte-identical to
 * extract) / rm, import-dir of a baselines tree, history and matrix, the
 * error lines for bad input with the database left unchanged, two
 * processes adding at once, and `add` of libgsl killed with SIGKILL at
 * many points, after each of which the database is intact and the release
 * absent or complete.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tool_run.h"

#define LIBDIR "/usr/lib/x86_64-linux-gnu/"
#define LUA51 LIBDIR "liblua5.1.so.0"
#define LUA53 LIBDIR "liblua5.3.so.0"
#define LUA54 LIBDIR "liblua5.4.so.0"
#define GSL LIBDIR "libgsl.so.27"

static void expect_exit(const tool_run *r, int status, const char *what)
{
    cr_assert(r->exited && r->exit_status == status, "%s: expected exit %d, got %s\nstderr: %s", what,
              status, tool_run_outcome(r), r->err);
}

/* Exits with `status` and says exactly one "abiguard: error: " line that
   contains `needle`. */
static void expect_error(const tool_run *r, int status, const char *needle, const char *what)
{
    expect_exit(r, status, what);
    cr_assert(strncmp(r->err, "abiguard: error: ", 17) == 0, "%s: stderr: %s", what, r->err);
    cr_assert(strstr(r->err, needle), "%s: expected '%s' in: %s", what, needle, r->err);
    size_t lines = count_lines(r->err);
    /* Usage errors add the "try 'abiguard CMD --help'" line. */
    cr_assert(lines == 1 || (status == 2 && lines == 2), "%s: %zu lines: %s", what, lines, r->err);
}

/* `abiguard extract LIB` output, the reference a stored release must equal. */
static char *extract_json(const char *lib)
{
    tool_run r;
    cr_assert(run_abiguard(&r, "extract", lib, NULL));
    expect_exit(&r, 0, lib);
    char *out = r.out;
    r.out = NULL;
    tool_run_free(&r);
    return out;
}

static long long query_int(const char *db_path, const char *sql)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static char *integrity_check(const char *db_path)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    char *res = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return res;
}

/* Starts abiguard with argv (NULL-terminated, without the program) and its
   output thrown away; returns the pid. */
static pid_t spawn_abiguard(const char *const args[])
{
    const char *argv[32];
    size_t n = 0;
    argv[n++] = abiguard_binary();
    for (size_t i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t forker = getpid();
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        child_dies_with_parent(forker);
        int fd = open("/dev/null", O_RDWR);
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ */

Test(store_cli, add_list_export_rm)
{
    char *dir = make_temp_dir();
    char *db = path_join2(dir, "abiguard.db");
    char *out = path_join2(dir, "baselines/lua/5.3.json");
    char *ref = extract_json(LUA53);
    tool_run r;

    cr_assert(run_abiguard(&r, "add", LUA53, "--library", "lua", "--version", "5.3", "--date", "2015-01-12",
                           "--notes", "Debian 12", "--db", db, NULL));
    expect_exit(&r, 0, "add");
    cr_assert(strstr(r.out, "added lua@5.3"), "%s", r.out);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "add", LUA54, "--library", "lua", "--version", "5.4", "--db", db, NULL));
    expect_exit(&r, 0, "add 5.4");
    tool_run_free(&r);

    cr_assert(run_abiguard(&r, "list", "--db", db, NULL));
    expect_exit(&r, 0, "list");
    cr_assert(strstr(r.out, "lua") && strstr(r.out, "5.4") && strstr(r.out, "liblua5.4.so.0"), "%s", r.out);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "list", "lua", "--db", db, NULL));
    expect_exit(&r, 0, "list lua");
    cr_assert(strstr(r.out, "2015-01-12") && strstr(r.out, "Debian 12") && strstr(r.out, "liblua5.3.so.0"),
              "%s", r.out);
    tool_run_free(&r);

    /* Export, to stdout and to a new directory tree, is what extract wrote. */
    cr_assert(run_abiguard(&r, "export", "lua@5.3", "--db", db, NULL));
    expect_exit(&r, 0, "export");
    cr_assert(strcmp(r.out, ref) == 0, "export to stdout differs from extract");
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "export", "lua@5.3", "-o", out, "--db", db, NULL));
    expect_exit(&r, 0, "export -o");
    tool_run_free(&r);
    size_t len;
    char *file = read_whole_file(out, &len);
    cr_assert_not_null(file);
    cr_assert(len == strlen(ref) && memcmp(file, ref, len) == 0, "export -o differs from extract");
    free(file);

    /* NAME@V wherever a corpus is: show. */
    cr_assert(run_abiguard(&r, "show", "lua@5.3", "--db", db, NULL));
    expect_exit(&r, 0, "show lua@5.3");
    cr_assert(strstr(r.out, "liblua5.3.so.0"), "%s", r.out);
    tool_run_free(&r);

    /* Bad input: one line, non-zero, database unchanged. */
    char *before = read_whole_file(db, &len);
    size_t before_len = len;
    cr_assert(run_abiguard(&r, "add", LUA53, "--library", "lua", "--version", "5.3", "--db", db, NULL));
    expect_error(&r, 1, "lua@5.3 already exists (use --replace)", "duplicate add");
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "export", "lua@9", "--db", db, NULL));
    expect_error(&r, 1, "no release lua@9 (lua has 5.3, 5.4)", "unknown version");
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "export", "luajit@2", "--db", db, NULL));
    expect_error(&r, 1, "no library luajit", "unknown library");
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "history", "luajit", "--db", db, NULL));
    expect_error(&r, 1, "no library luajit", "history of an unknown library");
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "export", "lua", "--db", db, NULL));
    expect_error(&r, 2, "expected NAME@VERSION", "malformed ref");
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "add", LUA53, "--library", "lua", "--db", db, NULL));
    expect_error(&r, 2, "missing --version", "missing version");
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "add", LUA53, "--library", "lua", "--version", "6", "--date", "2015-02-30",
                           "--db", db, NULL));
    expect_error(&r, 1, "not a valid YYYY-MM-DD date", "bad date");
    tool_run_free(&r);
    char *nofile = path_join2(dir, "missing.json");
    cr_assert(run_abiguard(&r, "import", nofile, "--library", "lua", "--version", "6", "--db", db, NULL));
    expect_error(&r, 1, "cannot open", "import of a missing file");
    tool_run_free(&r);
    free(nofile);
    char *after = read_whole_file(db, &len);
    cr_assert(len == before_len && memcmp(before, after, len) == 0, "bad input changed the database");
    free(after);
    free(before);

    /* Not a database; a corrupt one. */
    cr_assert(run_abiguard(&r, "list", "--db", out, NULL));
    expect_error(&r, 1, "not an abiguard database", "a JSON file as --db");
    tool_run_free(&r);
    char *missing = path_join2(dir, "missing.db");
    cr_assert(run_abiguard(&r, "list", "--db", missing, NULL));
    expect_error(&r, 1, "no such database", "missing database");
    tool_run_free(&r);
    cr_assert(!file_exists(missing), "list created a database");
    free(missing);

    cr_assert(run_abiguard(&r, "rm", "lua@5.3", "--db", db, NULL));
    expect_exit(&r, 0, "rm");
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "rm", "lua@5.3", "--db", db, NULL));
    expect_error(&r, 1, "no release lua@5.3", "rm twice");
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "list", "lua", "--db", db, NULL));
    expect_exit(&r, 0, "list after rm");
    cr_assert(!strstr(r.out, "5.3 "), "%s", r.out);
    tool_run_free(&r);

    /* $ABIGUARD_DB is the default database. */
    setenv("ABIGUARD_DB", db, 1);
    cr_assert(run_abiguard(&r, "list", NULL));
    unsetenv("ABIGUARD_DB");
    expect_exit(&r, 0, "list via $ABIGUARD_DB");
    cr_assert(strstr(r.out, "lua"), "%s", r.out);
    tool_run_free(&r);

    free(ref);
    free(out);
    free(db);
    remove_tree(dir);
    free(dir);
}

Test(store_cli, import_dir_history_matrix)
{
    char *dir = make_temp_dir();
    char *db = path_join2(dir, "a.db");
    char *db2 = path_join2(dir, "b.db");
    char *base = path_join2(dir, "baselines");
    const char *libs[] = { LUA51, LUA53, LUA54 }, *vers[] = { "5.1", "5.3", "5.4" };
    tool_run r;
    for (int i = 0; i < 3; i++) {
        cr_assert(run_abiguard(&r, "add", libs[i], "--library", "lua", "--version", vers[i], "--db", db, NULL));
        expect_exit(&r, 0, "add");
        tool_run_free(&r);
        char ref[32], *path;
        snprintf(ref, sizeof ref, "lua@%s", vers[i]);
        cr_assert(asprintf(&path, "%s/lua/%s.json", base, vers[i]) > 0);
        cr_assert(run_abiguard(&r, "export", ref, "-o", path, "--db", db, NULL));
        expect_exit(&r, 0, "export");
        tool_run_free(&r);
        free(path);
    }
    cr_assert(run_abiguard(&r, "import-dir", base, "--db", db2, NULL));
    expect_exit(&r, 0, "import-dir");
    cr_assert(strstr(r.out, "3 added, 0 replaced, 0 unchanged"), "%s", r.out);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "import-dir", base, "--db", db2, NULL));
    expect_exit(&r, 0, "import-dir again");
    cr_assert(strstr(r.out, "0 added, 0 replaced, 3 unchanged"), "%s", r.out);
    tool_run_free(&r);

    /* A conflicting baseline: nothing is imported, not even the new one. */
    char *conflict, *extra;
    cr_assert(asprintf(&conflict, "%s/lua/5.3.json", base) > 0);
    cr_assert(asprintf(&extra, "%s/zlib/1.0.json", base) > 0);
    size_t len;
    char *v54 = NULL;
    cr_assert(asprintf(&v54, "%s/lua/5.4.json", base) > 0);
    char *text = read_whole_file(v54, &len);
    cr_assert_not_null(text);
    cr_assert(write_whole_file(conflict, text, len));
    char *zdir = path_join2(base, "zlib");
    cr_assert_eq(mkdir(zdir, 0777), 0);
    cr_assert(write_whole_file(extra, text, len));
    free(text);
    long long releases = query_int(db2, "SELECT count(*) FROM releases");
    cr_assert(run_abiguard(&r, "import-dir", base, "--db", db2, NULL));
    expect_error(&r, 1, "lua@5.3 is already stored with different content (use --replace)", "conflict");
    tool_run_free(&r);
    cr_assert_eq(query_int(db2, "SELECT count(*) FROM releases"), releases, "a failed import-dir imported");
    cr_assert(run_abiguard(&r, "import-dir", base, "--replace", "--db", db2, NULL));
    expect_exit(&r, 0, "import-dir --replace");
    cr_assert(strstr(r.out, "1 added, 1 replaced, 2 unchanged"), "%s", r.out);
    tool_run_free(&r);

    cr_assert(run_abiguard(&r, "history", "lua", "--db", db, NULL));
    expect_exit(&r, 0, "history");
    const char *p51 = strstr(r.out, "\n5.1 "), *p53 = strstr(r.out, "\n5.3 "), *p54 = strstr(r.out, "\n5.4 ");
    cr_assert(p51 && p53 && p54 && p51 < p53 && p53 < p54, "history order: %s", r.out);
    cr_assert(strstr(r.out, "liblua5.4.so.0") && strstr(r.out, "breaking"), "%s", r.out);
    tool_run_free(&r);
    cr_assert_eq(query_int(db, "SELECT count(*) FROM diff_cache"), 2);
    cr_assert(run_abiguard(&r, "matrix", "lua", "--db", db, NULL));
    expect_exit(&r, 0, "matrix");
    cr_assert(strstr(r.out, "BREAK") && strstr(r.out, "legend"), "%s", r.out);
    tool_run_free(&r);
    cr_assert_eq(query_int(db, "SELECT count(*) FROM diff_cache"), 6);

    free(zdir);
    free(v54);
    free(conflict);
    free(extra);
    free(base);
    free(db2);
    free(db);
    remove_tree(dir);
    free(dir);
}

/* Both writers queue on the write lock (BEGIN IMMEDIATE + busy timeout),
   including the race to create and migrate a new database. */
Test(store_cli, two_processes_add_at_once)
{
    char *dir = make_temp_dir();
    for (int round = 0; round < 5; round++) {
        char name[32];
        snprintf(name, sizeof name, "race%d.db", round);
        char *db = path_join2(dir, name);
        const char *a[] = { "add", LUA53, "--library", "lua", "--version", "5.3", "--db", db, NULL };
        const char *b[] = { "add", LUA54, "--library", "lua", "--version", "5.4", "--db", db, NULL };
        pid_t pa = spawn_abiguard(a), pb = spawn_abiguard(b);
        int sa, sb;
        cr_assert_eq(waitpid(pa, &sa, 0), pa);
        cr_assert_eq(waitpid(pb, &sb, 0), pb);
        cr_assert(WIFEXITED(sa) && WEXITSTATUS(sa) == 0, "round %d: first add failed (%d)", round, sa);
        cr_assert(WIFEXITED(sb) && WEXITSTATUS(sb) == 0, "round %d: second add failed (%d)", round, sb);
        cr_assert_eq(query_int(db, "SELECT count(*) FROM releases"), 2, "round %d", round);
        char *check = integrity_check(db);
        cr_assert_str_eq(check, "ok");
        free(check);
        free(db);
    }
    remove_tree(dir);
    free(dir);
}

/* SIGKILL at points spread over the whole run of `add` (extraction,
   opening, the transaction, the commit): afterwards the database is
   intact and each release absent or complete. */
Test(store_cli, sigkill_leaves_release_absent_or_complete)
{
    char *dir = make_temp_dir();
    char *db = path_join2(dir, "kill.db");
    char *ref = extract_json(GSL);
    /* How long one add takes here, to spread the kills over it. */
    tool_run r;
    double t0 = now_seconds();
    cr_assert(run_abiguard(&r, "add", GSL, "--library", "gsl", "--version", "ref", "--db", db, NULL));
    double runtime = now_seconds() - t0;
    expect_exit(&r, 0, "reference add");
    tool_run_free(&r);

    const int kills = 20;
    int absent = 0, complete = 0;
    for (int i = 0; i < kills; i++) {
        char version[16];
        snprintf(version, sizeof version, "k%d", i);
        const char *args[] = { "add", GSL, "--library", "gsl", "--version", version, "--db", db, NULL };
        pid_t pid = spawn_abiguard(args);
        /* From 0 to 1.6 x the measured run time (other tests may slow it). */
        useconds_t delay = (useconds_t)(runtime * 1.6 * 1e6 * i / (kills - 1));
        usleep(delay);
        kill(pid, SIGKILL);
        int status;
        cr_assert_eq(waitpid(pid, &status, 0), pid);

        char *check = integrity_check(db);
        cr_assert_str_eq(check, "ok", "after a kill at %.3f s: %s", delay / 1e6, check);
        free(check);
        char ref_name[32];
        snprintf(ref_name, sizeof ref_name, "gsl@%s", version);
        cr_assert(run_abiguard(&r, "export", ref_name, "--db", db, NULL));
        if (r.exited && r.exit_status == 0) {
            cr_assert(strcmp(r.out, ref) == 0, "%s after a kill at %.3f s is incomplete", ref_name, delay / 1e6);
            complete++;
        } else {
            expect_error(&r, 1, "no release", ref_name);
            absent++;
        }
        tool_run_free(&r);
    }
    /* Every release counted is whole: one binary each, all links there. */
    cr_assert_eq(query_int(db, "SELECT count(*) FROM releases"), 1 + complete);
    cr_assert_eq(query_int(db, "SELECT count(*) FROM binaries"), 1 + complete);
    cr_assert_eq(query_int(db, "SELECT count(*) FROM binary_types"),
                 (1 + complete) * query_int(db, "SELECT n_types FROM binaries LIMIT 1"));
    fprintf(stderr, "SIGKILL during add (run time %.2f s): %d kills left the release absent, %d complete\n",
            runtime, absent, complete);
    cr_assert_gt(absent, 0, "no kill landed before the commit");
    free(ref);
    free(db);
    remove_tree(dir);
    free(dir);
}

/* A location abiguard cannot write to: one line, non-zero exit, nothing
   created. Under /proc every user is refused (root included); a 0555
   directory is checked too unless the tests run as root, who may write
   there anyway. */
Test(store_cli, read_only_location)
{
    tool_run r;
    cr_assert(run_abiguard(&r, "add", LUA53, "--library", "lua", "--version", "5.3", "--db",
                           "/proc/abiguard-test.db", NULL));
    expect_error(&r, 1, "cannot open the database", "database under /proc");
    tool_run_free(&r);

    char *dir = make_temp_dir();
    char *ro = path_join2(dir, "ro");
    cr_assert_eq(mkdir(ro, 0555), 0);
    char *probe = path_join2(ro, "probe");
    int fd = open(probe, O_WRONLY | O_CREAT, 0644);
    if (fd >= 0) {
        close(fd);
        unlink(probe);
        fprintf(stderr, "read_only_location: running as root, a 0555 directory is writable; only /proc checked\n");
    } else {
        char *db = path_join2(ro, "abiguard.db");
        cr_assert(run_abiguard(&r, "add", LUA53, "--library", "lua", "--version", "5.3", "--db", db, NULL));
        expect_error(&r, 1, "cannot open the database", "database in a 0555 directory");
        tool_run_free(&r);
        cr_assert(!file_exists(db));
        free(db);
    }
    chmod(ro, 0755);
    free(probe);
    free(ro);
    remove_tree(dir);
    free(dir);
}

/* The public surface given once, at extraction or import, stays with the
   release: extract --headers-dir records it, import --headers-dir gives a
   plain corpus the same one (byte for byte), and a diff of two stored
   releases uses it without the option. */
Test(store_cli, surface_recorded_at_extract_and_import)
{
    char *v1 = fixture_path("diff/headers_public/v1/libheaders_public.so");
    char *v2 = fixture_path("diff/headers_public/v2/libheaders_public.so");
    const char *src = getenv("SOURCE_DIR");
    char *inc = path_join2(src ? src : ".", "tests/fixtures/diff/headers_public/include");
    char *dir = make_temp_dir();
    char *db = path_join2(dir, "s.db"), *plain = path_join2(dir, "v1.json"), *out = path_join2(dir, "out.json");
    tool_run r;
    cr_assert(run_abiguard(&r, "extract", v1, "--headers-dir", inc, NULL));
    expect_exit(&r, 0, "extract --headers-dir");
    char *with_headers = r.out;
    r.out = NULL;
    tool_run_free(&r);
    cr_expect(strstr(with_headers, "\"surface\": {") && strstr(with_headers, "\"v1/hp.h\"") &&
                  strstr(with_headers, "\"public\": true"),
              "the corpus records the surface:\n%.3000s", with_headers);
    cr_assert(run_abiguard(&r, "extract", v1, "-o", plain, NULL));
    expect_exit(&r, 0, "extract");
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "import", plain, "--library", "hp", "--version", "1", "--headers-dir", inc, "--db", db,
                           NULL));
    expect_exit(&r, 0, "import --headers-dir");
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "export", "hp@1", "--db", db, "-o", out, NULL));
    expect_exit(&r, 0, "export");
    tool_run_free(&r);
    char *exported = read_whole_file(out, NULL);
    cr_expect(exported && strcmp(exported, with_headers) == 0,
              "import --headers-dir gives the corpus extract --headers-dir wrote");
    cr_assert(run_abiguard(&r, "add", v2, "--library", "hp", "--version", "2", "--headers-dir", inc, "--db", db, NULL));
    expect_exit(&r, 0, "add --headers-dir");
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "diff", "hp@1", "hp@2", "--format", "json", "--db", db, NULL));
    /* hp_point is public and grows: breaking (expected.txt: headers_public). */
    cr_expect(r.exited && r.exit_status == 12, "diff hp@1 hp@2: %s", tool_run_outcome(&r));
    cr_expect(strstr(r.out, "\"method\": \"headers\"") && strstr(r.out, "struct hp_point") &&
                  !strstr(r.out, "struct hp_engine"),
              "the stored surface decides:\n%s", r.out);
    tool_run_free(&r);
    /* A headers directory that declares nothing of the library is refused
       before the database is touched. */
    char *other = path_join2(src ? src : ".", "tests/fixtures/diff/internal_opaque/include");
    cr_assert(run_abiguard(&r, "add", v2, "--library", "hp", "--version", "3", "--headers-dir", other, "--db", db,
                           NULL));
    expect_error(&r, 1, "no type or function of libheaders_public.so", "add with another library's headers");
    tool_run_free(&r);
    cr_expect_eq(query_int(db, "SELECT count(*) FROM releases"), 2, "the failed add stored nothing");
    free(other);
    free(exported);
    free(with_headers);
    free(out);
    free(plain);
    free(db);
    remove_tree(dir);
    free(dir);
    free(inc);
    free(v1);
    free(v2);
}
