/*
 * main.c — the abiguard command: the table of subcommands, --help and
 * --version, and dispatch. Each subcommand lives in cmd_<name>.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../version.h"

const ag_command ag_commands[] = {
    { "extract", cmd_extract, "read a shared object's ABI (ELF + DWARF) into a corpus JSON",
      "usage: abiguard extract LIB.so [--debug-dir DIR]... [--no-system-debug] [-o FILE]\n"
      "\n"
      "Reads LIB.so and its debug info (in the file, via .gnu_debuglink,\n"
      "/usr/lib/debug/.build-id, or --debug-dir) and writes its ABI corpus\n"
      "(format abiguard-corpus/1) to FILE or stdout.\n"
      "\n"
      "  --debug-dir DIR     also look for separate debug files under DIR (repeatable)\n"
      "  --no-system-debug   do not look under /usr/lib/debug\n"
      "  -o, --output FILE   write to FILE instead of stdout (replaced atomically)\n"
      "\n"
      "exit: 0 ok, 1 error, 2 usage\n" },
    { "show", cmd_show, "print a readable view of a corpus or library",
      "usage: abiguard show FILE.json|LIB.so [--type NAME] [--function NAME] [--debug-dir DIR]...\n"
      "\n"
      "Without options: identity, symbol counts, functions and variables.\n"
      "  --type NAME       one type; structs and unions shown with offsets, sizes\n"
      "                    and holes, as pahole does (NAME: 'struct foo', 'foo_t', 'foo')\n"
      "  --function NAME   one function's signature and the types it reaches\n"
      "  --debug-dir DIR   as for extract, when given a shared object\n"
      "\n"
      "exit: 0 ok, 1 error, 2 usage\n" },
    { NULL, NULL, NULL, NULL },
};

static void print_main_help(FILE *out)
{
    fprintf(out,
            "usage: abiguard [--version] [--help] COMMAND [ARGS]\n"
            "\n"
            "abiguard %s: ABI-drift monitor and compatibility guard for native libraries\n"
            "used through language bindings.\n"
            "\n"
            "commands:\n", ABIGUARD_VERSION);
    for (const ag_command *c = ag_commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\n'abiguard COMMAND --help' describes one command.\n"
                 "exit codes: 0 ok / no change, 1 error, 2 usage, 4 ABI changed, 8 incompatible\n");
}

static void vreport(const char *level, const char *subject, const char *fmt, va_list ap)
{
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* One line, always: fold any newline the message may carry. */
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    if (subject)
        fprintf(stderr, "abiguard: %s: %s: %s\n", level, subject, msg);
    else
        fprintf(stderr, "abiguard: %s: %s\n", level, msg);
}

void cli_error(const char *subject, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("error", subject, fmt, ap);
    va_end(ap);
}

void cli_warning(const char *subject, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("warning", subject, fmt, ap);
    va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("error", cmd, fmt, ap);
    va_end(ap);
    fprintf(stderr, "try 'abiguard %s --help'\n", cmd);
    return AG_EXIT_USAGE;
}

int cli_wants_help(const char *cmd, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            for (const ag_command *c = ag_commands; c->name; c++)
                if (strcmp(c->name, cmd) == 0)
                    fputs(c->usage, stdout);
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_main_help(stderr);
        return AG_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        if (argc > 2 && strcmp(argv[1], "help") == 0) {
            char *sub[] = { argv[2], "--help", NULL };
            for (const ag_command *c = ag_commands; c->name; c++)
                if (strcmp(c->name, argv[2]) == 0)
                    return cli_wants_help(c->name, 2, sub) ? AG_EXIT_OK : AG_EXIT_OK;
        }
        print_main_help(stdout);
        return AG_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("abiguard %s\n", ABIGUARD_VERSION);
        return AG_EXIT_OK;
    }
    for (const ag_command *c = ag_commands; c->name; c++) {
        if (strcmp(c->name, argv[1]) == 0) {
            if (cli_wants_help(c->name, argc - 1, argv + 1))
                return AG_EXIT_OK;
            return c->run(argc - 1, argv + 1);
        }
    }
    cli_error(NULL, "unknown command '%s'", argv[1]);
    fprintf(stderr, "try 'abiguard --help'\n");
    return AG_EXIT_USAGE;
}
