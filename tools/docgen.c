/*
 * docgen.c — writes abiguard's man pages and shell completion from the
 * command table and help text the CLI prints (src/cli/main.c), at build
 * time, so they cannot disagree with `abiguard CMD --help`:
 *
 *   docgen man DIR      DIR/abiguard.1 and DIR/abiguard-COMMAND.1
 *   docgen bash FILE    bash completion (complete -F)
 *   docgen zsh FILE     zsh completion (#compdef)
 *
 * The help text's shape is what cli_help.c reads: "usage:" lines (the
 * synopsis), paragraphs, option lines ("  -o, --output FILE   text", more
 * indented lines continuing it), other indented lines (tables, shown as
 * they are), and a paragraph starting "exit" (the exit status).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/cli/cli.h"
#include "../src/cli/cli_help.h"
#include "../src/version.h"

static void die(const char *what, const char *path)
{
    fprintf(stderr, "docgen: %s: %s: %s\n", what, path, strerror(errno));
    exit(1);
}

/* ------------------------------------------------------------------ */
/* roff                                                                */

/* Text into roff: backslashes and dashes escaped, a leading '.' or '\''
   neutralised. */
static void roff_text(FILE *out, const char *s, size_t n, bool line_start)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (line_start && (c == '.' || c == '\''))
            fputs("\\&", out);
        line_start = false;
        if (c == '\\')
            fputs("\\e", out);
        else if (c == '-')
            fputs("\\-", out);
        else
            fputc(c, out);
        if (c == '\n')
            line_start = true;
    }
}

static void roff_str(FILE *out, const char *s)
{
    roff_text(out, s, strlen(s), true);
}

static void upper(char *dst, size_t size, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < size; i++)
        dst[i] = (char)(src[i] >= 'a' && src[i] <= 'z' ? src[i] - 32 : src[i]);
    dst[i] = '\0';
}

/* The lines of a text, with blank lines ending blocks. */
typedef struct line {
    const char *s;
    size_t n;
} line;

static size_t split_lines(const char *text, line *out, size_t max)
{
    size_t k = 0;
    const char *p = text;
    while (*p && k < max) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        out[k].s = p;
        out[k].n = n;
        k++;
        p = nl ? nl + 1 : p + n;
    }
    return k;
}

static bool blank(const line *l)
{
    return l->n == 0;
}

static bool option_line(const line *l)
{
    return l->n > 3 && l->s[0] == ' ' && l->s[1] == ' ' && l->s[2] == '-';
}

static bool indented(const line *l)
{
    return l->n > 0 && l->s[0] == ' ';
}

/* One option line and its continuation lines as a .TP entry. */
static size_t emit_option(FILE *out, const line *ls, size_t i, size_t end)
{
    cli_help_option o;
    char buf[1024];
    snprintf(buf, sizeof buf, "%.*s\n", (int)ls[i].n, ls[i].s);
    if (cli_help_options(buf, &o, 1) != 1)
        return i;
    fputs(".TP\n", out);
    for (size_t k = 0; k < o.n_names; k++) {
        fputs(k ? ", " : "", out);
        fputs("\\fB", out);
        roff_text(out, o.names[k], strlen(o.names[k]), false);
        fputs("\\fR", out);
    }
    if (*o.arg) {
        const char *last = o.names[o.n_names - 1], *at = strstr(buf, last);
        fputs(at && at[strlen(last)] == '=' ? "=" : " ", out);
        fputs("\\fI", out);
        roff_text(out, o.arg, strlen(o.arg), false);
        fputs("\\fR", out);
    }
    fputc('\n', out);
    const char *d = ls[i].s + (o.desc - buf);
    size_t dn = ls[i].n - (size_t)(o.desc - buf);
    roff_text(out, d, dn, true);
    fputc('\n', out);
    size_t j = i + 1;
    /* Continuation: more indented than an option line, and not an option. */
    for (; j < end && ls[j].n > 4 && strncmp(ls[j].s, "    ", 4) == 0 && !option_line(&ls[j]); j++) {
        const char *t = ls[j].s;
        size_t tn = ls[j].n;
        while (tn && *t == ' ')
            t++, tn--;
        roff_text(out, t, tn, true);
        fputc('\n', out);
    }
    return j - 1;
}

/* A block's lines: paragraphs of text, option entries, preformatted runs
   of other indented lines. */
