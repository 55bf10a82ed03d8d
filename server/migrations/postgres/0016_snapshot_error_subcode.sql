-- See migrations/sqlite/0016_snapshot_error_subcode.sql.
ALTER TABLE health_snapshots ADD COLUMN error_subcode BIGINT;
