-- The fixes an administrator makes from Greenlight (issue 12).

-- Setting a new two-step PIN: the new PIN is stored sealed before the call (`pending_pin_sealed`)
-- while the old one stays in `pin_sealed` until Meta confirms, so an answer lost on the way never
-- leaves Greenlight without the PIN Meta has (the next try sends the same pending PIN again).
-- `stale_since`/`stale_event`: Meta's `security` webhook said the PIN changed outside Greenlight;
-- set once per stretch (the alert's key), cleared when a new PIN is confirmed.
ALTER TABLE number_pins ADD COLUMN pending_pin_sealed TEXT;
ALTER TABLE number_pins ADD COLUMN pending_since INTEGER;
ALTER TABLE number_pins ADD COLUMN stale_since INTEGER;
ALTER TABLE number_pins ADD COLUMN stale_event TEXT;

-- Verification codes asked for (`request_code`) and entered (`verify_code`): Meta limits code
-- requests per number, so they are counted per number like the register budget, and Meta's
-- answer to each is kept.
CREATE TABLE verification_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    inbox_id INTEGER REFERENCES inboxes(id) ON DELETE SET NULL,
    phone_number_id TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    step TEXT NOT NULL CHECK (step IN ('request', 'verify')),
    code_method TEXT,
    at INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failed', 'unknown')),
    error_kind TEXT,
    meta_code INTEGER,
    meta_subcode INTEGER,
    meta_message TEXT
);
CREATE INDEX verification_requests_number ON verification_requests(phone_number_id, at);
