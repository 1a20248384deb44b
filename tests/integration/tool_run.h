/*
 * tool_run.h — what the integration tests share for running programs (the
 * built abiguard, readelf, pahole, abidw): argv in, exit status and captured
 * stdout/stderr out, with a deadline so a hang fails a test instead of
 * hanging the suite. No shell is involved, so no quoting problems. Also small
 * file helpers (read, write, temporary directories) and fixture paths.
 */
#ifndef TESTS_TOOL_RUN_H
#define TESTS_TOOL_RUN_H

#include <stdbool.h>
#include <sys/types.h>
#include <stddef.h>

typedef struct tool_run {
    bool exited;       /* ended by exit(): exit_status is valid */
    int exit_status;
    bool signaled;     /* ended by a signal: term_signal is valid */
    int term_signal;
    bool timed_out;    /* killed at the deadline */
    char *out;         /* captured stdout, NUL-terminated */
    size_t out_len;
    char *err;         /* captured stderr, NUL-terminated */
    size_t err_len;
} tool_run;

/* Deadlines catch hangs, not slowness. A build with AddressSanitizer
   (make check-asan: the tests are compiled with it too) runs several times
   slower, more on a loaded machine, so every deadline given here and every
   Criterion .timeout (written `N * SANITIZER_SLOWDOWN`) is that many times
   longer there. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define __SANITIZE_ADDRESS__ 1 /* as gcc says it */
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZER_SLOWDOWN 4
#else
#define SANITIZER_SLOWDOWN 1
#endif

/* Runs argv (argv[0] a path; NULL-terminated) with stdin from /dev/null,
   killed after timeout_seconds (times SANITIZER_SLOWDOWN). Returns false
   only if the process could not be started. */
bool tool_run_argv(const char *const argv[], double timeout_seconds, tool_run *r);
void tool_run_free(tool_run *r);

/* In a child just forked from `parent`: ask the kernel to SIGKILL it when
   the parent goes (a test killed at its deadline must not leave a server
   running), and _exit(127) at once if the parent is gone already. */
void child_dies_with_parent(pid_t parent);

/* "exit 1", "killed by signal 11 (Segmentation fault)", "timed out". */
const char *tool_run_outcome(const tool_run *r);

/* Number of lines in a captured stream (a last line without '\n' counts). */
size_t count_lines(const char *text);

/* $ABIGUARD and $FIXTURES (the Makefile's check target sets both); the test
   fails if either is unset. */
const char *abiguard_binary(void);
const char *fixtures_dir(void);
/* malloc'd "$FIXTURES/rel". */
char *fixture_path(const char *rel);

/* Runs `abiguard ARGS...` (NULL-terminated) with the default deadline. */
#define ABIGUARD_TIMEOUT_SECONDS 60.0
bool run_abiguard(tool_run *r, const char *first_arg, ...) __attribute__((sentinel));

/* Whole-file helpers. read_whole_file returns a malloc'd, NUL-terminated
   buffer or NULL. */
char *read_whole_file(const char *path, size_t *len);
bool write_whole_file(const char *path, const void *data, size_t len);
bool file_exists(const char *path);

/* A fresh directory under $TMPDIR or /tmp (malloc'd path), and removing one
   with everything in it. */
char *make_temp_dir(void);
void remove_tree(const char *path);

/* Mounts a tmpfs of size (e.g. "16m") on dir, in a mount namespace of this
   test's process alone (Criterion runs each test in a process of its own,
   and the programs it starts inherit the namespace): the mount goes with
   the process, however the test ends. false (errno set) when it cannot:
   mounting needs root or CAP_SYS_ADMIN. */
bool mount_private_tmpfs(const char *dir, const char *size);

/* malloc'd "dir/name". */
char *path_join2(const char *dir, const char *name);

/* Collects mismatches so one failing test lists all of them, not just the
   first: problem_add() appends a line; problem_assert_none() fails the
   test with the list (the first `limit` lines) if there is any. */
typedef struct problem_list {
    char *text;
    size_t len, count;
} problem_list;
void problem_add(problem_list *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void problem_assert_none(problem_list *p, const char *what);

/* GET path from 127.0.0.1:port over HTTP/1.0: the status, and *body the
   response body (malloc'd, headers cut off). */
int loopback_http_get(unsigned port, const char *path, char **body);

#endif
