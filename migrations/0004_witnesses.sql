-- 0004: the log's witnesses (c2sp.org/tlog-witness) and the cosigned checkpoints they returned.
-- Frozen: never edit a shipped migration.

-- One row per witness: its cosignature/v1 verifier key, where to reach it, the size it last cosigned.
CREATE TABLE witness (
    name           TEXT PRIMARY KEY NOT NULL,
    vkey           TEXT NOT NULL UNIQUE,
    url            TEXT NOT NULL,
    added_at       TEXT NOT NULL,
    -- NULL until a cosignature or a 409 tells; then the tree size the witness holds for this log.
    cosigned_size  INTEGER CHECK (cosigned_size >= 0)
) STRICT;

-- Kept when a witness is removed: a cosignature stays evidence of what the witness saw and when.
-- note is the checkpoint text, the log's signature and the witness's verified cosignature, as a signed note.
CREATE TABLE cosigned_checkpoint (
    witness_vkey   TEXT NOT NULL,
    size           INTEGER NOT NULL CHECK (size >= 0),
    root           TEXT NOT NULL CHECK (length(root) = 64),
    cosigned_at    INTEGER NOT NULL,
    note           TEXT NOT NULL,
    PRIMARY KEY (witness_vkey, size)
) STRICT;
