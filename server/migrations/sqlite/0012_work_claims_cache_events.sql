-- Several instances share the background work: before reading a number, the health refresh or
-- the registration retrier claims it (job, item) until a time, so one instance reads it per
-- cycle; a stopped instance's claims run out and the others take its numbers.
CREATE TABLE work_claims (
    job TEXT NOT NULL,
    item TEXT NOT NULL,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (job, item)
);

-- What one instance changed that others may hold in memory (inbox rows, ledgers, identities,
-- health snapshots): each instance reads the new rows every second and forgets those entries.
CREATE TABLE cache_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL
);
CREATE INDEX cache_events_at ON cache_events(at);
