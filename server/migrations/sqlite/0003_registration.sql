-- The register attempt ledger (every /register call Greenlight makes) and per-number leases that
-- make one attempt at a time, across clicks, the background job and several server instances.
CREATE TABLE registration_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    inbox_id INTEGER NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
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
CREATE INDEX registration_attempts_inbox ON registration_attempts(inbox_id, started_at);

CREATE TABLE registration_leases (
    inbox_id INTEGER PRIMARY KEY REFERENCES inboxes(id) ON DELETE CASCADE,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
