-- 005_bindings.sql: registered bindings ("for whom"), and where a release's
-- sources are browsable.
--
-- A binding (a CPython extension, a JNI library, an N-API addon, ...) is
-- registered against a library with what `check` reads from it (view: the
-- abiguard-binding/1 JSON of binding.h: its imports, the declarations its
-- own DWARF holds of them, the types it holds by value, its DT_NEEDED
-- libraries), so the service can check it against every release without
-- the file. built_against names the library version it was built against
-- (a release that may or may not be stored). The bindings of a library go
-- with it.
--
-- source_url is a release's pattern for linking a declaration to its source
-- ('https://.../blob/{version}/{file}#L{line}'), or NULL.

CREATE TABLE bindings (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    library_id    INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    version       TEXT NOT NULL,
    built_against TEXT,
    n_imports     INTEGER NOT NULL,
    view          TEXT NOT NULL,
    created       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (library_id, name, version)
);

ALTER TABLE releases ADD COLUMN source_url TEXT;
