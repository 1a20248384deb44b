/*
 * fuzz_diff_reports.c — the diff engine and every report format on two
 * corpora read from the input: OLD, then a line "====", then NEW (without
 * the line, the corpus is diffed against itself). Both directions are
 * diffed, without options and with suppressions;
 * each diff is written in all five formats, and the JSON report must read
 * back (ag_diff_from_json, as the store does). Seeds: tests/fuzz/
 * diff_reports/ (pairs from the diff fixtures); dictionary: corpus_json's.
 */
#include "fuzz_common.h"

#include "diff.h"
#include "diff_json.h"
#include "report.h"
#include "suppress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char separator[] = "\n====\n";

static void write_reports(const ag_diff *d, const ag_corpus *a, const ag_corpus *b)
{
    ag_report_context ctx = { .old_label = "old.json", .new_label = "new.json", .old_c = a, .new_c = b,
                              .show_suppressed = true };
    const ag_report_format formats[] = { AG_FMT_TEXT, AG_FMT_JSON, AG_FMT_MARKDOWN, AG_FMT_JUNIT, AG_FMT_SARIF };
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        if (!out)
            return;
        ag_error err = { "" };
        ag_status st = ag_report_write(d, &ctx, formats[i], out, &err);
        fclose(out);
        if (st != AG_OK && st != AG_ERR_NOMEM)
            fuzz_fail("report %s failed: %s", ag_report_format_name(formats[i]), err.msg);
        if (st == AG_OK && formats[i] == AG_FMT_JSON) {
            ag_diff *back = NULL;
            if (ag_diff_from_json(buf, len, &back, &err) != AG_OK)
                fuzz_fail("the JSON report does not read back: %s", err.msg);
            ag_diff_free(back);
        }
        free(buf);
    }
}

static void diff_both_ways(const ag_corpus *a, const ag_corpus *b, const ag_diff_options *opts)
{
    for (int way = 0; way < 2; way++) {
        const ag_corpus *o = way ? b : a, *n = way ? a : b;
        ag_diff *d = NULL;
        ag_error err = { "" };
        ag_status st = ag_diff_corpora(o, n, opts, &d, &err);
        if (st != AG_OK) {
            fuzz_check_message("diff", err.msg);
            continue;
        }
        write_reports(d, o, n);
        ag_diff_exit_status(d, AG_VERDICT_NONE);
        ag_diff_free(d);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *sep = memmem(text, size, separator, sizeof separator - 1);
    size_t len_a = sep ? (size_t)(sep - text) : size;
    const char *text_b = sep ? sep + sizeof separator - 1 : text;
    size_t len_b = sep ? size - len_a - (sizeof separator - 1) : size;
    ag_corpus *a = NULL, *b = NULL;
    ag_error err = { "" };
    if (ag_corpus_from_json(text, len_a, &a, &err) != AG_OK ||
        ag_corpus_from_json(text_b, len_b, &b, &err) != AG_OK) {
        ag_corpus_free(a);
        return 0;
    }
    diff_both_ways(a, b, NULL);
    ag_suppression *rules = NULL;
    size_t n_rules = 0;
    if (ag_suppressions_parse("symbol=*_new kind=member-offset-changed\ntype=\"struct ctx\"\nsource=*.h\n",
                              &rules, &n_rules, &err) == AG_OK) {
        ag_diff_options with_rules = { .suppressions = rules, .n_suppressions = n_rules };
        diff_both_ways(a, b, &with_rules);
        ag_suppressions_free(rules, n_rules);
    }
    ag_corpus_free(a);
    ag_corpus_free(b);
    return 0;
}