static void emit_block(FILE *out, const line *ls, size_t start, size_t end)
{
    bool in_text = false;
    for (size_t i = start; i < end; i++) {
        if (option_line(&ls[i])) {
            in_text = false;
            i = emit_option(out, ls, i, end);
            continue;
        }
        if (indented(&ls[i])) {
            fputs(in_text ? ".PP\n.RS 4\n.nf\n" : ".RS 4\n.nf\n", out);
            for (; i < end && indented(&ls[i]) && !option_line(&ls[i]); i++) {
                const char *t = ls[i].s + 2;
                roff_text(out, t, ls[i].n - 2, true);
                fputc('\n', out);
            }
            fputs(".fi\n.RE\n", out);
            i--;
            in_text = false;
            continue;
        }
        if (!in_text)
            fputs(".PP\n", out);
        in_text = true;
        roff_text(out, ls[i].s, ls[i].n, true);
        fputc('\n', out);
    }
}

static bool block_has_options(const line *ls, size_t start, size_t end)
{
    for (size_t i = start; i < end; i++)
        if (option_line(&ls[i]))
            return true;
    return false;
}

static bool block_is_exit(const line *ls, size_t start)
{
    return strncmp(ls[start].s, "exit", 4) == 0;
}

#define MAX_LINES 1024

static void man_header(FILE *out, const char *title, const char *name, const char *summary)
{
    char up[128];
    upper(up, sizeof up, title);
    fprintf(out, ".\\\" Generated by tools/docgen.c from abiguard's help text; do not edit.\n");
    fprintf(out, ".TH %s 1 \"\" \"abiguard %s\" \"abiguard manual\"\n", up, ABIGUARD_VERSION);
    fputs(".SH NAME\n", out);
    roff_str(out, name);
    fputs(" \\- ", out);
    roff_text(out, summary, strlen(summary), false);
    fputc('\n', out);
}

static void command_page(const char *dir, const ag_command *c)
{
    char path[4096], title[128];
    snprintf(title, sizeof title, "abiguard-%s", c->name);
    snprintf(path, sizeof path, "%s/%s.1", dir, title);
    FILE *out = fopen(path, "w");
    if (!out)
        die("cannot write", path);
    man_header(out, title, title, c->summary);

    static line ls[MAX_LINES];
    size_t n = split_lines(c->usage, ls, MAX_LINES);
    size_t i = 0;
    fputs(".SH SYNOPSIS\n.nf\n", out);
    for (; i < n && !blank(&ls[i]); i++) {
        const char *t = ls[i].s;
        size_t tn = ls[i].n;
        if (strncmp(t, "usage: ", 7) == 0 || strncmp(t, "       ", 7) == 0)
            t += 7, tn -= 7;
        roff_text(out, t, tn, true);
        fputc('\n', out);
    }
    fputs(".fi\n", out);

    /* Blocks, in three passes: description, options, exit status. */
    for (int pass = 0; pass < 3; pass++) {
        bool titled = false;
        for (size_t b = i; b < n;) {
            while (b < n && blank(&ls[b]))
                b++;
            size_t e = b;
            while (e < n && !blank(&ls[e]))
                e++;
            if (b >= n)
                break;
            int kind = block_is_exit(ls, b) ? 2 : block_has_options(ls, b, e) ? 1 : 0;
            if (kind == pass) {
                if (!titled)
                    fputs(pass == 0 ? ".SH DESCRIPTION\n" : pass == 1 ? ".SH OPTIONS\n" : ".SH EXIT STATUS\n", out);
                titled = true;
                if (pass == 2) {
                    fputs(".nf\n", out);
                    for (size_t k = b; k < e; k++) {
                        roff_text(out, ls[k].s, ls[k].n, true);
                        fputc('\n', out);
                    }
                    fputs(".fi\n", out);
                } else {
                    emit_block(out, ls, b, e);
                }
            }
            b = e;
        }
    }
    fputs(".SH SEE ALSO\n.BR abiguard (1)\n", out);
    if (fclose(out) != 0)
        die("cannot write", path);
}

