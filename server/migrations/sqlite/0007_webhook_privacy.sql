-- Greenlight keeps only the webhook fields it acts on (account-level fields: name, quality,
-- account, capability, review, alerts, security). Earlier versions stored every delivered field,
-- including `messages`/`statuses`/echoes/calls, whose values carry customers' phone numbers, names
-- and texts: those rows are purged here, and the receiver now drops them before storing.
DELETE FROM webhook_event_inboxes WHERE event_id IN (
    SELECT id FROM webhook_events WHERE field NOT IN (
        'phone_number_name_update', 'phone_number_quality_update', 'account_update',
        'account_alerts', 'business_capability_update', 'account_review_update', 'security'
    )
);
DELETE FROM webhook_events WHERE field NOT IN (
    'phone_number_name_update', 'phone_number_quality_update', 'account_update',
    'account_alerts', 'business_capability_update', 'account_review_update', 'security'
);

-- Earlier versions pointed each number's webhook override at Greenlight, which re-routed the
-- number's customer messages away from the help desk. When set, the number has been checked once
-- for such an override (and it was removed if it pointed at Greenlight); never checked again.
ALTER TABLE inboxes ADD COLUMN own_override_checked_at INTEGER;
