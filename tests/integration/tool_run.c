/*
 * tool_run.c — running a program with captured output and a deadline, and
 * the file helpers the integration tests share (see tool_run.h).
 */
#include "tool_run.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct grow_buf {
    char *data;
    size_t len, cap;
} grow_buf;

static bool grow_buf_append(grow_buf *b, const char *src, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p)
            return false;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, src, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void record_wait_status(tool_run *r, int status)
{
    if (WIFEXITED(status)) {
        r->exited = true;
        r->exit_status = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        r->signaled = true;
        r->term_signal = WTERMSIG(status);
    }
}

void child_dies_with_parent(pid_t parent)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
        _exit(127);
}

bool tool_run_argv(const char *const argv[], double timeout_seconds, tool_run *r)
{
    memset(r, 0, sizeof *r);
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0)
        return false;
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
        close(out_pipe[0]);
        close(out_pipe[1]);
        return false;
    }
    pid_t forker = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(out_pipe[0]); close(out_pipe[1]);
        close(err_pipe[0]); close(err_pipe[1]);
        return false;
    }
    if (pid == 0) {
        child_dies_with_parent(forker);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, STDIN_FILENO);
        dup2(out_pipe[1], STDOUT_FILENO);
        dup2(err_pipe[1], STDERR_FILENO);
        execv(argv[0], (char *const *)argv);
        dprintf(STDERR_FILENO, "tool_run: cannot execute %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);

    grow_buf out = { 0 }, err = { 0 };
    grow_buf_append(&out, "", 0);
    grow_buf_append(&err, "", 0);
    double deadline = now_seconds() + timeout_seconds * SANITIZER_SLOWDOWN;
    struct pollfd fds[2] = { { out_pipe[0], POLLIN, 0 }, { err_pipe[0], POLLIN, 0 } };
    int open_fds = 2;
    bool reaped = false;
    int status = 0;

    while (open_fds > 0) {
        double left = deadline - now_seconds();
        if (left <= 0) {
            r->timed_out = true;
            break;
        }
        int ready = poll(fds, 2, (int)(left * 1000) + 1);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            break;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char chunk[65536];
            ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
            if (n > 0) {
                grow_buf_append(i == 0 ? &out : &err, chunk, (size_t)n);
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            }
        }
    }
    /* Streams closed (or deadline): wait for the process, still bounded. */
    while (!r->timed_out) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            reaped = true;
            break;
        }
        if (now_seconds() >= deadline) {
            r->timed_out = true;
            break;
        }
        usleep(2000);
    }
    if (!reaped) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    } else {
        record_wait_status(r, status);
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    r->out = out.data;
    r->out_len = out.len;
    r->err = err.data;
    r->err_len = err.len;
    return true;
}

void tool_run_free(tool_run *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

const char *tool_run_outcome(const tool_run *r)
{
    static __thread char text[128];
    if (r->timed_out)
        snprintf(text, sizeof text, "timed out");
    else if (r->signaled)
        snprintf(text, sizeof text, "killed by signal %d (%s)", r->term_signal, strsignal(r->term_signal));
    else if (r->exited)
        snprintf(text, sizeof text, "exit %d", r->exit_status);
    else
        snprintf(text, sizeof text, "ended in an unknown way");
    return text;
}

size_t count_lines(const char *text)
{
    size_t n = 0;
    const char *p = text;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        n++;
        if (!nl)
            break;
        p = nl + 1;
    }
    return n;
}

static const char *required_env(const char *name)
{
    const char *v = getenv(name);
    cr_assert(v && *v, "environment variable %s is not set (run the tests through `make check`)", name);
    return v;
}

const char *abiguard_binary(void)
{
    return required_env("ABIGUARD");
}

const char *fixtures_dir(void)
{
    return required_env("FIXTURES");
}

char *path_join2(const char *dir, const char *name)
{
    char *p = NULL;
    cr_assert(asprintf(&p, "%s/%s", dir, name) >= 0, "out of memory");
    return p;
}

char *fixture_path(const char *rel)
{
    char *p = path_join2(fixtures_dir(), rel);
    cr_assert(file_exists(p), "fixture %s is missing (run `make fixtures`)", p);
    return p;
}

bool run_abiguard(tool_run *r, const char *first_arg, ...)
{
    const char *argv[64];
    size_t n = 0;
    argv[n++] = abiguard_binary();
    va_list ap;
    va_start(ap, first_arg);
    for (const char *a = first_arg; a && n < 63; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    return tool_run_argv(argv, ABIGUARD_TIMEOUT_SECONDS, r);
}

char *read_whole_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    grow_buf b = { 0 };
    grow_buf_append(&b, "", 0);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        grow_buf_append(&b, chunk, n);
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        free(b.data);
        return NULL;
    }
    if (len)
        *len = b.len;
    return b.data;
}

bool write_whole_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    return ok;
}

bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

char *make_temp_dir(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl = NULL;
    cr_assert(asprintf(&tmpl, "%s/abiguard-test-XXXXXX", base && *base ? base : "/tmp") >= 0);
    cr_assert(mkdtemp(tmpl), "mkdtemp %s: %s", tmpl, strerror(errno));
    return tmpl;
}

bool mount_private_tmpfs(const char *dir, const char *size)
{
    static bool unshared;
    if (!unshared) {
        /* (MS_PRIVATE: nothing mounted here propagates back to the host's
           namespace through a shared root.) */
        if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
            return false;
        unshared = true;
    }
    char opts[64];
    snprintf(opts, sizeof opts, "size=%s,mode=0755", size);
    return mount("tmpfs", dir, "tmpfs", 0, opts) == 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void remove_tree(const char *path)
{
    if (path)
        nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void problem_add(problem_list *p, const char *fmt, ...)
{
    p->count++;
    if (p->count > 60)
        return; /* enough to act on; the count says how many more */
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    size_t n = strlen(line);
    char *grown = realloc(p->text, p->len + n + 4); /* indent, line, newline, NUL */
    cr_assert(grown, "out of memory");
    p->text = grown;
    memcpy(p->text + p->len, "  ", 2);
    memcpy(p->text + p->len + 2, line, n);
    p->len += n + 2;
    p->text[p->len++] = '\n';
    p->text[p->len] = '\0';
}

void problem_assert_none(problem_list *p, const char *what)
{
    cr_assert(p->count == 0, "%s: %zu mismatch(es)%s:\n%s", what, p->count,
              p->count > 60 ? " (first 60 shown)" : "", p->text ? p->text : "");
    free(p->text);
    memset(p, 0, sizeof *p);
}

/* GET over HTTP/1.0 from 127.0.0.1:port (see tool_run.h). */
int loopback_http_get(unsigned port, const char *path, char **body)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    char req[256];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    cr_assert(write(fd, req, (size_t)n) == n);
    size_t cap = 1 << 20, got = 0;
    char *buf = malloc(cap);
    ssize_t k;
    while (got + 1 < cap && (k = read(fd, buf + got, cap - 1 - got)) > 0)
        got += (size_t)k;
    buf[got] = '\0';
    close(fd);
    int status = 0;
    sscanf(buf, "HTTP/1.%*d %d", &status);
    char *sep = strstr(buf, "\r\n\r\n");
    *body = strdup(sep ? sep + 4 : "");
    free(buf);
    return status;
}
