-- 003_integrity_checks.sql: when the database last passed an integrity check.
--
-- Before the first write of a process, the store runs PRAGMA quick_check
-- unless this row says a check passed within the last hour
-- (AG_STORE_CHECK_INTERVAL_S in store.h), and refuses to write into a
-- database that fails it. The row is written in the same transaction as
-- the write that followed the check, so it is only ever as new as a write
-- that succeeded. One row at most.

CREATE TABLE integrity_checks (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at INTEGER NOT NULL,   -- Unix time (seconds) of the last check that passed
    pages      INTEGER NOT NULL    -- PRAGMA page_count at that check
);
