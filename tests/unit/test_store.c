/*
 * test_store.c — the SQLite store (store.c): migrations and the files it
 * must refuse untouched (newer schema, not a database, a foreign database,
 * a corrupt one), a real corpus (liblua5.3) surviving add -> load byte for
 * byte, duplicates and --replace (which drops cached diffs), removal with
 * garbage collection, and the content-addressing bound: fifty releases that
 * each change one struct member cost about one release plus fifty small
 * deltas.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "corpus.h"
#include "corpus_json.h"
#include "extract.h"
#include "store.h"
#include "surface.h"
#include "store_schema.h"

#define LUA53 "/usr/lib/x86_64-linux-gnu/liblua5.3.so.0"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static char *temp_dir(void)
{
    const char *base = getenv("TMPDIR");
    char *path = NULL;
    cr_assert(asprintf(&path, "%s/abiguard-store-XXXXXX", base && *base ? base : "/tmp") > 0);
    cr_assert_not_null(mkdtemp(path), "mkdtemp: %s", strerror(errno));
    return path;
}

static void remove_dir(const char *dir)
{
    char *cmd = NULL;
    cr_assert(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
    cr_assert_eq(system(cmd), 0);
    free(cmd);
}

static char *join(const char *dir, const char *name)
{
    char *p = NULL;
    cr_assert(asprintf(&p, "%s/%s", dir, name) > 0);
    return p;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    cr_assert(n >= 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void spit(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

static void assert_same_bytes(const char *path, const char *before, size_t before_len, const char *what)
{
    size_t len;
    char *now = slurp(path, &len);
    cr_assert(len == before_len && memcmp(now, before, len) == 0, "%s: the file changed", what);
    free(now);
}

static ag_corpus *extract_lua(void)
{
    ag_debug_search search = { 0 };
    ag_corpus *c = NULL;
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_extract(LUA53, &search, &c, &err), AG_OK, "extract: %s", err.msg);
    cr_assert(c->has_debug_info, "liblua5.3-0-dbg is needed (make deps)");
    return c;
}

static ag_store *open_store(const char *path)
{
    ag_store *s = NULL;
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_store_open(path, &s, &err), AG_OK, "open: %s", err.msg);
    return s;
}

static void add_ok(ag_store *s, const char *lib, const char *ver, const ag_corpus *c, bool replace)
{
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_store_add_release(s, lib, ver, NULL, NULL, c, replace, &err), AG_OK,
                 "add %s@%s: %s", lib, ver, err.msg);
}

/* One integer from a query on a separate raw connection. */
static long long query_int(const char *db_path, const char *sql)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void exec_raw(const char *db_path, const char *sql)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
    char *msg = NULL;
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK, "%s: %s", sql, msg ? msg : "");
    sqlite3_close(db);
}

/* ------------------------------------------------------------------ */
/* The schema files and the compiled-in copy                           */

/* $SCHEMA_DIR, else schema/ next to tests/ in the tree this file is in
   (make compiles it as tests/unit/test_store.c from the repository root). */
static char *schema_dir(void)
{
    const char *env = getenv("SCHEMA_DIR");
    if (env && *env)
        return strdup(env);
    const char *self = __FILE__, *suffix = "tests/unit/test_store.c";
    size_t n = strlen(self), k = strlen(suffix);
    cr_assert(n >= k && strcmp(self + n - k, suffix) == 0, "set SCHEMA_DIR (cannot derive it from %s)", self);
    char *dir = NULL;
    cr_assert(asprintf(&dir, "%.*sschema", (int)(n - k), self) > 0);
    return dir;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

Test(store_schema, embedded_matches_files)
{
    char *dir = schema_dir();
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s: %s", dir, strerror(errno));
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".sql") == 0) {
            cr_assert(n < 256);
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    cr_assert_eq(n, ag_n_migrations, "%zu files in %s, %zu migrations compiled in "
                 "(regenerate src/store_schema.c)", n, dir, ag_n_migrations);
    for (size_t i = 0; i < n; i++) {
        const ag_migration *m = &ag_migrations[i];
        cr_assert_str_eq(names[i], m->file);
        cr_assert_eq(atoi(names[i]), m->version, "%s: version %d", names[i], m->version);
        cr_assert(i == 0 || m->version > ag_migrations[i - 1].version, "migrations out of order");
        char *path = join(dir, names[i]);
        size_t len;
        char *text = slurp(path, &len);
        cr_assert(len == strlen(m->sql) && memcmp(text, m->sql, len) == 0,
                  "%s differs from its copy in src/store_schema.c (regenerate it)", path);
        free(text);
        free(path);
        free(names[i]);
    }
    free(dir);
}

