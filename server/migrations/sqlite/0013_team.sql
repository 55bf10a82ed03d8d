-- The team managed in the browser: a user's language, a disabled state (the CLI's `users
-- disable`), and a session epoch: a session remembers the epoch it signed in under, and bumping the
-- user's ends every such session at once (password change, removal, disabling).
ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'pt-BR', 'es'));
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;

-- One-time links: an invitation into an account (kind 'invite': e-mail + role) or a password reset
-- of an existing user (kind 'reset'). Only the SHA-256 of the token is stored; a link works once,
-- until expires_at.
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('invite', 'reset')),
    account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT CHECK (role IN ('administrator', 'agent')),
    token_hash TEXT NOT NULL UNIQUE,
    invited_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX invitations_account ON invitations(account_id);