static void main_page(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/abiguard.1", dir);
    FILE *out = fopen(path, "w");
    if (!out)
        die("cannot write", path);
    man_header(out, "abiguard", "abiguard",
               "ABI-drift monitor and compatibility guard for native libraries used through language bindings");
    fputs(".SH SYNOPSIS\n.nf\n"
          "abiguard [\\-\\-version] [\\-\\-help] [\\-\\-color=\\fIWHEN\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n"
          ".fi\n"
          ".SH DESCRIPTION\n"
          ".PP\n"
          "abiguard reads the ABI of each release of a native library from the binary\n"
          "(ELF symbols and versions, DWARF layouts and signatures) into a deterministic\n"
          "JSON corpus, diffs releases with a verdict for every change, checks a binding\n"
          "against a release, keeps a store of releases, serves a JSON API and a\n"
          "dashboard, and writes the load\\-time guard a binding ships.\n"
          "Each command has its own page, \\fBabiguard\\-\\fR\\fICOMMAND\\fR(1), with the\n"
          "text of \\fBabiguard \\fR\\fICOMMAND\\fR \\fB\\-\\-help\\fR.\n"
          ".SH COMMANDS\n", out);
    for (const ag_command *c = ag_commands; c->name; c++) {
        fputs(".TP\n.BR abiguard\\-", out);
        roff_text(out, c->name, strlen(c->name), false);
        fputs(" (1)\n", out);
        roff_str(out, c->summary);
        fputc('\n', out);
    }
    fputs(".SH OPTIONS\n", out);
    static line ls[MAX_LINES];
    size_t n = split_lines(ag_global_options, ls, MAX_LINES);
    emit_block(out, ls, 0, n);
    fputs(".SH EXIT STATUS\n"
          "The bit mask of libabigail's abidiff, so scripts written for it keep working:\n"
          ".TP\n.B 0\nsuccess; for diff and check: no ABI change, or only harmless ones\n"
          ".TP\n.B 1\nerror: one line on standard error, \\fBabiguard: error: FILE: what is wrong\\fR\n"
          ".TP\n.B 2\nusage error\n"
          ".TP\n.B 4\n(diff, check) the ABI changed\n"
          ".TP\n.B 8\n(diff, check) a change at or above \\-\\-fail\\-on, always with 4: 12\n"
          ".SH ENVIRONMENT\n"
          ".TP\n.B ABIGUARD_DB\nthe store when \\-\\-db is not given (else ./abiguard.db)\n"
          ".TP\n.B ABIGUARD_TOKEN\nthe bearer token of push when \\-\\-token\\-file is not given\n"
          ".TP\n.B ABIGUARD_POLICY\nat a binding's run time: default, strict, warn or off, over the stub's compiled policy\n"
          ".TP\n.B DEBUGINFOD_URLS\ndebuginfod servers (blank\\-separated) asked for missing debug info\n"
          ".TP\n.B XDG_CACHE_HOME\nwhere downloaded debug info is cached (abiguard/debuginfo/)\n"
          ".TP\n.B NO_COLOR\nset and not empty: no colour unless \\-\\-color=always\n"
          ".SH FILES\n"
          ".TP\n.I PREFIX/share/abiguard/web\nthe dashboard that \\fBabiguard serve\\fR serves (found next to the binary)\n"
          ".TP\n.I PREFIX/share/abiguard/hooks\nthe CI gate (abiguard\\-gate), the pre\\-commit hook, GitHub Actions and GitLab CI examples\n"
          ".TP\n.I PREFIX/share/doc/abiguard\nthe README, the API contract (api.md) and the diff JSON schema (diff\\-json.md)\n"
          ".SH SEE ALSO\n", out);
    for (const ag_command *c = ag_commands; c->name; c++) {
        fputs(".BR abiguard\\-", out);
        roff_text(out, c->name, strlen(c->name), false);
        fprintf(out, " (1)%s\n", c[1].name ? "," : "");
    }
    if (fclose(out) != 0)
        die("cannot write", path);
}

/* ------------------------------------------------------------------ */
/* Completion                                                          */

/* The words an option takes, when the synopsis spells them:
   "[--format text|json|markdown]" -> "text json markdown". */
static void option_choices(const char *usage, const char *name, char *buf, size_t size)
{
    buf[0] = '\0';
    size_t nl = strlen(name);
    for (const char *p = strstr(usage, name); p; p = strstr(p + 1, name)) {
        if ((p[nl] != ' ' && p[nl] != '=') || (p > usage && p[-1] != '[' && p[-1] != ' '))
            continue;
        const char *v = p + nl + 1, *e = v;
        while (*e && *e != ']' && *e != ' ' && *e != '\n')
            e++;
        if (!memchr(v, '|', (size_t)(e - v)))
            continue;
        size_t k = 0;
        for (const char *q = v; q < e && k + 2 < size; q++)
            buf[k++] = *q == '|' ? ' ' : *q;
        buf[k] = '\0';
        /* Only lowercase words: a placeholder list (LIB.so|NAME@V) is not one. */
        for (size_t j = 0; j < k; j++)
            if (buf[j] >= 'A' && buf[j] <= 'Z') {
                buf[0] = '\0';
                break;
            }
        if (buf[0])
            return;
    }
}

