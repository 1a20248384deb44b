/*
 * cmd_change_kinds.c — `abiguard change-kinds`: prints the table of change
 * kinds (id, verdict, area, why) straight from change_kinds.c. The README's
 * table is this command's Markdown output, so the documentation cannot
 * drift from the code.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "../change_kinds.h"
#include "../report.h"

static void print_text(FILE *out)
{
    int width = (int)strlen("ID");
    for (int k = 0; k < AG_CK__COUNT; k++) {
        const ag_change_kind_info *info = ag_change_kind_info_of((ag_change_kind)k);
        if (info && (int)strlen(info->id) > width)
            width = (int)strlen(info->id);
    }
    fprintf(out, "%-*s  %-10s  %-9s  %s\n", width, "ID", "VERDICT", "AREA", "WHY");
    for (int k = 0; k < AG_CK__COUNT; k++) {
        const ag_change_kind_info *info = ag_change_kind_info_of((ag_change_kind)k);
        if (info)
            fprintf(out, "%-*s  %-10s  %-9s  %s\n", width, info->id, ag_verdict_name(info->verdict),
                    ag_report_area_name(info->area), info->why);
    }
}

/* A table cell: '|' would end the cell early. */
static void md_cell(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", out);
        else
            fputc(*s, out);
    }
}

static void print_markdown(FILE *out)
{
    fputs("| id | verdict | area | why |\n| --- | --- | --- | --- |\n", out);
    for (int k = 0; k < AG_CK__COUNT; k++) {
        const ag_change_kind_info *info = ag_change_kind_info_of((ag_change_kind)k);
        if (!info)
            continue;
        fprintf(out, "| `%s` | %s | %s | ", info->id, ag_verdict_name(info->verdict),
                ag_report_area_name(info->area));
        md_cell(out, info->why);
        fputs(" |\n", out);
    }
}

int cmd_change_kinds(int argc, char **argv)
{
    const char *format = "text";
    for (int i = 1; i < argc; i++) {
        int r = cli_opt_value("change-kinds", argc, argv, &i, "--format", NULL, &format);
        if (r < 0)
            return AG_EXIT_USAGE;
        if (r == 0)
            return argv[i][0] == '-' ? cli_unknown_option("change-kinds", argv[i])
                                     : cli_usage_error("change-kinds", "unexpected argument '%s'", argv[i]);
    }
    if (strcmp(format, "text") == 0)
        print_text(stdout);
    else if (strcmp(format, "markdown") == 0)
        print_markdown(stdout);
    else
        return cli_usage_error("change-kinds", "unknown format '%s' (text, markdown)", format);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("<stdout>", "cannot write");
        return AG_EXIT_ERROR;
    }
    return AG_EXIT_OK;
}
