/*
 * fuzz_corpus_json.c — the corpus JSON readers (show, diff, import and the
 * service read corpora this way). Both readers are run: the fast one-pass
 * reader and the jansson tree reader that judges its errors must accept
 * exactly the same documents and build the same corpus; what they accept
 * must survive write -> read -> write byte for byte. Seeds: corpora in
 * tests/fuzz/corpus_json/; dictionary: the format's keys and words.
 */
#include "fuzz_common.h"

ag_status ag_corpus_from_json_fast(const char *text, size_t len, ag_corpus **out, ag_error *err);
ag_status ag_corpus_from_json_tree(const char *text, size_t len, ag_corpus **out, ag_error *err);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    ag_corpus *fast = NULL, *tree = NULL;
    ag_error fast_err = { "" }, tree_err = { "" };
    ag_status fs = ag_corpus_from_json_fast(text, size, &fast, &fast_err);
    ag_status ts = ag_corpus_from_json_tree(text, size, &tree, &tree_err);
    if ((fs == AG_OK) != (ts == AG_OK) && fs != AG_ERR_NOMEM && ts != AG_ERR_NOMEM)
        fuzz_fail("the readers disagree: fast %s (%s), tree %s (%s)", ag_status_name(fs), fast_err.msg,
                  ag_status_name(ts), tree_err.msg);
    if (ts != AG_OK)
        fuzz_check_message("corpus JSON", tree_err.msg);
    if (fs == AG_OK && ts == AG_OK) {
        ag_error err = { "" };
        char *a = ag_corpus_to_json(fast, &err), *b = ag_corpus_to_json(tree, &err);
        if (!a || !b || strcmp(a, b) != 0)
            fuzz_fail("the readers built different corpora");
        free(a);
        free(b);
        fuzz_check_roundtrip(tree, "corpus JSON");
    }
    ag_corpus_free(fast);
    ag_corpus_free(tree);
    return 0;
}
