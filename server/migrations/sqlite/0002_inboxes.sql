-- WhatsApp Cloud inboxes, their members, and health snapshots.
-- Secrets (access token, two-step PIN) are stored sealed (AEAD), never in the clear.
CREATE TABLE inboxes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    channel_type TEXT NOT NULL DEFAULT 'whatsapp_cloud',
    phone_number TEXT NOT NULL,
    phone_number_id TEXT NOT NULL,
    business_account_id TEXT NOT NULL,
    business_id TEXT,
    access_token_sealed TEXT NOT NULL,
    pin_sealed TEXT,
    webhook_verify_token TEXT NOT NULL,
    setup_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (account_id, phone_number_id)
);
CREATE INDEX inboxes_phone_number_id ON inboxes(phone_number_id);
CREATE INDEX inboxes_business_account_id ON inboxes(business_account_id);

CREATE TABLE inbox_members (
    inbox_id INTEGER NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (inbox_id, user_id)
);

CREATE TABLE health_snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    inbox_id INTEGER NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    checked_at INTEGER NOT NULL,
    source TEXT NOT NULL,
    health_json TEXT,
    error_kind TEXT,
    error_message TEXT,
    registration_state TEXT NOT NULL
);
CREATE INDEX health_snapshots_inbox ON health_snapshots(inbox_id, checked_at);