/* ------------------------------------------------------------------ */
/* Opening                                                             */

Test(store_open, fresh_database_is_migrated)
{
    char *dir = temp_dir(), *db = join(dir, "a.db");
    ag_store *s = open_store(db);
    cr_assert_eq(ag_store_schema_version(s), ag_store_schema_latest());
    cr_assert_geq(ag_store_schema_latest(), 1);
    ag_store_close(s);
    cr_assert_eq(query_int(db, "PRAGMA user_version"), ag_store_schema_latest());
    cr_assert_eq(query_int(db, "PRAGMA application_id"), 0x41424947);
    cr_assert_eq(query_int(db, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                               "('libraries','releases','binaries','types','functions','variables',"
                               "'symbols','binary_types','diff_cache')"), 9);
    /* WAL is persistent in the file header (bytes 18-19 are 2). */
    size_t len;
    char *bytes = slurp(db, &len);
    cr_assert(len > 20 && bytes[18] == 2 && bytes[19] == 2, "not in WAL mode");
    free(bytes);
    /* Opening again is a no-op. */
    s = open_store(db);
    ag_store_close(s);
    free(db);
    remove_dir(dir);
    free(dir);
}

Test(store_open, newer_schema_is_refused_untouched)
{
    char *dir = temp_dir(), *db = join(dir, "new.db");
    ag_store_close(open_store(db));
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", ag_store_schema_latest() + 1);
    exec_raw(db, sql);
    size_t len;
    char *before = slurp(db, &len);
    ag_store *s = NULL;
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_store_open(db, &s, &err), AG_ERR_UNSUPPORTED);
    cr_assert_null(s);
    char want[160];
    snprintf(want, sizeof want, "database was created by a newer abiguard (schema %d, this build knows %d)",
             ag_store_schema_latest() + 1, ag_store_schema_latest());
    cr_assert_str_eq(err.msg, want);
    assert_same_bytes(db, before, len, "newer database");
    free(before);
    free(db);
    remove_dir(dir);
    free(dir);
}

Test(store_open, not_a_database_is_refused_untouched)
{
    char *dir = temp_dir();
    /* A text file (long enough to fill a header). */
    char *txt = join(dir, "notes.db");
    char text[4096];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = "this is not a database\n"[i % 23];
    spit(txt, text, sizeof text);
    ag_store *s = NULL;
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_store_open(txt, &s, &err), AG_ERR_FORMAT);
    cr_assert(strstr(err.msg, "not an abiguard database"), "%s", err.msg);
    cr_assert(!strchr(err.msg, '\n'));
    assert_same_bytes(txt, text, sizeof text, "text file");
    cr_assert_eq(ag_store_open_existing(txt, &s, &err), AG_ERR_FORMAT);

    /* Someone else's SQLite database. */
    char *other = join(dir, "other.db");
    exec_raw(other, "CREATE TABLE accounts(id INTEGER PRIMARY KEY, owner TEXT)");
    size_t len;
    char *before = slurp(other, &len);
    cr_assert_eq(ag_store_open(other, &s, &err), AG_ERR_FORMAT);
    cr_assert(strstr(err.msg, "not an abiguard database"), "%s", err.msg);
    assert_same_bytes(other, before, len, "foreign database");
    free(before);

    /* A missing file for a read-only command. */
    char *missing = join(dir, "missing.db");
    cr_assert_eq(ag_store_open_existing(missing, &s, &err), AG_ERR_NOTFOUND);
    cr_assert(access(missing, F_OK) != 0, "open_existing created the file");
    free(missing);
    free(other);
    free(txt);
    remove_dir(dir);
    free(dir);
}

