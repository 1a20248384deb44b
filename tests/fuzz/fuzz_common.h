/*
 * fuzz_common.h — what the libFuzzer harnesses (tests/fuzz/fuzz_<name>.c)
 * share: a private scratch directory for inputs that must be files, and a
 * way to fail loudly when a property the project promises does not hold
 * (abort, so libFuzzer keeps the input as a crash). See tests/fuzz/README.
 */
#ifndef ABIGUARD_FUZZ_COMMON_H
#define ABIGUARD_FUZZ_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "corpus.h"
#include "corpus_json.h"

/* A directory of this process's own, removed at exit; malloc'd. */
static __attribute__((unused)) char *fuzz_scratch_dir(void);

/* Writes data to DIR/name (the same file each time) and returns its path. */
static __attribute__((unused)) const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", fuzz_scratch_dir(), name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror(path);
        abort();
    }
    return path;
}

static char *scratch_dir_path;

static __attribute__((unused)) void remove_scratch_dir(void)
{
    if (!scratch_dir_path)
        return;
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch_dir_path);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz: could not remove %s\n", scratch_dir_path);
}

/* In $TMPDIR if set, else in /dev/shm when it is there: a file rewritten
   for every input on ext4 waits for its writeback (a file truncated and
   written again is flushed when it is closed), which halved fuzz_extract's
   executions per second on a busy machine (38 against 78 a second, the same
   60 s side by side). */
static __attribute__((unused)) char *fuzz_scratch_dir(void)
{
    if (!scratch_dir_path) {
        const char *tmp = getenv("TMPDIR");
        if (!tmp || !*tmp)
            tmp = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
        char templ[4096];
        snprintf(templ, sizeof templ, "%s/abiguard-fuzz-XXXXXX", tmp);
        if (!mkdtemp(templ)) {
            perror(templ);
            abort();
        }
        scratch_dir_path = strdup(templ);
        atexit(remove_scratch_dir);
    }
    return scratch_dir_path;
}

/* A broken promise: say which, and abort so the input is kept. */
static void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn, unused));
static __attribute__((unused)) void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

/* An error message must be one line: the CLI prints it as one. */
static __attribute__((unused)) void fuzz_check_message(const char *what, const char *msg)
{
    if (!msg[0] || strchr(msg, '\n'))
        fuzz_fail("%s: the error message is empty or not one line: '%s'", what, msg);
}

/* The property every reader promises: a corpus it accepted is written as
   JSON that reads back into a corpus written out byte for byte the same. */
static __attribute__((unused)) void fuzz_check_roundtrip(const ag_corpus *c, const char *what)
{
    ag_error err = { "" };
    char *text = ag_corpus_to_json(c, &err);
    if (!text) {
        /* Names in ELF and DWARF are bytes; JSON strings are UTF-8. Such a
           corpus can be diffed in memory but not written: a clean error. */
        if (!strstr(err.msg, "not valid UTF-8"))
            fuzz_fail("%s: cannot write the corpus: %s", what, err.msg);
        fuzz_check_message(what, err.msg);
        return;
    }
    ag_corpus *back = NULL;
    if (ag_corpus_from_json(text, strlen(text), &back, &err) != AG_OK)
        fuzz_fail("%s: wrote a corpus its own reader rejects: %s", what, err.msg);
    char *again = ag_corpus_to_json(back, &err);
    if (!again)
        fuzz_fail("%s: cannot write the corpus read back: %s", what, err.msg);
    if (strcmp(text, again) != 0)
        fuzz_fail("%s: write -> read -> write is not byte-identical", what);
    free(again);
    ag_corpus_free(back);
    free(text);
}

#endif
