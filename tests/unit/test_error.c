/*
 * test_error.c — ag_fail keeps every message on one line: messages quote
 * their input (section names, JSON text), and the CLI promises exactly one
 * line on stderr per error. Found by fuzzing (tests/fuzz/extract/crashes/
 * newline-in-section-name.so, tests/fuzz/corpus_json/crashes/).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "error.h"

Test(error, control_characters_in_quoted_input_become_question_marks)
{
    ag_error err;
    cr_assert_eq(ag_fail(&err, AG_ERR_FORMAT, "section %s: bad", "a\nb\rc\td\x7f" "e\x01"), AG_ERR_FORMAT);
    cr_assert_str_eq(err.msg, "section a?b?c?d?e?: bad");
    ag_fail(&err, AG_ERR_IO, "plain UTF-8 stays: %s", "caf\xc3\xa9");
    cr_assert_str_eq(err.msg, "plain UTF-8 stays: caf\xc3\xa9");
}
