-- 0003: who installs at this log: the name (and company) every event's actor defaults to.
-- Frozen: never edit a shipped migration.

-- One row at most; `audit installer set` replaces it. It is a default, not evidence: `procedure.started`
-- records the installer in the chain, so a report proves who it was.
CREATE TABLE installer (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    name      TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    company   TEXT CHECK (company IS NULL OR length(company) BETWEEN 1 AND 200),
    set_at    TEXT NOT NULL
) STRICT;
