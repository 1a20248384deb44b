/*
 * cmd_push.c — `abiguard push`: upload one release's corpus to an abiguard
 * service (POST /api/v1/libraries/{lib}/releases/{ver}, docs/api.md). The
 * input is a shared object (extracted here, with the usual debug-info
 * search, debuginfod included), a corpus JSON (validated here, so a bad
 * file fails before any network traffic), or an artifact: every shared
 * object in it is sent in one body (abiguard-release/1, docs/api.md) and
 * stored as one release; ARTIFACT:NAME sends that one. Failures end in one line that
 * carries the server's own error message; 5xx answers and connection
 * failures are retried with exponential backoff, 4xx answers never.
 *
 * With --binding NAME it registers a binding instead (POST
 * /api/v1/libraries/{lib}/bindings/{name}/{ver}): what `check` reads from
 * it (binding.h: its imports, its DWARF's declarations of them, the types
 * it holds by value, its DT_NEEDED libraries as the loader finds them
 * here), so the service can say which releases it can run with.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_artifact.h"
#include "../binding.h"
#include "../corpus_json.h"
#include "../extract.h"
#include "../http_client.h"
#include "../server.h"

#define DEFAULT_TIMEOUT_S 60L
#define DEFAULT_RETRIES 3L
#define MAX_RETRIES 20L
#define MAX_TIMEOUT_S 86400L

typedef struct push_args {
    const char *input;
    const char *server;
    const char *library;
    const char *version;
    const char *token_file;
    const char *date;
    const char *notes;
    const char *source_url;
    const char *binding;        /* --binding NAME: register a binding */
    const char *built_against;  /* --built-against LIB@V: its version part */
    bool replace;
    bool insecure;
    long timeout_s;
    long retries;
    cli_debug_opts debug;
    cli_surface_opts surface;
} push_args;

/* A whole decimal number in [min, max]. */
static bool parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static int parse_push_args(int argc, char **argv, push_args *a)
{
    const char *timeout = NULL, *retries = NULL;
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            if (strcmp(arg, "--") == 0) {
                options_done = true;
                continue;
            }
            if (strcmp(arg, "--replace") == 0) {
                a->replace = true;
                continue;
            }
            if (strcmp(arg, "--insecure") == 0) {
                a->insecure = true;
                continue;
            }
            int r = cli_debug_option("push", argc, argv, &i, &a->debug);
            if (r == 0) r = cli_surface_option("push", argc, argv, &i, &a->surface);
            if (r == 0) r = cli_opt_value("push", argc, argv, &i, "--server", NULL, &a->server);
            if (r == 0) r = cli_opt_value("push", argc, argv, &i, "--library", NULL, &a->library);
            if (r == 0) r = cli_opt_value("push", argc, argv, &i, "--version", NULL, &a->version);
            if (r == 0) r = cli_opt_value("push", argc, argv, &i, "--token-file", NULL, &a->token_file);
            if (r == 0) r = cli_opt_value("push", argc, argv, &i, "--date", NULL, &a->date);
            if (r == 0) r = cli_opt_value("push", argc, argv, &i, "--notes", NULL, &a->notes);
            if (r == 0) r = cli_opt_value("push", argc, argv, &i, "--source-url", NULL, &a->source_url);
            if (r == 0) r = cli_opt_value("push", argc, argv, &i, "--binding", NULL, &a->binding);
            if (r == 0) r = cli_opt_value("push", argc, argv, &i, "--built-against", NULL, &a->built_against);
            if (r == 0) r = cli_opt_value("push", argc, argv, &i, "--timeout", NULL, &timeout);
            if (r == 0) r = cli_opt_value("push", argc, argv, &i, "--retries", NULL, &retries);
            if (r < 0)
                return AG_EXIT_USAGE;
            if (r == 0)
                return cli_unknown_option("push", arg);
            continue;
        }
        if (a->input)
            return cli_usage_error("push", "expected one LIB.so or FILE.json, got also '%s'", arg);
        a->input = arg;
    }
    if (!a->input)
        return cli_usage_error("push", "missing LIB.so or FILE.json");
    if (!a->server)
        return cli_usage_error("push", "missing --server URL");
    if (strncmp(a->server, "http://", 7) != 0 && strncmp(a->server, "https://", 8) != 0)
        return cli_usage_error("push", "--server needs an http:// or https:// URL, not '%s'", a->server);
    if (!a->library)
        return cli_usage_error("push", "missing --library NAME");
    if (!a->version)
        return cli_usage_error("push", "missing --version V");
    if (!*a->library || !*a->version)
        return cli_usage_error("push", "--library and --version must not be empty");
    if (strchr(a->library, '/') || strchr(a->version, '/'))
        return cli_usage_error("push", "--library and --version must not contain '/'");
    if (strchr(a->version, '@'))
        return cli_usage_error("push", "--version must not contain '@' (NAME@VERSION would be ambiguous)");
    if (a->binding && (!*a->binding || strchr(a->binding, '/') || strchr(a->binding, '@')))
        return cli_usage_error("push", "--binding needs a name without '/' or '@'");
    if (a->built_against && !a->binding)
        return cli_usage_error("push", "--built-against goes with --binding NAME");
    if (a->source_url && a->binding)
        return cli_usage_error("push", "--source-url is a release's, not a binding's");
    if (a->source_url && !cli_source_url_ok(a->source_url))
        return cli_usage_error("push", "--source-url needs an http:// or https:// URL pattern with {file} "
                                       "(and optionally {version}, {line}), not '%s'", a->source_url);
    if (a->built_against) {
        const char *at = strrchr(a->built_against, '@');
        if (!at || at == a->built_against || !at[1] || (size_t)(at - a->built_against) != strlen(a->library) ||
            strncmp(a->built_against, a->library, strlen(a->library)) != 0)
            return cli_usage_error("push", "--built-against needs %s@VERSION (the --library it was built "
                                           "against), not '%s'", a->library, a->built_against);
        a->built_against = at + 1;
    }
    a->timeout_s = DEFAULT_TIMEOUT_S;
    a->retries = DEFAULT_RETRIES;
    if (timeout && !parse_long(timeout, 1, MAX_TIMEOUT_S, &a->timeout_s))
        return cli_usage_error("push", "--timeout needs a whole number of seconds (1 to %ld), not '%s'",
                               MAX_TIMEOUT_S, timeout);
    if (retries && !parse_long(retries, 0, MAX_RETRIES, &a->retries))
        return cli_usage_error("push", "--retries needs a number from 0 to %ld, not '%s'", MAX_RETRIES, retries);
    if (a->date && *a->date == '\0')
        a->date = NULL;
    return AG_EXIT_OK;
}

