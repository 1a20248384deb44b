-- 002_surface.sql: the public surface a binary was extracted with.
--
-- NULL when the corpus records none (no headers were given: the surface is
-- inferred whenever the corpus is used); otherwise the corpus's "surface"
-- object as compact JSON ({"method":"headers","public_headers":[...]}).
-- Which types are public is part of each type's JSON ("public": true), so
-- the content tables need nothing new.

ALTER TABLE binaries ADD COLUMN surface TEXT;