Test(store_open, corrupt_database_fails_untouched)
{
    char *dir = temp_dir(), *db = join(dir, "bad.db");
    ag_corpus *c = extract_lua();
    ag_store *s = open_store(db);
    add_ok(s, "lua", "5.3", c, false);
    ag_store_close(s);
    /* Garbage over page 2 (the first table's root: libraries). */
    size_t len;
    char *bytes = slurp(db, &len);
    unsigned page = ((unsigned char)bytes[16] << 8) | (unsigned char)bytes[17];
    if (page == 1)
        page = 65536;
    cr_assert(len >= 2 * page);
    memset(bytes + page, 0xa5, page);
    spit(db, bytes, len);

    ag_error err = { .msg = "" };
    ag_status st = ag_store_open(db, &s, &err);
    if (st == AG_OK) {
        ag_store_library *libs = NULL;
        size_t n = 0;
        st = ag_store_list_libraries(s, &libs, &n, &err);
        cr_assert_eq(st, AG_ERR_FORMAT, "list on a corrupt database: %s", err.msg);
        cr_assert(strstr(err.msg, "corrupt"), "%s", err.msg);
        ag_corpus *back = NULL;
        cr_assert_neq(ag_store_load(s, "lua", "5.3", &back, &err), AG_OK);
        cr_assert_neq(ag_store_add_release(s, "lua", "5.4", NULL, NULL, c, false, &err), AG_OK);
        ag_store_close(s);
    } else {
        cr_assert_eq(st, AG_ERR_FORMAT, "%s", err.msg);
    }
    assert_same_bytes(db, bytes, len, "corrupt database");
    free(bytes);
    ag_corpus_free(c);
    free(db);
    remove_dir(dir);
    free(dir);
}

Test(store_open, read_only_uri_reads_but_refuses_writes)
{
    char *dir = temp_dir(), *db = join(dir, "ro.db");
    ag_corpus *c = extract_lua();
    ag_store *s = open_store(db);
    add_ok(s, "lua", "5.3", c, false);
    ag_store_close(s);
    size_t len;
    char *before = slurp(db, &len);
    char *uri = NULL;
    cr_assert(asprintf(&uri, "file:%s?mode=ro", db) > 0);
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_store_open(uri, &s, &err), AG_OK, "%s", err.msg);
    ag_corpus *back = NULL;
    cr_assert_eq(ag_store_load(s, "lua", "5.3", &back, &err), AG_OK, "%s", err.msg);
    ag_corpus_free(back);
    cr_assert_eq(ag_store_add_release(s, "lua", "5.4", NULL, NULL, c, false, &err), AG_ERR_IO);
    cr_assert(strstr(err.msg, "read-only"), "%s", err.msg);
    ag_store_close(s);
    assert_same_bytes(db, before, len, "read-only database");
    free(before);
    free(uri);
    ag_corpus_free(c);
    free(db);
    remove_dir(dir);
    free(dir);
}

/* ------------------------------------------------------------------ */
/* Releases                                                            */

