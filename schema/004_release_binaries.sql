-- 004_release_binaries.sql: every binary of a release made of several.
--
-- A release added from an artifact (.deb, wheel, jar, npm package, tarball)
-- keeps every shared object in it, one binaries row each (position: the
-- artifact's order), and where each one was inside the artifact, so
-- NAME@V:SONAME can name one and two releases can be diffed binary by
-- binary. NULL for a binary added on its own (a loose .so or a corpus).
-- Binaries are looked up by SONAME within a release.

ALTER TABLE binaries ADD COLUMN inner_path TEXT;
CREATE INDEX binaries_release_soname ON binaries(release_id, soname);
