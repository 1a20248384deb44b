/*
 * test_output_files.c — what `-o PATH` does to what PATH already is
 * (issue 11, "Files written"): a missing path or a regular file is replaced
 * atomically; a symbolic link keeps being a link and the file it leads to
 * gets the content; a FIFO or character device is written into, never
 * replaced by a regular file (as root, `-o /dev/null` used to turn the
 * machine's /dev/null into one); a directory is an error. And
 * `export -o NAME` with a bare file name, which used to crash.
 *
 * Only a FIFO and links in a temporary directory are used to show the
 * replacing; the one device written to is /dev/null, and only after the
 * FIFO case has shown that devices are written into in place.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tool_run.h"

#define MINI "dwarf/mini-ok.so"

static char *extract_stdout(void)
{
    char *lib = fixture_path(MINI);
    tool_run r;
    cr_assert(run_abiguard(&r, "extract", lib, "--no-system-debug", NULL));
    cr_assert(r.exited && r.exit_status == 0, "extract: %s\n%s", tool_run_outcome(&r), r.err);
    char *out = strdup(r.out);
    tool_run_free(&r);
    free(lib);
    return out;
}

static void extract_to(const char *output, int expected_status, const char *what)
{
    char *lib = fixture_path(MINI);
    tool_run r;
    cr_assert(run_abiguard(&r, "extract", lib, "--no-system-debug", "-o", output, NULL));
    cr_assert(r.exited && r.exit_status == expected_status, "%s: expected exit %d, got %s; stderr:\n%s", what,
              expected_status, tool_run_outcome(&r), r.err);
    if (expected_status != 0)
        cr_assert(count_lines(r.err) == 1 && strncmp(r.err, "abiguard: error: ", 17) == 0,
                  "%s: one error line expected, got:\n%s", what, r.err);
    tool_run_free(&r);
    free(lib);
}

static void assert_file_holds(const char *path, const char *expected, const char *what)
{
    size_t len;
    char *got = read_whole_file(path, &len);
    cr_assert(got, "%s: %s cannot be read", what, path);
    cr_assert(len == strlen(expected) && memcmp(got, expected, len) == 0, "%s: %s does not hold the corpus",
              what, path);
    free(got);
}

static mode_t lstat_type(const char *path)
{
    struct stat sb;
    cr_assert(lstat(path, &sb) == 0, "%s is gone", path);
    return sb.st_mode & S_IFMT;
}

Test(output_files, regular_file_is_replaced_keeping_its_mode)
{
    char *dir = make_temp_dir();
    char *out = path_join2(dir, "corpus.json");
    char *expected = extract_stdout();
    cr_assert(write_whole_file(out, "old", 3));
    cr_assert(chmod(out, 0640) == 0);
    extract_to(out, 0, "-o onto a regular file");
    assert_file_holds(out, expected, "regular file");
    struct stat sb;
    cr_assert(stat(out, &sb) == 0 && (sb.st_mode & 07777) == 0640, "the replaced file keeps mode 0640, has %o",
              (unsigned)(sb.st_mode & 07777));
    remove_tree(dir);
    free(expected);
    free(out);
    free(dir);
}

Test(output_files, symlink_is_kept_and_its_target_replaced)
{
    char *dir = make_temp_dir();
    char *expected = extract_stdout();
    char *target = path_join2(dir, "real.json");
    char *link = path_join2(dir, "link.json");
    cr_assert(write_whole_file(target, "old", 3));
    cr_assert(symlink("real.json", link) == 0);
    extract_to(link, 0, "-o onto a symlink");
    cr_assert_eq(lstat_type(link), S_IFLNK, "the link must stay a link");
    cr_assert_eq(lstat_type(target), S_IFREG);
    assert_file_holds(target, expected, "the link's target");

    /* A dangling link: the file it names is created, the link kept. */
    char *dangling = path_join2(dir, "dangling.json");
    char *created = path_join2(dir, "new.json");
    cr_assert(symlink("new.json", dangling) == 0);
    extract_to(dangling, 0, "-o onto a dangling symlink");
    cr_assert_eq(lstat_type(dangling), S_IFLNK);
    assert_file_holds(created, expected, "the dangling link's target");

    /* A directory is refused, whatever leads to it. */
    extract_to(dir, 1, "-o onto a directory");
    remove_tree(dir);
    free(created);
    free(dangling);
    free(link);
    free(target);
    free(expected);
    free(dir);
}