Test(store_release, add_load_is_byte_identical)
{
    char *dir = temp_dir(), *db = join(dir, "a.db");
    ag_corpus *c = extract_lua();
    ag_error err = { .msg = "" };
    char *orig = ag_corpus_to_json(c, &err);
    cr_assert_not_null(orig, "%s", err.msg);
    ag_store *s = open_store(db);
    cr_assert_eq(ag_store_add_release(s, "lua", "5.3", "2015-01-12", "from Debian", c, false, &err), AG_OK,
                 "%s", err.msg);
    ag_store_close(s);

    /* Through a new connection, so nothing comes from memory. */
    s = open_store(db);
    ag_corpus *back = NULL;
    cr_assert_eq(ag_store_load(s, "lua", "5.3", &back, &err), AG_OK, "%s", err.msg);
    char *again = ag_corpus_to_json(back, &err);
    cr_assert_str_eq(again, orig, "stored corpus does not round-trip byte for byte");
    char *exported = NULL;
    cr_assert_eq(ag_store_export_json(s, "lua", "5.3", &exported, &err), AG_OK, "%s", err.msg);
    cr_assert_str_eq(exported, orig);

    /* The same content under another version shares every content row. */
    long long types = query_int(db, "SELECT count(*) FROM types");
    long long functions = query_int(db, "SELECT count(*) FROM functions");
    cr_assert_eq(types, (long long)c->n_types);
    cr_assert_eq(functions, (long long)c->n_functions);
    add_ok(s, "lua", "5.3.6", c, false);
    cr_assert_eq(query_int(db, "SELECT count(*) FROM types"), types);
    cr_assert_eq(query_int(db, "SELECT count(*) FROM functions"), functions);

    ag_store_release *rels = NULL;
    size_t n = 0;
    cr_assert_eq(ag_store_list_releases(s, "lua", &rels, &n, &err), AG_OK, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(rels[0].version, "5.3");
    cr_assert_str_eq(rels[0].date, "2015-01-12");
    cr_assert_str_eq(rels[0].notes, "from Debian");
    cr_assert_str_eq(rels[0].soname, "liblua5.3.so.0");
    cr_assert_eq(rels[0].n_exports, c->n_exports);
    cr_assert_eq(rels[0].n_types, c->n_types);
    cr_assert_str_eq(rels[1].version, "5.3.6");
    cr_assert_null(rels[1].date);
    ag_store_releases_free(rels, n);

    ag_corpus *none = NULL;
    cr_assert_eq(ag_store_load(s, "lua", "9.9", &none, &err), AG_ERR_NOTFOUND);
    cr_assert_str_eq(err.msg, "no release lua@9.9 (lua has 5.3, 5.3.6)");
    cr_assert_eq(ag_store_load(s, "luajit", "2.1", &none, &err), AG_ERR_NOTFOUND);
    cr_assert_str_eq(err.msg, "no library luajit");
    cr_assert_eq(ag_store_list_releases(s, "luajit", &rels, &n, &err), AG_ERR_NOTFOUND);
    cr_assert_eq(ag_store_add_release(s, "lua", "5.3", "2015-13-01", NULL, c, true, &err), AG_ERR_USAGE);
    cr_assert_eq(ag_store_add_release(s, "lua", "a@b", NULL, NULL, c, false, &err), AG_ERR_USAGE);

    ag_store_close(s);
    free(again);
    free(exported);
    ag_corpus_free(back);
    free(orig);
    ag_corpus_free(c);
    free(db);
    remove_dir(dir);
    free(dir);
}

/* A corpus that records its public surface keeps it through the store:
   the "surface" object (its own column) and every type's "public" flag. */
Test(store_release, recorded_surface_round_trips)
{
    char *dir = temp_dir(), *db = join(dir, "a.db"), *inc = join(dir, "include");
    cr_assert_eq(mkdir(inc, 0755), 0);
    char *lua_h = join(inc, "lua.h");
    spit(lua_h, "/* lua.h */\n", 12);
    const char *dirs[] = { inc };
    ag_header_set *h = NULL;
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_header_set_collect(dirs, 1, NULL, 0, &h, &err), AG_OK, "%s", err.msg);
    ag_corpus *c = extract_lua();
    cr_assert_eq(ag_surface_apply(c, h, &err), AG_OK, "%s", err.msg);
    char *orig = ag_corpus_to_json(c, &err);
    cr_assert_not_null(orig, "%s", err.msg);
    cr_assert(strstr(orig, "\"method\": \"headers\"") && strstr(orig, "\"public\": true"), "%.400s", orig);
    ag_store *s = open_store(db);
    add_ok(s, "lua", "5.3", c, false);
    ag_store_close(s);
    s = open_store(db);
    char *exported = NULL;
    cr_assert_eq(ag_store_export_json(s, "lua", "5.3", &exported, &err), AG_OK, "%s", err.msg);
    cr_assert_str_eq(exported, orig, "a recorded surface does not round-trip through the store");
    ag_store_close(s);
    free(exported);
    free(orig);
    ag_corpus_free(c);
    ag_header_set_free(h);
    free(lua_h);
    free(inc);
    free(db);
    remove_dir(dir);
    free(dir);
}

