/*
 * store_schema.h — the store's migrations, compiled in. schema/NNN_name.sql
 * is the source of truth; src/store_schema.c holds the same text as C
 * strings so the binary needs no files at run time, and a unit test
 * (tests/unit/test_store.c) fails if the two ever differ.
 */
#ifndef ABIGUARD_STORE_SCHEMA_H
#define ABIGUARD_STORE_SCHEMA_H

#include <stddef.h>

typedef struct ag_migration {
    int version;        /* NNN: PRAGMA user_version after it is applied */
    const char *file;   /* "001_initial.sql" */
    const char *sql;    /* the file's exact text */
} ag_migration;

extern const ag_migration ag_migrations[];
extern const size_t ag_n_migrations;

#endif