/* Every shared object of an artifact, as one abiguard-release/1 body:
   {"format", "binaries": [{"path", "corpus"}]}. */
static char *release_body(const char *artifact, const cli_debug_opts *debug, const ag_header_set *headers,
                          ag_error *err)
{
    cli_release rel = { 0 };
    ag_status st = cli_load_artifact_release(artifact, debug, headers, false, &rel, err);
    if (st == AG_OK && rel.n == 0)
        st = ag_fail(err, AG_ERR_NOTFOUND, "no ELF shared object in this %s", rel.kind);
    json_t *root = json_object(), *bins = json_array();
    json_object_set_new(root, "format", json_string(AG_RELEASE_UPLOAD_FORMAT));
    json_object_set_new(root, "binaries", bins);
    for (size_t i = 0; st == AG_OK && i < rel.n; i++) {
        if (!rel.corpora[i]->has_debug_info)
            cli_warning(artifact, "%s: no debug info found; types are unknown (use --debug-package or --debug-dir)",
                        rel.inner_paths[i]);
        char *text = ag_corpus_to_json(rel.corpora[i], err);
        json_t *corpus = text ? json_loads(text, 0, NULL) : NULL;
        free(text);
        if (!corpus) {
            st = ag_fail(err, AG_ERR_NOMEM, "cannot serialize %s", rel.inner_paths[i]);
            break;
        }
        json_array_append_new(bins, json_pack("{s:s,s:o}", "path", rel.inner_paths[i], "corpus", corpus));
    }
    char *body = st == AG_OK ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (st == AG_OK && !body)
        ag_fail(err, AG_ERR_NOMEM, "out of memory");
    json_decref(root);
    cli_release_free(&rel);
    return body;
}

/* The corpus as JSON text: extracted from a shared object, or a corpus
   file read and validated, then written in canonical form. */
