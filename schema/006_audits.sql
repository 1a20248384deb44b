-- 006_audits.sql: audit results pushed by `abiguard audit --push` (issue 14).
--
-- One row per pushed audit: what the dashboard lists (the artifact, its
-- kind, whether everything loads, how many binaries fail, the targets), and
-- the whole report as `abiguard audit --format json` wrote it
-- ("abiguard-audit/1"), validated by the service before it is stored.

CREATE TABLE audits (
    id         INTEGER PRIMARY KEY,
    artifact   TEXT NOT NULL,          -- the artifact's file name, as audited
    kind       TEXT NOT NULL,          -- wheel, jar, npm, deb, ...
    loads      INTEGER NOT NULL,       -- 1: every binary loads on every target
    binaries   INTEGER NOT NULL,
    failing    INTEGER NOT NULL,       -- binaries that fail to load on some target
    targets    TEXT NOT NULL,          -- the target names, comma-separated
    created    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')), -- when it was pushed (UTC)
    report     TEXT NOT NULL           -- the abiguard-audit/1 JSON
);
