-- The business portfolio's name (`owner_business_info.name`), read with its id at setup: the
-- Portfolios page names each portfolio instead of showing a bare id (issue 12 §6).
ALTER TABLE inboxes ADD COLUMN business_name TEXT;
