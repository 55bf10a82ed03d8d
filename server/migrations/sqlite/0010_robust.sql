-- Several Greenlight instances may share one database: a webhook event is claimed before it is
-- processed (status 'processing', by whom, until when), so exactly one instance processes it; a
-- claim whose lease ran out (its instance stopped mid-pass) is taken over by another instance.
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt. Dropping
-- `webhook_events` would cascade to its links, so the links are kept aside and restored.
CREATE TABLE webhook_event_inboxes_keep AS SELECT event_id, inbox_id FROM webhook_event_inboxes;
DROP TABLE webhook_event_inboxes;

CREATE TABLE webhook_events_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedup_key TEXT NOT NULL UNIQUE,
    received_at INTEGER NOT NULL,
    waba_id TEXT NOT NULL,
    field TEXT NOT NULL,
    event_time INTEGER,
    value_json TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'processing', 'processed', 'ignored', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    processed_at INTEGER,
    note TEXT,
    claimed_by TEXT,
    claimed_until INTEGER
);
INSERT INTO webhook_events_new
    (id, dedup_key, received_at, waba_id, field, event_time, value_json, status, attempts, processed_at, note)
    SELECT id, dedup_key, received_at, waba_id, field, event_time, value_json, status, attempts, processed_at, note
    FROM webhook_events;
DROP TABLE webhook_events;
ALTER TABLE webhook_events_new RENAME TO webhook_events;
CREATE INDEX webhook_events_pending ON webhook_events(status, id);
CREATE INDEX webhook_events_claims ON webhook_events(status, claimed_until);

CREATE TABLE webhook_event_inboxes (
    event_id INTEGER NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
    inbox_id INTEGER NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, inbox_id)
);
INSERT INTO webhook_event_inboxes (event_id, inbox_id)
    SELECT event_id, inbox_id FROM webhook_event_inboxes_keep;
DROP TABLE webhook_event_inboxes_keep;
CREATE INDEX webhook_event_inboxes_inbox ON webhook_event_inboxes(inbox_id);

