-- 0002: the indexes the fleet queries of GET /v1/sites and the dashboard need, beside 0001's failing and
-- installer indexes. Frozen once shipped, like 0001.

-- `?firmware=V`: sites with a stack on firmware V (s.firmware @> ARRAY[V]).
CREATE INDEX site_firmware ON site USING GIN (firmware);

-- `?since=`/`?until=`: sites by the time of their last event (canonical RFC 3339 text sorts as time).
CREATE INDEX site_by_last_at ON site (last_at);

-- The listing's order is by site name in bytes (COLLATE "C"), whatever the database's locale: the same order as
-- the in-memory store's, and one that a locale upgrade cannot change.
-- `?verdict=V`, answered in the listing's order without a sort.
CREATE INDEX site_by_verdict ON site (verdict, site COLLATE "C", log_id);

-- The listing's order and `?site=NAME`: the dashboard's first page is the first rows of this index.
CREATE INDEX site_by_name ON site (site COLLATE "C", log_id);

-- The Merkle compact range of the log's held events (the roots of its perfect subtrees, largest first, each 64
-- hex characters, concatenated), extended in each chunk's transaction: a checkpoint of the held size is checked
-- against it without reading every leaf. NULL for a log synced before this migration: checked from its leaves.
ALTER TABLE log ADD COLUMN merkle_range TEXT;