Test(store_release, duplicate_and_replace)
{
    char *dir = temp_dir(), *db = join(dir, "a.db");
    ag_corpus *c = extract_lua();
    ag_store *s = open_store(db);
    add_ok(s, "lua", "5.3", c, false);
    add_ok(s, "lua", "5.4", c, false);
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_store_add_release(s, "lua", "5.3", NULL, NULL, c, false, &err), AG_ERR_USAGE);
    cr_assert_str_eq(err.msg, "lua@5.3 already exists (use --replace)");

    /* Cached diffs in both directions, and one not involving 5.3. */
    exec_raw(db, "INSERT INTO diff_cache(old_release_id, new_release_id, engine, verdict, counts)"
                 " SELECT a.id, b.id, 'x', 'none', '{}' FROM releases a, releases b");
    cr_assert_eq(query_int(db, "SELECT count(*) FROM diff_cache"), 4);

    /* Replace with different content: one struct member renamed. */
    ag_type_ref t = ag_corpus_find_type(c, "struct lua_Debug");
    cr_assert_neq(t, AG_NO_TYPE);
    free(c->types[t].members[0].name);
    c->types[t].members[0].name = strdup("renamed");
    cr_assert_eq(ag_corpus_finalize(c, &err), AG_OK, "%s", err.msg);
    add_ok(s, "lua", "5.3", c, true);
    cr_assert_eq(query_int(db, "SELECT count(*) FROM diff_cache"), 1,
                 "cached diffs of the replaced release survived");
    cr_assert_eq(query_int(db, "SELECT count(*) FROM releases"), 2);
    ag_corpus *back = NULL;
    cr_assert_eq(ag_store_load(s, "lua", "5.3", &back, &err), AG_OK, "%s", err.msg);
    ag_type_ref bt = ag_corpus_find_type(back, "struct lua_Debug");
    cr_assert_str_eq(back->types[bt].members[0].name, "renamed");
    ag_corpus_free(back);
    /* Both versions of struct lua_Debug are still used (5.4 has the old). */
    long long types = query_int(db, "SELECT count(*) FROM types");
    cr_assert_eq(types, (long long)c->n_types + 1);

    ag_store_close(s);
    ag_corpus_free(c);
    free(db);
    remove_dir(dir);
    free(dir);
}

/* A release's source URL pattern is in the links of its cached reports:
   changing it drops them (and only them: the verdicts and counts stay, and
   the reports of pairs without it). */
Test(store_release, source_url_change_drops_cached_reports)
{
    char *dir = temp_dir(), *db = join(dir, "a.db");
    ag_corpus *c = extract_lua();
    ag_store *s = open_store(db);
    add_ok(s, "lua", "5.3", c, false);
    add_ok(s, "lua", "5.4", c, false);
    add_ok(s, "lua", "5.5", c, false);
    exec_raw(db, "INSERT INTO diff_cache(old_release_id, new_release_id, engine, verdict, counts, report)"
                 " SELECT a.id, b.id, 'x', 'none', '{}', '{\"r\":1}' FROM releases a, releases b WHERE a.id < b.id");
    cr_assert_eq(query_int(db, "SELECT count(*) FROM diff_cache WHERE report IS NOT NULL"), 3);
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_store_set_source_url(s, "lua", "5.4", "https://example.org/{file}#L{line}", &err), AG_OK, "%s",
                 err.msg);
    cr_assert_eq(query_int(db, "SELECT count(*) FROM diff_cache"), 3, "a cached verdict went");
    cr_assert_eq(query_int(db, "SELECT count(*) FROM diff_cache WHERE report IS NOT NULL"), 1,
                 "a report linking through the old pattern survived");
    cr_assert_eq(query_int(db, "SELECT count(*) FROM diff_cache d JOIN releases a ON a.id = d.old_release_id"
                               " JOIN releases b ON b.id = d.new_release_id"
                               " WHERE a.version = '5.3' AND b.version = '5.5' AND d.report IS NOT NULL"),
                 1, "the report of a pair without 5.4 went");
    ag_store_close(s);
    ag_corpus_free(c);
    free(db);
    remove_dir(dir);
    free(dir);
}

