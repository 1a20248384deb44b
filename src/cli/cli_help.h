/*
 * cli_help.h — the options a command's help text lists, read from the text
 * (for "did you mean", the man pages and shell completion), and the
 * terminal helpers: colour and the progress line.
 */
#ifndef ABIGUARD_CLI_HELP_H
#define ABIGUARD_CLI_HELP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli.h"

#define CLI_HELP_MAX_NAMES 2
#define CLI_HELP_MAX_OPTIONS 64

/* One option line of a help text: "  -o, --output FILE   write to FILE". */
typedef struct cli_help_option {
    char names[CLI_HELP_MAX_NAMES][40];   /* "-o", "--output" */
    size_t n_names;
    char arg[40];                         /* "FILE", or "" for a flag */
    const char *desc;                     /* into the help text; continuation */
    size_t desc_len;                      /* lines included, '\n' between */
} cli_help_option;

/* The option lines of usage (lines starting with two spaces and '-'), in
   order, into out (at most max); returns how many there are. */
size_t cli_help_options(const char *usage, cli_help_option *out, size_t max);

const ag_command *cli_find_command(const char *name);

/* The candidate a mistyped word most likely meant, or NULL. */
const char *cli_suggest(const char *word, const char *const *candidates, size_t n);

/* cli_unknown_option (cli.h) for a command name. */
int cli_unknown_command(const char *name);

/* --color=auto|always|never (main.c takes it anywhere before "--"). */
typedef enum { CLI_COLOR_AUTO, CLI_COLOR_ALWAYS, CLI_COLOR_NEVER } cli_color_mode;
void cli_set_color_mode(cli_color_mode m);
int cli_parse_color_mode(const char *v);     /* -1 for an unknown word */
/* Whether to colour what goes to stream: always/never as asked; auto: a
   terminal, TERM not dumb, NO_COLOR unset or empty. Files named with -o are
   never coloured (the commands do not ask). */
bool cli_color_for(FILE *stream);

/* word left-aligned in width columns on stdout, in the verdict's colour
   when stdout takes colour (tables: history, matrix). */
void cli_print_verdict(const char *word, int verdict, int width);

/* Long work: a progress line on stderr when it is a terminal (shown once
   the work has taken a second), erased at the end. */
void cli_progress_start(void);
void cli_progress_end(void);

#endif
