-- 0003: ingest's per-row costs in PostgreSQL. Frozen once shipped, like 0001 and 0002.

-- event's foreign key to log ran one SELECT ... FOR KEY SHARE of the log's row per stored event, a quarter of
-- PostgreSQL's time in a sync's COPY. Every event row is written by a chunk's transaction, which has inserted
-- or locked that log's row FOR UPDATE before it stores a row, and no statement deletes or renames a log: the key
-- checked again what the transaction already holds.
ALTER TABLE event DROP CONSTRAINT event_log_id_fkey;


-- Both event indexes lead with log_id, equal in every comparison of one log's rows, and the database's locale
-- compared it (and site) with the locale's rules on every index insert (C.UTF-8 is still libc's strcoll in
-- PostgreSQL 15). Bytes order the keys instead. No query orders events by these columns, and equality is the
-- same under both; a comparison with another table's log_id names the collation (COLLATE "C").
ALTER TABLE event ALTER COLUMN log_id TYPE TEXT COLLATE "C", ALTER COLUMN site TYPE TEXT COLLATE "C";
