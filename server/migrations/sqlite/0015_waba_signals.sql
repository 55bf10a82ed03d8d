-- What Meta's account-level webhooks said about a WhatsApp Business account (issue 12): enforcement
-- from `account_update` (restrictions, a violation, a ban, offboarding, a removed partner), the
-- portfolio's capabilities (`business_capability_update`) and `account_alerts`. One row per WABA and
-- kind holds the newest state (an older event never overwrites a newer one); reads are time-aware,
-- so a restriction whose expiration passed is simply not shown.
CREATE TABLE waba_signals (
    waba_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    event_time INTEGER NOT NULL,
    detail TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (waba_id, kind)
);

-- Every change of a signal's state, in order: the alert evaluator walks them (one alert per
-- transition; a repeated event changes nothing and adds no row).
CREATE TABLE waba_signal_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    waba_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    previous TEXT,
    event_time INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX waba_signal_changes_waba ON waba_signal_changes(waba_id);

-- The alert evaluator's position in waba_signal_changes (alert_cursor holds snapshot positions).
CREATE TABLE alert_signal_cursor (
    name TEXT PRIMARY KEY,
    last_change_id INTEGER NOT NULL
);