Test(store_release, remove_collects_garbage)
{
    char *dir = temp_dir(), *db = join(dir, "a.db");
    ag_corpus *c = extract_lua();
    ag_store *s = open_store(db);
    add_ok(s, "lua", "5.3", c, false);
    add_ok(s, "other", "1.0", c, false);
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_store_remove_release(s, "lua", "5.3", &err), AG_OK, "%s", err.msg);
    cr_assert_eq(ag_store_remove_release(s, "lua", "5.3", &err), AG_ERR_NOTFOUND);
    ag_corpus *back = NULL;
    cr_assert_eq(ag_store_load(s, "lua", "5.3", &back, &err), AG_ERR_NOTFOUND);
    cr_assert_str_eq(err.msg, "no library lua", "the empty library was kept");
    /* Content still used by other@1.0 stays. */
    cr_assert_eq(query_int(db, "SELECT count(*) FROM types"), (long long)c->n_types);
    cr_assert_eq(ag_store_remove_release(s, "other", "1.0", &err), AG_OK, "%s", err.msg);
    static const char *const tables[] = { "libraries", "releases", "binaries", "types", "functions",
                                          "variables", "symbols", "binary_types", "binary_exports" };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[80];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i]);
        cr_assert_eq(query_int(db, sql), 0, "%s is not empty", tables[i]);
    }
    ag_store_library *libs;
    size_t n;
    cr_assert_eq(ag_store_list_libraries(s, &libs, &n, &err), AG_OK);
    cr_assert_eq(n, 0);
    ag_store_libraries_free(libs, n);
    ag_store_close(s);
    ag_corpus_free(c);
    free(db);
    remove_dir(dir);
    free(dir);
}

Test(store_release, refs_versions_and_paths)
{
    char *name, *version;
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_store_parse_ref("lua@5.4", &name, &version, &err), AG_OK);
    cr_assert_str_eq(name, "lua");
    cr_assert_str_eq(version, "5.4");
    free(name);
    free(version);
    cr_assert_eq(ag_store_parse_ref("@scope/pkg@1.0", &name, &version, &err), AG_OK);
    cr_assert_str_eq(name, "@scope/pkg");
    cr_assert_str_eq(version, "1.0");
    free(name);
    free(version);
    cr_assert_eq(ag_store_parse_ref("lua", &name, &version, &err), AG_ERR_USAGE);
    cr_assert_eq(ag_store_parse_ref("lua@", &name, &version, &err), AG_ERR_USAGE);
    cr_assert_eq(ag_store_parse_ref("@5.4", &name, &version, &err), AG_ERR_USAGE);

    cr_assert_lt(ag_version_compare("5.1", "5.3"), 0);
    cr_assert_lt(ag_version_compare("5.4", "5.10"), 0);
    cr_assert_lt(ag_version_compare("1.2", "1.2.1"), 0);
    cr_assert_gt(ag_version_compare("2.0", "1.99.99"), 0);
    cr_assert_lt(ag_version_compare("1.9b", "1.10a"), 0);
    cr_assert_eq(ag_version_compare("3.0", "3.0"), 0);
    cr_assert_neq(ag_version_compare("1.01", "1.1"), 0, "must stay a total order");

    unsetenv("ABIGUARD_DB");
    cr_assert_str_eq(ag_store_default_path(NULL), "abiguard.db");
    setenv("ABIGUARD_DB", "/tmp/x.db", 1);
    cr_assert_str_eq(ag_store_default_path(NULL), "/tmp/x.db");
    cr_assert_str_eq(ag_store_default_path("given.db"), "given.db");
    unsetenv("ABIGUARD_DB");
}

/* ------------------------------------------------------------------ */
/* Content addressing                                                  */

static long long db_bytes(const char *db)
{
    return query_int(db, "PRAGMA page_count") * query_int(db, "PRAGMA page_size");
}

/* Fifty releases of liblua5.3 in which each release renames one member of
   struct lua_Debug or struct luaL_Buffer (cumulatively, so every release
   differs from all others; liblua5.3 has no enum in its interface, so no
   enumerator is changed). Measured on Debian 12 (4 KiB pages):
     empty database (schema only):   90,112 B
     one release:                   184,320 B  (the release itself ~94 KiB)
     fifty-one releases:            716,800 B  (10,649 B per further release:
                                    one struct row and ~480 link rows)
   Stored whole, fifty-one releases would take about 51 x 94 KiB = 4.8 MB.
   Bound asserted: one release + 50 x 16 KiB (1.5 x the measured delta). */
#define DELTA_BOUND_BYTES (16 * 1024)

