/*
 * cmd_audit.c — `abiguard audit ARTIFACT [--target T]...`: will every
 * native binary in a wheel, jar, npm package, .deb, tarball or directory
 * load on each target (audit.h)? Prints the target × binary table in the
 * format asked for; exits 0 when all load, 4 with warnings only, 12 when
 * some binary fails to load on some target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "../atomic_file.h"
#include "../audit.h"

typedef struct audit_args {
    const char *artifact;
    const char **targets;
    size_t n_targets;
    ag_report_format format;
    const char *output;
    const char *db;        /* match bundled libraries with this store's releases */
    const char *server;    /* ... or with this service's */
    bool insecure;
} audit_args;

static int parse_audit_args(int argc, char **argv, audit_args *a)
{
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = NULL;
        if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            if (strcmp(arg, "--") == 0) {
                options_done = true;
                continue;
            }
            int r = cli_opt_value("audit", argc, argv, &i, "--target", "-t", &value);
            if (r == 1) {
                a->targets[a->n_targets++] = value;
                continue;
            }
            if (r == 0 && (r = cli_opt_value("audit", argc, argv, &i, "--format", NULL, &value)) == 1) {
                int f = ag_report_format_from_name(value);
                if (f < 0)
                    return cli_usage_error("audit", "unknown format '%s' (text, json, markdown, junit, sarif)", value);
                a->format = (ag_report_format)f;
                continue;
            }
            if (r == 0)
                r = cli_opt_value("audit", argc, argv, &i, "--output", "-o", &a->output);
            if (r == 0)
                r = cli_opt_value("audit", argc, argv, &i, "--db", NULL, &a->db);
            if (r == 0)
                r = cli_opt_value("audit", argc, argv, &i, "--server", NULL, &a->server);
            if (r == 0 && strcmp(arg, "--insecure") == 0) {
                a->insecure = true;
                continue;
            }
            if (r < 0)
                return AG_EXIT_USAGE;
            if (r == 0)
                return cli_usage_error("audit", "unknown option '%s'", arg);
            continue;
        }
        if (a->artifact)
            return cli_usage_error("audit", "expected one ARTIFACT, got also '%s'", arg);
        a->artifact = arg;
    }
    if (!a->artifact)
        return cli_usage_error("audit", "missing ARTIFACT");
    if (a->db && a->server)
        return cli_usage_error("audit", "give --db FILE or --server URL, not both");
    if (a->server && strncmp(a->server, "http://", 7) != 0 && strncmp(a->server, "https://", 8) != 0)
        return cli_usage_error("audit", "--server needs an http:// or https:// URL, not '%s'", a->server);
    if (a->output && strcmp(a->output, "-") == 0)
        a->output = NULL;
    return AG_EXIT_OK;
}

typedef struct audit_job {
    const ag_audit *audit;
    ag_report_format format;
} audit_job;

static ag_status write_audit(FILE *f, const void *arg, ag_error *err)
{
    const audit_job *job = arg;
    return ag_audit_write(job->audit, job->format, f, err);
}

int cmd_audit(int argc, char **argv)
{
    audit_args a = { .targets = calloc((size_t)argc + 1, sizeof(const char *)), .format = AG_FMT_TEXT };
    if (!a.targets) {
        cli_error(NULL, "out of memory");
        return AG_EXIT_ERROR;
    }
    int rc = parse_audit_args(argc, argv, &a);
    if (rc != AG_EXIT_OK) {
        free(a.targets);
        return rc;
    }
    ag_error err = { .msg = "" };
    ag_release_catalog *cat = NULL;
    ag_status st = a.db ? ag_release_catalog_from_store(a.db, &cat, &err)
                 : a.server ? ag_release_catalog_from_server(a.server, a.insecure, &cat, &err) : AG_OK;
    if (st != AG_OK) {
        cli_error(a.db ? a.db : a.server, "%s", err.msg);
        free(a.targets);
        return AG_EXIT_ERROR;
    }
    ag_audit *audit = NULL;
    ag_audit_options opts = { .catalog = cat };
    st = ag_audit_run_with(a.artifact, a.targets, a.n_targets, &opts, &audit, &err);
    ag_release_catalog_free(cat);
    if (st != AG_OK) {
        cli_error(a.artifact, "%s", err.msg);
        free(a.targets);
        return st == AG_ERR_USAGE ? AG_EXIT_USAGE : AG_EXIT_ERROR;
    }
    audit_job job = { audit, a.format };
    st = a.output ? ag_write_file_atomically(a.output, write_audit, &job, &err)
                  : ag_audit_write(audit, a.format, stdout, &err);
    rc = ag_audit_exit_status(audit);
    if (st != AG_OK) {
        cli_error(a.output ? a.output : "<stdout>", "%s", err.msg);
        rc = AG_EXIT_ERROR;
    }
    ag_audit_free(audit);
    free(a.targets);
    return rc;
}
