-- The two-step verification PIN belongs to the phone number, not to an inbox: Meta keeps one PIN
-- per number, so every inbox of the number (in any account, and after an inbox is deleted and the
-- number added again) must send the same one, or Meta answers 133005 (PIN mismatch).
CREATE TABLE number_pins (
    phone_number_id TEXT PRIMARY KEY,
    pin_sealed TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- Move the PINs kept on inbox rows. When several inboxes of one number hold different PINs, the
-- one Meta most likely has wins: the PIN of the inbox with the latest successful register call,
-- else the oldest inbox's (the first to call).
INSERT OR IGNORE INTO number_pins (phone_number_id, pin_sealed, created_at)
SELECT i.phone_number_id, i.pin_sealed, i.created_at
FROM inboxes i
WHERE i.pin_sealed IS NOT NULL
ORDER BY (
    SELECT MAX(a.finished_at) FROM registration_attempts a
    WHERE a.inbox_id = i.id AND a.outcome = 'success'
) DESC NULLS LAST, i.id;

ALTER TABLE inboxes DROP COLUMN pin_sealed;

-- When setup last proved that the inbox's token manages the number (the token read the number and
-- the WABA lists it). Until then Greenlight never sends the number's PIN for this inbox, and the
-- inbox sees only its own attempts and no webhook events of the number (a second account adding
-- someone else's number with a junk token learns nothing about it). Existing inboxes whose setup
-- succeeded are taken as proven; the next setup checks again.
ALTER TABLE inboxes ADD COLUMN access_proven_at INTEGER;
UPDATE inboxes SET access_proven_at = updated_at WHERE setup_error IS NULL;
