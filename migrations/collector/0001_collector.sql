-- 0001: the fleet collector's schema (PostgreSQL): installers, the logs they sync, their events as stored on the
-- laptop, accepted checkpoints, fork evidence, request nonces, and the per-site fleet projection.
-- Frozen: never edit a shipped migration; add the next number instead.

-- One row per enrolled installer: the raw Ed25519 public key (hex) its requests and checkpoints are signed with.
CREATE TABLE installer (
    name         TEXT PRIMARY KEY,
    public_key   TEXT NOT NULL UNIQUE CHECK (length(public_key) = 64),
    enrolled_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Set by `collector revoke`: no new sync is accepted; what was already sent is kept.
    revoked_at   TIMESTAMPTZ
);

-- One row per log: who syncs it, how many events the collector holds, the hash of the last one.
CREATE TABLE log (
    log_id            TEXT PRIMARY KEY,
    installer         TEXT NOT NULL REFERENCES installer (name),
    size              BIGINT NOT NULL DEFAULT 0 CHECK (size >= 0),
    head              TEXT NOT NULL CHECK (length(head) = 64),
    -- The size of the last checkpoint accepted and cosigned: a site whose last seq is within it is witnessed.
    witnessed_size    BIGINT NOT NULL DEFAULT 0 CHECK (witnessed_size >= 0),
    -- Set when a sync offered another hash at a held seq: the log was rewritten after an earlier sync.
    fork_detected_at  TIMESTAMPTZ,
    first_synced_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_synced_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The log's events, every stored column as the laptop's events table holds it (FORMAT.md §1), keyed by log.
-- Partitions by log_id (hash) when one server is not enough: every query here names one log or goes via site.
CREATE TABLE event (
    log_id       TEXT NOT NULL REFERENCES log (log_id),
    seq          BIGINT NOT NULL CHECK (seq >= 1),
    event_id     TEXT NOT NULL,
    site         TEXT NOT NULL,
    stack        TEXT,
    type         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    observed_at  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    actor        TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL,
    PRIMARY KEY (log_id, seq)
);
CREATE INDEX event_by_site ON event (log_id, site, seq);

-- Every checkpoint accepted from a log, with the collector's cosignature line (cosignature/v1).
CREATE TABLE checkpoint (
    log_id       TEXT NOT NULL REFERENCES log (log_id),
    size         BIGINT NOT NULL CHECK (size >= 0),
    root         TEXT NOT NULL CHECK (length(root) = 64),
    note         TEXT NOT NULL,
    cosignature  TEXT NOT NULL,
    accepted_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (log_id, size)
);

-- The rows a sync offered at seqs the collector already held with another hash: evidence of a rewrite.
CREATE TABLE fork_evidence (
    id           BIGSERIAL PRIMARY KEY,
    log_id       TEXT NOT NULL REFERENCES log (log_id),
    seq          BIGINT NOT NULL,
    held_hash    TEXT NOT NULL,
    offered_hash TEXT NOT NULL,
    -- The offered row as it came, one JSON object with the stored columns.
    offered_row  TEXT NOT NULL,
    installer    TEXT NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Nonces of signed requests inside the accepted clock window: a second use is a replay.
CREATE TABLE request_nonce (
    installer    TEXT NOT NULL,
    nonce        TEXT NOT NULL,
    seen_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (installer, nonce)
);

-- The fleet view: one row per (log, site), rebuilt from the site's events in the transaction that stores them.
CREATE TABLE site (
    log_id        TEXT NOT NULL REFERENCES log (log_id),
    site          TEXT NOT NULL,
    installer     TEXT NOT NULL,
    verdict       TEXT NOT NULL,
    failing       TEXT[] NOT NULL,
    firmware      TEXT[] NOT NULL,
    dip_original  TEXT,
    dip_final     TEXT,
    simulation    BOOLEAN NOT NULL,
    late_entries  INTEGER NOT NULL,
    event_count   INTEGER NOT NULL,
    last_seq      BIGINT NOT NULL,
    first_at      TEXT NOT NULL,
    last_at       TEXT NOT NULL,
    PRIMARY KEY (log_id, site)
);
CREATE INDEX site_failing ON site USING GIN (failing);
CREATE INDEX site_by_installer ON site (installer);