/* What an argument placeholder completes to: directories, files, nothing. */
static const char *arg_kind(const char *arg)
{
    if (strcmp(arg, "DIR") == 0)
        return "dir";
    if (strstr(arg, "FILE") || strstr(arg, "LIB") || strcmp(arg, "REL") == 0)
        return "file";
    return "none";
}

static void bash_completion(const char *path)
{
    FILE *out = fopen(path, "w");
    if (!out)
        die("cannot write", path);
    fputs("# bash completion for abiguard -*- shell-script -*-\n"
          "# Generated by tools/docgen.c from abiguard's help text; do not edit.\n\n"
          "_abiguard()\n{\n"
          "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
          "    local cmd='' i\n"
          "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
          "        case ${COMP_WORDS[i]} in\n"
          "            -*) ;;\n"
          "            *) cmd=${COMP_WORDS[i]}; break ;;\n"
          "        esac\n"
          "    done\n"
          "    local opts='' files='' dirs='' none='' choices=''\n"
          "    case $cmd in\n", out);
    fputs("        '')\n            opts='--help --version --color= --no-color'\n"
          "            if [[ $cur != -* ]]; then\n"
          "                COMPREPLY=($(compgen -W '", out);
    for (const ag_command *c = ag_commands; c->name; c++)
        fprintf(out, "%s%s", c == ag_commands ? "" : " ", c->name);
    fputs(" help' -- \"$cur\"))\n                return\n            fi ;;\n", out);
    for (const ag_command *c = ag_commands; c->name; c++) {
        cli_help_option opts[CLI_HELP_MAX_OPTIONS];
        size_t n = cli_help_options(c->usage, opts, CLI_HELP_MAX_OPTIONS);
        if (n > CLI_HELP_MAX_OPTIONS)
            n = CLI_HELP_MAX_OPTIONS;
        fprintf(out, "        %s)\n            opts='--help --color= --no-color", c->name);
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < opts[i].n_names; k++)
                fprintf(out, " %s", opts[i].names[k]);
        fputs("'\n", out);
        const char *kinds[] = { "files", "dirs", "none" };
        const char *want[] = { "file", "dir", "none" };
        for (int t = 0; t < 3; t++) {
            fprintf(out, "            %s='", kinds[t]);
            bool first = true;
            for (size_t i = 0; i < n; i++) {
                if (!*opts[i].arg || strcmp(arg_kind(opts[i].arg), want[t]) != 0)
                    continue;
                char ch[256];
                option_choices(c->usage, opts[i].names[opts[i].n_names - 1], ch, sizeof ch);
                if (t == 2 && *ch)
                    continue;
                for (size_t k = 0; k < opts[i].n_names; k++) {
                    fprintf(out, "%s%s", first ? "" : " ", opts[i].names[k]);
                    first = false;
                }
            }
            fputs("'\n", out);
        }
        fputs("            case $prev in\n", out);
        for (size_t i = 0; i < n; i++) {
            char ch[256];
            if (!*opts[i].arg)
                continue;
            option_choices(c->usage, opts[i].names[opts[i].n_names - 1], ch, sizeof ch);
            if (!*ch)
                continue;
            fputs("                ", out);
            for (size_t k = 0; k < opts[i].n_names; k++)
                fprintf(out, "%s%s", k ? "|" : "", opts[i].names[k]);
            fprintf(out, ") choices='%s' ;;\n", ch);
        }
        fputs("            esac ;;\n", out);
    }
    fputs("    esac\n"
          "    if [[ $cur == --color=* ]]; then\n"
          "        COMPREPLY=($(compgen -W 'auto always never' -- \"${cur#--color=}\"))\n"
          "        return\n"
          "    fi\n"
          "    if [[ -n $choices ]]; then\n"
          "        COMPREPLY=($(compgen -W \"$choices\" -- \"$cur\"))\n"
          "        return\n"
          "    fi\n"
          "    local w\n"
          "    for w in $dirs; do\n"
          "        if [[ $prev == \"$w\" ]]; then COMPREPLY=($(compgen -d -- \"$cur\")); return; fi\n"
          "    done\n"
          "    for w in $none; do\n"
          "        if [[ $prev == \"$w\" ]]; then COMPREPLY=(); return; fi\n"
          "    done\n"
          "    if [[ $cur == -* ]]; then\n"
          "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
          "        [[ ${COMPREPLY[0]-} == *= ]] && compopt -o nospace 2>/dev/null\n"
          "        return\n"
          "    fi\n"
          "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
          "    compopt -o filenames 2>/dev/null\n"
          "}\n"
          "complete -F _abiguard abiguard\n", out);
    if (fclose(out) != 0)
        die("cannot write", path);
}

