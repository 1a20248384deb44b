-- 001_initial.sql: the first abiguard store schema.
--
-- Libraries have releases; a release has one or more binaries (one corpus
-- each). The ELF identity of a binary lives in columns (so the guard and the
-- dashboard can look builds up by build-id or SONAME); everything that comes
-- in arrays (types, functions, variables, exported and imported symbols) is
-- content-addressed: each element's canonical JSON object text is stored
-- once, keyed by a 64-bit hash of that text, and binaries point at it from
-- link tables. A type that did not change across fifty releases is one row.
-- Link rows keep the element's position, so a release is rebuilt in exactly
-- the order it was written and exports byte-identical to what extract wrote.
-- The content tables carry no foreign keys from the link tables on purpose:
-- removing a release collects unreferenced content in one pass instead of a
-- per-row child scan.

PRAGMA application_id = 1094863175; -- "ABIG"

CREATE TABLE libraries (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

-- AUTOINCREMENT: a replaced release gets a never-used id, so no cached diff
-- can ever be mistaken for one of the new content.
CREATE TABLE releases (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    library_id INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
    version    TEXT NOT NULL,
    date       TEXT,
    notes      TEXT,
    created    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (library_id, version)
);

CREATE TABLE binaries (
    id              INTEGER PRIMARY KEY,
    release_id      INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    file_name       TEXT NOT NULL,
    soname          TEXT,
    elf_type        TEXT NOT NULL,
    machine         TEXT NOT NULL,
    elf_class       INTEGER NOT NULL,
    byte_order      TEXT NOT NULL,
    build_id        TEXT,
    sha256          TEXT NOT NULL,
    needed          TEXT NOT NULL,   -- JSON array of strings, file order
    runpath         TEXT,
    rpath           TEXT,
    version_defs    TEXT NOT NULL,   -- JSON array of strings, file order
    relro           INTEGER NOT NULL,
    bind_now        INTEGER NOT NULL,
    stack_protector INTEGER NOT NULL,
    exec_stack      INTEGER NOT NULL,
    static_tls      INTEGER NOT NULL,
    cet_ibt         INTEGER NOT NULL,
    cet_shstk       INTEGER NOT NULL,
    has_debug_info  INTEGER NOT NULL,
    debug_source    TEXT,
    dwarf_version   INTEGER NOT NULL,
    skipped         TEXT NOT NULL,   -- JSON object {"DW_TAG_x": count}
    n_exports       INTEGER NOT NULL,
    n_imports       INTEGER NOT NULL,
    n_functions     INTEGER NOT NULL,
    n_variables     INTEGER NOT NULL,
    n_types         INTEGER NOT NULL,
    UNIQUE (release_id, position)
);
CREATE INDEX binaries_build_id ON binaries(build_id);

CREATE TABLE types     (hash INTEGER PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE functions (hash INTEGER PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE variables (hash INTEGER PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE symbols   (hash INTEGER PRIMARY KEY, json TEXT NOT NULL);

CREATE TABLE binary_types (
    binary_id INTEGER NOT NULL REFERENCES binaries(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    hash      INTEGER NOT NULL,
    PRIMARY KEY (binary_id, position)
) WITHOUT ROWID;
CREATE TABLE binary_functions (
    binary_id INTEGER NOT NULL REFERENCES binaries(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    hash      INTEGER NOT NULL,
    PRIMARY KEY (binary_id, position)
) WITHOUT ROWID;
CREATE TABLE binary_variables (
    binary_id INTEGER NOT NULL REFERENCES binaries(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    hash      INTEGER NOT NULL,
    PRIMARY KEY (binary_id, position)
) WITHOUT ROWID;
CREATE TABLE binary_exports (
    binary_id INTEGER NOT NULL REFERENCES binaries(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    hash      INTEGER NOT NULL,
    PRIMARY KEY (binary_id, position)
) WITHOUT ROWID;
CREATE TABLE binary_imports (
    binary_id INTEGER NOT NULL REFERENCES binaries(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    hash      INTEGER NOT NULL,
    PRIMARY KEY (binary_id, position)
) WITHOUT ROWID;

-- Verdicts of diff(old -> new), computed once for history and matrix.
-- Rows vanish with either release (replace = delete + insert), and a row
-- computed by another abiguard version (engine) is recomputed, since the
-- classification of a change may differ between versions. report is free
-- for a rendered report of the same diff.
CREATE TABLE diff_cache (
    old_release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    new_release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    engine         TEXT NOT NULL,
    verdict        TEXT NOT NULL,
    counts         TEXT NOT NULL,   -- JSON object: per-verdict and per-interface counts
    report         TEXT,
    PRIMARY KEY (old_release_id, new_release_id)
) WITHOUT ROWID;
CREATE INDEX diff_cache_new ON diff_cache(new_release_id);