Test(store_content, fifty_small_changes_cost_small_deltas)
{
    char *dir = temp_dir(), *db = join(dir, "a.db");
    ag_corpus *c = extract_lua();
    ag_error err = { .msg = "" };
    ag_store *s = open_store(db);
    long long empty = db_bytes(db);
    add_ok(s, "lua", "5.3.0", c, false);
    long long one = db_bytes(db);
    ag_type_ref debug_t = ag_corpus_find_type(c, "struct lua_Debug");
    ag_type_ref buffer_t = ag_corpus_find_type(c, "struct luaL_Buffer");
    cr_assert_neq(debug_t, AG_NO_TYPE);
    cr_assert_neq(buffer_t, AG_NO_TYPE);
    for (int k = 1; k <= 50; k++) {
        /* finalize may renumber types: look the struct up every time. */
        ag_type_ref t = ag_corpus_find_type(c, k % 2 ? "struct lua_Debug" : "struct luaL_Buffer");
        cr_assert_neq(t, AG_NO_TYPE);
        ag_member *m = &c->types[t].members[(size_t)k % c->types[t].n_members];
        free(m->name);
        cr_assert(asprintf(&m->name, "member_%d", k) > 0);
        cr_assert_eq(ag_corpus_finalize(c, &err), AG_OK, "%s", err.msg);
        char version[16];
        snprintf(version, sizeof version, "5.3.%d", k);
        add_ok(s, "lua", version, c, false);
    }
    long long all = db_bytes(db);
    long long per_release = (all - one) / 50;
    fprintf(stderr, "store size: empty %lld B, one release %lld B, 51 releases %lld B, "
                    "%lld B per further release\n", empty, one, all, per_release);
    cr_assert_lt(all, one + 50LL * DELTA_BOUND_BYTES,
                 "51 releases take %lld B: one release is %lld B, so %lld B per small change "
                 "(bound %d B)", all, one, per_release, DELTA_BOUND_BYTES);
    /* 50 changed structs: exactly 50 new type rows. */
    cr_assert_eq(query_int(db, "SELECT count(*) FROM types"), (long long)c->n_types + 50);
    /* And the last one still reads back exactly. */
    char *orig = ag_corpus_to_json(c, &err);
    char *exported = NULL;
    cr_assert_eq(ag_store_export_json(s, "lua", "5.3.50", &exported, &err), AG_OK, "%s", err.msg);
    cr_assert_str_eq(exported, orig);
    free(orig);
    free(exported);
    ag_store_close(s);
    ag_corpus_free(c);
    free(db);
    remove_dir(dir);
    free(dir);
}

/* ------------------------------------------------------------------ */
/* Releases of several binaries (schema 004)                           */

/* A copy of c under another SONAME (a second library of one release). */
static ag_corpus *renamed(const ag_corpus *c, const char *soname)
{
    ag_error err = { .msg = "" };
    char *json = ag_corpus_to_json(c, &err);
    cr_assert_not_null(json, "%s", err.msg);
    ag_corpus *copy = NULL;
    cr_assert_eq(ag_corpus_from_json(json, strlen(json), &copy, &err), AG_OK, "%s", err.msg);
    free(json);
    free(copy->elf.soname);
    copy->elf.soname = strdup(soname);
    return copy;
}

