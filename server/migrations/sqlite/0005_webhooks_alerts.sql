-- Meta's webhooks (a durable queue: stored on receipt, processed asynchronously, deduplicated),
-- alerts raised on health transitions, in-app notifications and per-account outgoing webhooks.
-- Times are unix seconds (portable to PostgreSQL).
CREATE TABLE webhook_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedup_key TEXT NOT NULL UNIQUE,
    received_at INTEGER NOT NULL,
    waba_id TEXT NOT NULL,
    field TEXT NOT NULL,
    event_time INTEGER,
    value_json TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processed', 'ignored', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    processed_at INTEGER,
    note TEXT
);
CREATE INDEX webhook_events_pending ON webhook_events(status, id);

CREATE TABLE webhook_event_inboxes (
    event_id INTEGER NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
    inbox_id INTEGER NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, inbox_id)
);
CREATE INDEX webhook_event_inboxes_inbox ON webhook_event_inboxes(inbox_id);

CREATE TABLE alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    inbox_id INTEGER REFERENCES inboxes(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    dedup_key TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
CREATE INDEX alerts_inbox ON alerts(inbox_id, created_at);
CREATE INDEX alerts_account ON alerts(account_id, created_at);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    read_at INTEGER,
    UNIQUE (alert_id, user_id)
);
CREATE INDEX notifications_user ON notifications(user_id, read_at);

-- The last snapshot id the alert evaluator has looked at.
CREATE TABLE alert_cursor (
    name TEXT PRIMARY KEY,
    last_snapshot_id INTEGER NOT NULL
);

CREATE TABLE outgoing_webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    format TEXT NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'slack')),
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);
CREATE INDEX outgoing_webhooks_account ON outgoing_webhooks(account_id);

CREATE TABLE outgoing_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id INTEGER NOT NULL REFERENCES outgoing_webhooks(id) ON DELETE CASCADE,
    alert_id INTEGER REFERENCES alerts(id) ON DELETE SET NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    status_code INTEGER,
    error TEXT,
    next_attempt_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX outgoing_deliveries_due ON outgoing_deliveries(status, next_attempt_at);
CREATE INDEX outgoing_deliveries_webhook ON outgoing_deliveries(webhook_id, id);
