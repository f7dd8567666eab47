-- 0002: the evidence store: files an event refers to by SHA-256 (photos), kept as copies.
-- Frozen: never edit a shipped migration.

-- Content-addressed: the key is the lowercase hex SHA-256 of content, so a row can only hold those bytes.
CREATE TABLE evidence (
    sha256   TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    size     INTEGER NOT NULL CHECK (size = length(content)),
    content  BLOB NOT NULL
) STRICT;

CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence
BEGIN
    SELECT RAISE(ABORT, 'evidence is append-only: UPDATE is refused');
END;

CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence
BEGIN
    SELECT RAISE(ABORT, 'evidence is append-only: DELETE is refused');
END;
