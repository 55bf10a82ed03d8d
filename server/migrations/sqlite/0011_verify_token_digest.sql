-- Meta's webhook handshake looks an inbox's verify token up by its SHA-256 digest through an
-- index, instead of reading every inbox's token. Rows stored before this are filled in by the
-- server at start (SQLite has no SHA-256).
ALTER TABLE inboxes ADD COLUMN webhook_verify_token_digest TEXT;
CREATE INDEX inboxes_webhook_verify_token_digest ON inboxes(webhook_verify_token_digest);
