/*
 * test_extract_roundtrip.c — the readers' property (issue 11 item 6):
 * whatever extract produces, the corpus reader reads, and writing it again
 * gives the same bytes. Checked on every shared object the Makefile builds
 * under $FIXTURES and on every seed of the extract fuzzer
 * (tests/fuzz/extract/), which include base types of every encoding class
 * and an enumerator without a name (tests/fixtures/dwarf/mini.S): extract
 * used to write `"encoding": "none"` for _Decimal64 and `"name": null` for
 * that enumerator, and then refused its own files.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "corpus_json.h"
#include "extract.h"

static size_t n_checked, n_failed_extract;
static char problems[8192];

static void check_one(const char *path)
{
    ag_debug_search search = { .no_system_dirs = true };
    ag_corpus *c = NULL;
    ag_error err = { "" };
    if (ag_extract(path, &search, &c, &err) != AG_OK) {
        n_failed_extract++;
        return;
    }
    n_checked++;
    char *text = ag_corpus_to_json(c, &err);
    ag_corpus *back = NULL;
    const char *problem = NULL;
    if (!text)
        problem = err.msg;
    else if (ag_corpus_from_json(text, strlen(text), &back, &err) != AG_OK)
        problem = err.msg;
    else {
        char *again = ag_corpus_to_json(back, &err);
        if (!again || strcmp(again, text) != 0)
            problem = "write -> read -> write differs";
        free(again);
    }
    if (problem) {
        size_t used = strlen(problems);
        snprintf(problems + used, sizeof problems - used, "  %s: %s\n", path, problem);
    }
    ag_corpus_free(back);
    ag_corpus_free(c);
    free(text);
}

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    size_t n = strlen(path);
    if (flag == FTW_F && n > 3 && strcmp(path + n - 3, ".so") == 0)
        check_one(path);
    return 0;
}

Test(extract_roundtrip, every_fixture_library_and_fuzz_seed, .timeout = 600)
{
    const char *fixtures = getenv("FIXTURES");
    cr_assert(fixtures && *fixtures, "FIXTURES is not set (run through make check)");
    problems[0] = '\0';
    cr_assert_eq(nftw(fixtures, visit, 16, FTW_PHYS), 0);
    size_t from_fixtures = n_checked;
    DIR *d = opendir("tests/fuzz/extract");
    cr_assert(d, "tests/fuzz/extract: run from the repository root");
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n > 3 && strcmp(e->d_name + n - 3, ".so") == 0) {
            char path[4096];
            snprintf(path, sizeof path, "tests/fuzz/extract/%s", e->d_name);
            check_one(path);
        }
    }
    closedir(d);
    fprintf(stderr, "extract_roundtrip: %zu fixture libraries, %zu fuzz seeds round-trip (%zu not extractable)\n",
            from_fixtures, n_checked - from_fixtures, n_failed_extract);
    cr_assert_gt(from_fixtures, 100, "expected the diff fixtures' libraries under %s", fixtures);
    cr_assert_gt(n_checked - from_fixtures, 5, "expected the fuzz seeds");
    cr_assert(problems[0] == '\0', "extract wrote corpora that do not round-trip:\n%s", problems);
}