Test(store_binaries, every_binary_comes_back_by_soname_with_its_path)
{
    char *dir = temp_dir(), *db = join(dir, "m.db");
    ag_corpus *c = extract_lua(), *cpp = renamed(c, "liblua5.3-c++.so.0");
    ag_store *s = open_store(db);
    ag_error err = { .msg = "" };
    const ag_corpus *both[2] = { c, cpp };
    const char *paths[2] = { "usr/lib/x86_64-linux-gnu/liblua5.3.so.0.0.0", "usr/lib/x86_64-linux-gnu/liblua5.3-c++.so.0.0.0" };
    cr_assert_eq(ag_store_add_release_binaries(s, "lua", "5.3", NULL, NULL, both, paths, 2, false, &err), AG_OK,
                 "%s", err.msg);
    ag_store_binary *bins = NULL;
    size_t n = 0;
    cr_assert_eq(ag_store_list_binaries(s, "lua", "5.3", &bins, &n, &err), AG_OK, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_expect_str_eq(bins[0].soname, "liblua5.3.so.0");
    cr_expect_str_eq(bins[1].soname, "liblua5.3-c++.so.0");
    cr_expect_str_eq(bins[1].inner_path, paths[1]);
    cr_expect_str_eq(bins[1].build_id, c->elf.build_id);
    cr_expect_eq(bins[1].n_functions, c->n_functions);
    ag_store_binaries_free(bins, n);

    /* NAME@V:SONAME is that binary, byte for byte. */
    ag_corpus *back = NULL;
    cr_assert_eq(ag_store_load(s, "lua", "5.3:liblua5.3-c++.so.0", &back, &err), AG_OK, "%s", err.msg);
    char *want = ag_corpus_to_json(cpp, &err), *got = ag_corpus_to_json(back, &err);
    cr_expect_str_eq(got, want);
    free(want);
    free(got);
    ag_corpus_free(back);
    /* NAME@V alone is ambiguous. */
    cr_assert_eq(ag_store_load(s, "lua", "5.3", &back, &err), AG_ERR_USAGE);
    cr_expect_str_eq(err.msg, "lua@5.3 has 2 binaries (liblua5.3.so.0, liblua5.3-c++.so.0); name one as lua@5.3:SONAME");
    ag_store_loaded_release all = { 0 };
    cr_assert_eq(ag_store_load_release(s, "lua", "5.3", &all, &err), AG_OK, "%s", err.msg);
    cr_expect_eq(all.n, 2);
    cr_expect_str_eq(all.inner_paths[0], paths[0]);
    ag_store_loaded_release_free(&all);

    /* Two binaries with one SONAME could not be named apart. */
    const ag_corpus *twice[2] = { c, c };
    cr_assert_eq(ag_store_add_release_binaries(s, "lua", "5.3.1", NULL, NULL, twice, paths, 2, false, &err),
                 AG_ERR_USAGE);
    cr_expect_str_eq(err.msg, "two binaries of the release have the SONAME liblua5.3.so.0");

    /* Removing the release removes both, and content only they used. */
    cr_assert_eq(ag_store_remove_release(s, "lua", "5.3", &err), AG_OK, "%s", err.msg);
    ag_store_close(s);
    cr_expect_eq(query_int(db, "SELECT count(*) FROM binaries"), 0);
    cr_expect_eq(query_int(db, "SELECT count(*) FROM types"), 0);
    ag_corpus_free(c);
    ag_corpus_free(cpp);
    free(db);
    remove_dir(dir);
    free(dir);
}

Test(store_binaries, a_schema_3_store_upgrades_and_read_only_still_reads)
{
    char *dir = temp_dir(), *db = join(dir, "old.db");
    ag_corpus *c = extract_lua();
    ag_store *s = open_store(db);
    add_ok(s, "lua", "5.3", c, false);
    ag_store_close(s);
    /* What a store written before migration 004 looks like (so without what
       the later migrations add either: 005 bindings, 006 audits). */
    exec_raw(db, "DROP TABLE audits; DROP TABLE bindings; ALTER TABLE releases DROP COLUMN source_url;"
                 " DROP INDEX binaries_release_soname; ALTER TABLE binaries DROP COLUMN inner_path;"
                 " PRAGMA user_version = 3");
    ag_error err = { .msg = "" };
    ag_corpus *back = NULL;
    cr_assert_eq(ag_store_open_readonly(db, &s, &err), AG_OK, "%s", err.msg);
    cr_expect_eq(ag_store_schema_version(s), 3);
    cr_assert_eq(ag_store_load(s, "lua", "5.3", &back, &err), AG_OK, "%s", err.msg);
    ag_corpus_free(back);
    ag_store_binary *bins = NULL;
    size_t n = 0;
    cr_assert_eq(ag_store_list_binaries(s, "lua", "5.3", &bins, &n, &err), AG_OK, "%s", err.msg);
    cr_expect_eq(n, 1);
    cr_expect_null(bins[0].inner_path);
    ag_store_binaries_free(bins, n);
    ag_store_close(s);
    cr_expect_eq(query_int(db, "PRAGMA user_version"), 3, "a read-only open never upgrades");
    /* Opened for writing, it is upgraded, and keeps what it had. */
    s = open_store(db);
    cr_expect_eq(ag_store_schema_version(s), ag_store_schema_latest());
    cr_assert_eq(ag_store_load(s, "lua", "5.3:liblua5.3.so.0", &back, &err), AG_OK, "%s", err.msg);
    ag_corpus_free(back);
    ag_store_close(s);
    cr_expect_eq(query_int(db, "SELECT count(*) FROM pragma_table_info('binaries') WHERE name = 'inner_path'"), 1);
    ag_corpus_free(c);
    free(db);
    remove_dir(dir);
    free(dir);
}
