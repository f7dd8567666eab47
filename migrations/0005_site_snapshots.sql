-- 0005: admission's folded state of a site, kept so that an append never re-reads the site's history.
-- Frozen: never edit a shipped migration.

-- A cache outside the chain (FORMAT.md §2.7): never hashed, reported or taken as evidence. An append uses a
-- row only when the event it names (seq, hash) is in the log at its site, folds the site's later events onto
-- it, and rebuilds from the events otherwise; deleting every row loses nothing.
CREATE TABLE site_snapshot (
    site    TEXT NOT NULL,
    -- The guard's snapshot format, e.g. 'site-gate/1'; a row of another format is never read.
    format  TEXT NOT NULL,
    seq     INTEGER NOT NULL CHECK (seq >= 1),
    hash    TEXT NOT NULL CHECK (length(hash) = 64),
    state   BLOB NOT NULL,
    PRIMARY KEY (site, format)
) STRICT;
