-- Meta's `error_subcode` of a failed read (e.g. 463: the token expired, 460: the password changed),
-- so the Account Health tab can say which kind of token refusal it is after a restart too.
ALTER TABLE health_snapshots ADD COLUMN error_subcode INTEGER;