static char *corpus_body(const push_args *a)
{
    ag_error err = { .msg = "" };
    bool is_elf = false;
    ag_header_set *headers = NULL;
    ag_status st = cli_surface_headers(&a->surface, &headers, &err);
    char *artifact = NULL, *member = NULL;
    bool from_artifact = st == AG_OK && cli_artifact_arg(a->input, &artifact, &member);
    if (st == AG_OK && !from_artifact)
        st = cli_is_elf(a->input, &is_elf, &err);
    ag_corpus *c = NULL;
    if (from_artifact && !member) {
        char *text = release_body(artifact, &a->debug, headers, &err);
        free(artifact);
        ag_header_set_free(headers);
        if (!text)
            cli_error(a->input, "%s", err.msg);
        return text;
    }
    if (from_artifact) {
        /* One binary of an artifact: ARTIFACT:NAME. */
        st = cli_load_artifact_binary(artifact, member, &a->debug, headers, &c, &err);
        free(artifact);
        free(member);
    } else if (st == AG_OK && is_elf) {
        ag_debug_search search = cli_debug_search(&a->debug);
        st = ag_extract_with_headers(a->input, &search, headers, &c, &err);
        if (st == AG_OK && !c->has_debug_info)
            cli_warning(a->input, "no debug info found; types are unknown (use --debug-dir or --debuginfod)");
    } else if (st == AG_OK) {
        st = cli_read_corpus(a->input, &c, &err);
        if (st == AG_OK && headers)
            st = ag_surface_apply(c, headers, &err);
    }
    ag_header_set_free(headers);
    char *text = st == AG_OK ? ag_corpus_to_json(c, &err) : NULL;
    if (!text)
        cli_error(a->input, "%s", err.msg);
    ag_corpus_free(c);
    return text;
}

/* What check reads from the binding, as abiguard-binding/1 JSON. */
static char *binding_body(const push_args *a)
{
    ag_error err = { .msg = "" };
    ag_debug_search search = cli_debug_search(&a->debug);
    ag_binding_view *v = NULL;
    char *text = NULL;
    if (ag_binding_read(a->input, &search, &v, &err) == AG_OK) {
        if (!v->corpus->has_debug_info)
            cli_warning(a->input, "no debug info found: the service checks its imported symbols and versions "
                                  "(and types from the --built-against release, when stored)");
        text = ag_binding_view_to_json(v, &err);
    }
    if (!text)
        cli_error(a->input, "%s", err.msg);
    ag_binding_view_free(v);
    return text;
}

/* server/api/v1/libraries/{lib}/releases/{ver}?replace=1&date=..&notes=..
   or .../libraries/{lib}/bindings/{name}/{ver}?replace=1&built_against=..
   (each part percent-encoded). */
static char *release_url(const push_args *a)
{
    const char *names[] = { "replace", "date", "notes", "source_url", "built_against" };
    const char *values[] = { a->replace ? "1" : NULL, a->date, a->notes, a->source_url, a->built_against };
    char *url = NULL;
    size_t url_len = 0;
    FILE *out = open_memstream(&url, &url_len);
    if (!out) {
        cli_error(NULL, "out of memory");
        return NULL;
    }
    size_t len = strlen(a->server);
    while (len > 0 && a->server[len - 1] == '/')
        len--;
    char *lib = ag_http_escape(a->library), *ver = ag_http_escape(a->version);
    char *name = a->binding ? ag_http_escape(a->binding) : NULL;
    bool ok = lib && ver && (!a->binding || name);
    if (ok && a->binding)
        fprintf(out, "%.*s/api/v1/libraries/%s/bindings/%s/%s", (int)len, a->server, lib, name, ver);
    else if (ok)
        fprintf(out, "%.*s/api/v1/libraries/%s/releases/%s", (int)len, a->server, lib, ver);
    free(name);
    char sep = '?';
    for (size_t i = 0; ok && i < sizeof names / sizeof names[0]; i++) {
        if (!values[i])
            continue;
        char *v = ag_http_escape(values[i]);
        ok = v != NULL;
        if (ok)
            fprintf(out, "%c%s=%s", sep, names[i], v);
        sep = '&';
        free(v);
    }
    ok = fclose(out) == 0 && ok;
    free(lib);
    free(ver);
    if (!ok) {
        free(url);
        cli_error(NULL, "out of memory");
        return NULL;
    }
    return url;
}

