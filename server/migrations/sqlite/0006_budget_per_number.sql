-- Meta counts register calls per phone number, not per inbox: the ledger and the leases are keyed
-- by the number, and deleting an inbox keeps its attempts (the number's budget must not refill
-- because an inbox was deleted and added again, or because a second account added the number).
CREATE TABLE registration_attempts_by_number (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    inbox_id INTEGER REFERENCES inboxes(id) ON DELETE SET NULL,
    phone_number_id TEXT NOT NULL,
    trigger TEXT NOT NULL CHECK (trigger IN ('user', 'auto', 'webhook')),
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    outcome TEXT CHECK (outcome IN ('success', 'failed', 'unknown')),
    error_kind TEXT,
    meta_code INTEGER,
    meta_subcode INTEGER,
    meta_message TEXT
);
INSERT INTO registration_attempts_by_number
    (id, inbox_id, phone_number_id, trigger, user_id, started_at, finished_at, outcome, error_kind,
     meta_code, meta_subcode, meta_message)
SELECT id, inbox_id, phone_number_id, trigger, user_id, started_at, finished_at, outcome, error_kind,
       meta_code, meta_subcode, meta_message
FROM registration_attempts;
DROP TABLE registration_attempts;
ALTER TABLE registration_attempts_by_number RENAME TO registration_attempts;
CREATE INDEX registration_attempts_inbox ON registration_attempts(inbox_id, started_at);
CREATE INDEX registration_attempts_number ON registration_attempts(phone_number_id, started_at);

-- Leases are short-lived; none survives a schema change.
DROP TABLE registration_leases;
CREATE TABLE registration_leases (
    phone_number_id TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
