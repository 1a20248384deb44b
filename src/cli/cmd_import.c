/*
 * cmd_import.c — `abiguard import FILE.json --library NAME --version V`:
 * records a corpus JSON (from `extract`, or a committed baseline) in the
 * store. Everything but reading the input is shared with `add` (cmd_add.c).
 */
#include "cli.h"

int cmd_import(int argc, char **argv)
{
    return cli_store_release_command("import", argc, argv, 0);
}