/* 2xx: "pushed NAME@V to SERVER (N types, M functions)". */
static void report_success(const push_args *a, const ag_http_response *resp)
{
    json_t *root = json_loadb(resp->body, resp->body_len, 0, NULL);
    json_t *types = json_object_get(root, "types"), *functions = json_object_get(root, "functions");
    json_t *imports = json_object_get(root, "imports");
    json_t *binaries = json_object_get(root, "binaries");
    if (a->binding && json_is_integer(imports))
        printf("pushed binding %s %s of %s to %s (%lld imports)\n", a->binding, a->version, a->library, a->server,
               (long long)json_integer_value(imports));
    else if (a->binding)
        printf("pushed binding %s %s of %s to %s (HTTP %ld)\n", a->binding, a->version, a->library, a->server,
               resp->status);
    else if (json_is_integer(types) && json_is_integer(functions) && json_integer_value(binaries) > 1)
        printf("pushed %s@%s to %s (%lld binaries, %lld types, %lld functions)\n", a->library, a->version, a->server,
               (long long)json_integer_value(binaries), (long long)json_integer_value(types),
               (long long)json_integer_value(functions));
    else if (json_is_integer(types) && json_is_integer(functions))
        printf("pushed %s@%s to %s (%lld types, %lld functions)\n", a->library, a->version, a->server,
               (long long)json_integer_value(types), (long long)json_integer_value(functions));
    else
        printf("pushed %s@%s to %s (HTTP %ld)\n", a->library, a->version, a->server, resp->status);
    json_decref(root);
}

static int upload(const push_args *a, const char *token, const char *body)
{
    char *url = release_url(a);
    if (!url)
        return AG_EXIT_ERROR;
    ag_http_options o = {
        .timeout_s = a->timeout_s,
        .retries = (unsigned)a->retries,
        .insecure = a->insecure,
        .bearer_token = token,
    };
    ag_http_response resp;
    ag_error err = { .msg = "" };
    int rc = AG_EXIT_ERROR;
    ag_status st = ag_http_post_json(url, body, strlen(body), &o, &resp, &err);
    if (st != AG_OK) {
        cli_error("push", "%s", err.msg);
    } else if (resp.status >= 200 && resp.status <= 299) {
        report_success(a, &resp);
        rc = AG_EXIT_OK;
    } else {
        char msg[512], attempts[64] = "";
        ag_http_error_message(&resp, msg, sizeof msg);
        /* The server's advice is the API's (?replace=1); this command's is --replace. */
        char *api_hint = resp.status == 409 ? strstr(msg, " (POST with ?replace=1") : NULL;
        if (api_hint)
            *api_hint = '\0';
        if (resp.attempts > 1)
            snprintf(attempts, sizeof attempts, " (after %u attempts)", resp.attempts);
        const char *hint = resp.status != 409 ? ""
                           : resp.attempts > 1 ? "; an earlier attempt may have stored it"
                           : a->replace ? "" : "; use --replace to replace it";
        cli_error("push", "POST %s: HTTP %ld%s%s%s%s%s%s", url, resp.status, *ag_http_reason(resp.status) ? " " : "",
                  ag_http_reason(resp.status), *msg ? ": " : "", msg, attempts, hint);
    }
    ag_http_response_free(&resp);
    free(url);
    return rc;
}

int cmd_push(int argc, char **argv)
{
    push_args a = { .debug.dirs = calloc((size_t)argc + 1, sizeof(const char *)) };
    if (!a.debug.dirs || !cli_surface_opts_init(&a.surface, argc)) {
        cli_error(NULL, "out of memory");
        free(a.debug.dirs);
        cli_surface_opts_free(&a.surface);
        return AG_EXIT_ERROR;
    }
    int rc = parse_push_args(argc, argv, &a);
    char *token = NULL, *body = NULL;
    if (rc == AG_EXIT_OK)
        token = cli_read_token("push", a.token_file, &rc);
    if (token) {
        body = a.binding ? binding_body(&a) : corpus_body(&a);
        rc = body ? upload(&a, token, body) : AG_EXIT_ERROR;
        explicit_bzero(token, strlen(token));
    }
    free(token);
    free(body);
    free(a.debug.dirs);
    cli_surface_opts_free(&a.surface);
    ag_http_global_cleanup();
    return rc;
}