Test(output_files, fifo_is_written_into_not_replaced, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *dir = make_temp_dir();
    char *expected = extract_stdout();
    char *fifo = path_join2(dir, "pipe");
    char *received = path_join2(dir, "received.json");
    cr_assert(mkfifo(fifo, 0600) == 0);
    /* A reader on the FIFO, as a shell pipeline would have. */
    pid_t forker = getpid();
    pid_t reader = fork();
    cr_assert(reader >= 0);
    if (reader == 0) {
        child_dies_with_parent(forker);
        int in = open(fifo, O_RDONLY);
        int out = open(received, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        char buf[4096];
        ssize_t n;
        while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
            if (write(out, buf, (size_t)n) != n)
                _exit(1);
        _exit(0);
    }
    extract_to(fifo, 0, "-o onto a FIFO");
    int status;
    cr_assert(waitpid(reader, &status, 0) == reader && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    cr_assert_eq(lstat_type(fifo), S_IFIFO, "the FIFO must still be a FIFO");
    assert_file_holds(received, expected, "what the FIFO's reader got");
    remove_tree(dir);
    free(received);
    free(fifo);
    free(expected);
    free(dir);
}

Test(output_files, dev_null_stays_a_character_device)
{
    struct stat sb;
    cr_assert(stat("/dev/null", &sb) == 0);
    if (!S_ISCHR(sb.st_mode))
        cr_skip_test("/dev/null is already not a character device on this machine (replaced by an older "
                     "abiguard build?): mknod -m 666 /dev/null c 1 3 restores it");
    extract_to("/dev/null", 0, "-o /dev/null");
    cr_assert(stat("/dev/null", &sb) == 0 && S_ISCHR(sb.st_mode), "-o /dev/null replaced /dev/null");
    /* Through a link in a temporary directory as well. */
    char *dir = make_temp_dir();
    char *link = path_join2(dir, "null");
    cr_assert(symlink("/dev/null", link) == 0);
    extract_to(link, 0, "-o onto a link to /dev/null");
    cr_assert_eq(lstat_type(link), S_IFLNK);
    cr_assert(stat("/dev/null", &sb) == 0 && S_ISCHR(sb.st_mode), "-o LINK-TO-/dev/null replaced /dev/null");
    remove_tree(dir);
    free(link);
    free(dir);
}

Test(output_files, export_to_a_bare_file_name, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    /* `export -o NAME` segfaulted: dirname("NAME") returns a read-only "."
       that the parent-directory code wrote into. */
    char *dir = make_temp_dir();
    char *db = path_join2(dir, "store.db");
    char *lib = fixture_path(MINI);
    tool_run r;
    cr_assert(run_abiguard(&r, "add", lib, "--library", "mini", "--version", "1", "--db", db, NULL));
    cr_assert(r.exited && r.exit_status == 0, "add: %s\n%s", tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cd '%s' && exec '%s' export mini@1 --db store.db -o bare.json", dir,
             abiguard_binary());
    const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    cr_assert(tool_run_argv(argv, ABIGUARD_TIMEOUT_SECONDS, &r));
    cr_assert(r.exited && r.exit_status == 0, "export -o bare.json: %s\n%s", tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "export", "mini@1", "--db", db, NULL));
    cr_assert(r.exited && r.exit_status == 0);
    char *bare = path_join2(dir, "bare.json");
    assert_file_holds(bare, r.out, "export -o bare.json");
    tool_run_free(&r);
    remove_tree(dir);
    free(bare);
    free(lib);
    free(db);
    free(dir);
}
