-- Sign-in and account security (issue 11): a failure window per account, initial codes that
-- expire, named API tokens, the password history, and account requests that a business admin
-- files and a security admin approves (separation of duties, docs/security.md).

-- failed_since starts the window in which failed_logins counts towards the account's throttle.
ALTER TABLE users ADD COLUMN failed_since {TIMESTAMP};
-- An initial or reset password is a one-time code: it only opens the set-password form, until then.
ALTER TABLE users ADD COLUMN password_expires_at {TIMESTAMP};

ALTER TABLE api_tokens ADD COLUMN name TEXT NOT NULL DEFAULT '';

-- The hashes of a user's earlier passwords, newest kept; a new password may not repeat the last five.
CREATE TABLE password_history (
    id            {ID},
    user_id       {BIGINT} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    created_at    {TIMESTAMP} NOT NULL
);
CREATE INDEX password_history_user ON password_history(user_id, created_at);

-- A business admin's request for an account with business-data access; a security admin of the
-- region approves (creating the account) or rejects it.
CREATE TABLE account_requests (
    id            {ID},
    username      TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    region_id     {BIGINT} NOT NULL REFERENCES regions(id),
    reason        TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','approved','rejected')),
    requested_by  {BIGINT} NOT NULL REFERENCES users(id),
    decided_by    {BIGINT} REFERENCES users(id),
    user_id       {BIGINT} REFERENCES users(id),
    created_at    {TIMESTAMP} NOT NULL,
    decided_at    {TIMESTAMP}
);
CREATE INDEX account_requests_region ON account_requests(region_id, status);