/* zsh _arguments descriptions: no brackets, colons or quotes. */
static void zsh_desc(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n && i < 70; i++) {
        char c = s[i];
        if (c == '\n')
            break;
        if (c == '[' || c == ']')
            c = c == '[' ? '(' : ')';
        else if (c == ':' || c == '\'' || c == '\\' || c == '`' || c == '$')
            c = ' ';
        fputc(c, out);
    }
}

static void zsh_completion(const char *path)
{
    FILE *out = fopen(path, "w");
    if (!out)
        die("cannot write", path);
    fputs("#compdef abiguard\n"
          "# zsh completion for abiguard. Generated by tools/docgen.c from\n"
          "# abiguard's help text; do not edit.\n\n"
          "_abiguard() {\n"
          "  local -a commands\n"
          "  commands=(\n", out);
    for (const ag_command *c = ag_commands; c->name; c++) {
        fprintf(out, "    '%s:", c->name);
        zsh_desc(out, c->summary, strlen(c->summary));
        fputs("'\n", out);
    }
    fputs("  )\n"
          "  if (( CURRENT == 2 )); then\n"
          "    _describe -t commands 'abiguard command' commands\n"
          "    return\n"
          "  fi\n"
          "  local cmd=$words[2]\n"
          "  shift words\n"
          "  (( CURRENT-- ))\n"
          "  case $cmd in\n", out);
    for (const ag_command *c = ag_commands; c->name; c++) {
        cli_help_option opts[CLI_HELP_MAX_OPTIONS];
        size_t n = cli_help_options(c->usage, opts, CLI_HELP_MAX_OPTIONS);
        if (n > CLI_HELP_MAX_OPTIONS)
            n = CLI_HELP_MAX_OPTIONS;
        fprintf(out, "    %s)\n      _arguments \\\n        '(- *)--help[show the help]' \\\n", c->name);
        for (size_t i = 0; i < n; i++) {
            for (size_t k = 0; k < opts[i].n_names; k++) {
                fprintf(out, "        '*%s[", opts[i].names[k]);
                zsh_desc(out, opts[i].desc, opts[i].desc_len);
                fputc(']', out);
                if (*opts[i].arg) {
                    char ch[256];
                    option_choices(c->usage, opts[i].names[opts[i].n_names - 1], ch, sizeof ch);
                    const char *kind = arg_kind(opts[i].arg);
                    char msg[sizeof opts[i].arg];
                    snprintf(msg, sizeof msg, "%s", opts[i].arg);
                    for (char *m = msg; *m; m++)
                        if (*m == ':')
                            *m = '_';
                    if (*ch)
                        fprintf(out, ":%s:(%s)", msg, ch);
                    else
                        fprintf(out, ":%s:%s", msg,
                                strcmp(kind, "dir") == 0 ? "_files -/" : strcmp(kind, "file") == 0 ? "_files" : " ");
                }
                fputs("' \\\n", out);
            }
        }
        fputs("        '*:argument:_files' ;;\n", out);
    }
    fputs("  esac\n"
          "}\n\n"
          "_abiguard \"$@\"\n", out);
    if (fclose(out) != 0)
        die("cannot write", path);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "man") == 0) {
        main_page(argv[2]);
        for (const ag_command *c = ag_commands; c->name; c++)
            command_page(argv[2], c);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "bash") == 0) {
        bash_completion(argv[2]);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "zsh") == 0) {
        zsh_completion(argv[2]);
        return 0;
    }
    fprintf(stderr, "usage: docgen man DIR | bash FILE | zsh FILE\n");
    return 2;
}
