/*
 * test_readme.c — the README is for new users, so it must stay true: its
 * change-kind table is the one `abiguard change-kinds --format markdown`
 * prints, byte for byte, and every subcommand in the command table is
 * documented there.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tool_run.h"

static char *readme(void)
{
    const char *dir = getenv("SOURCE_DIR");
    char *path = path_join2(dir ? dir : ".", "README.md");
    char *text = read_whole_file(path, NULL);
    cr_assert(text, "cannot read %s (run from the repository root or set SOURCE_DIR)", path);
    free(path);
    return text;
}

Test(readme, change_kind_table_matches_the_tool)
{
    char *text = readme();
    const char *begin = strstr(text, "<!-- change-kinds:begin -->\n");
    const char *end = strstr(text, "<!-- change-kinds:end -->");
    cr_assert(begin && end && end > begin, "README has no change-kinds markers");
    begin += strlen("<!-- change-kinds:begin -->\n");
    tool_run r;
    cr_assert(run_abiguard(&r, "change-kinds", "--format", "markdown", NULL));
    cr_assert(r.exited && r.exit_status == 0);
    size_t n = (size_t)(end - begin);
    cr_expect(n == r.out_len && memcmp(begin, r.out, n) == 0,
              "README's change-kind table differs from `abiguard change-kinds --format markdown`: "
              "regenerate it between the markers");
    tool_run_free(&r);
    free(text);
}

Test(readme, every_command_is_documented)
{
    char *text = readme();
    tool_run r;
    cr_assert(run_abiguard(&r, "--help", NULL));
    /* Command lines of --help look like "  name   summary". */
    for (const char *line = strstr(r.out, "commands:\n"); line && *line; line = strchr(line, '\n')) {
        line++;
        if (line[0] != ' ' || line[1] != ' ' || line[2] == ' ')
            continue;
        char name[64];
        if (sscanf(line, " %63s", name) != 1)
            continue;
        char needle[96];
        snprintf(needle, sizeof needle, "abiguard %s", name);
        cr_expect(strstr(text, needle), "README does not document `%s`", needle);
    }
    tool_run_free(&r);
    free(text);
}
