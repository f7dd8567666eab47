-- 0001: the append-only, hash-chained event log. Frozen: never edit a shipped migration.

-- One row: the log's identity. genesis_hash = SHA-256 of the log id (FORMAT.md §2.2).
CREATE TABLE log_meta (
    singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
    log_id       TEXT NOT NULL,
    genesis_hash TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    hash_format  TEXT NOT NULL
) STRICT;

CREATE TABLE events (
    seq          INTEGER PRIMARY KEY,
    event_id     TEXT NOT NULL UNIQUE,
    site         TEXT NOT NULL,
    stack        TEXT,
    type         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    observed_at  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    actor        TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
) STRICT;

-- Rebuilding one site reads only that site's rows, in log order.
CREATE INDEX events_by_site ON events(site, seq);

-- seq is gapless: each row must be exactly one past the last.
CREATE TRIGGER events_seq_gapless BEFORE INSERT ON events
WHEN NEW.seq IS NOT (SELECT IFNULL(MAX(seq), 0) + 1 FROM events)
BEGIN
    SELECT RAISE(ABORT, 'events.seq must be exactly one past the last seq');
END;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE is refused');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE is refused');
END;

CREATE TRIGGER log_meta_no_update BEFORE UPDATE ON log_meta
BEGIN
    SELECT RAISE(ABORT, 'log_meta is immutable: UPDATE is refused');
END;

CREATE TRIGGER log_meta_no_delete BEFORE DELETE ON log_meta
BEGIN
    SELECT RAISE(ABORT, 'log_meta is immutable: DELETE is refused');
END;
