-- Regions, accounts, sessions, API tokens, the audit log and settings.
-- Every scoped row carries region_id; a region's path ('/1/4/9/') makes a subtree one LIKE away.

CREATE TABLE regions (
    id         {ID},
    parent_id  {BIGINT} REFERENCES regions(id),
    level      TEXT NOT NULL CHECK (level IN ('city','district','street','community','grid')),
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    path       TEXT NOT NULL DEFAULT '',
    created_at {TIMESTAMP} NOT NULL
);
CREATE INDEX regions_parent ON regions(parent_id);
CREATE INDEX regions_path ON regions(path);

CREATE TABLE users (
    id                   {ID},
    username             TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    role                 TEXT NOT NULL,
    region_id            {BIGINT} NOT NULL REFERENCES regions(id),
    org_name             TEXT NOT NULL DEFAULT '',
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         {TIMESTAMP},
    password_changed_at  {TIMESTAMP} NOT NULL,
    last_login_at        {TIMESTAMP},
    created_at           {TIMESTAMP} NOT NULL,
    updated_at           {TIMESTAMP} NOT NULL
);
CREATE INDEX users_region ON users(region_id);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,           -- SHA-256 of the cookie token, hex
    user_id      {BIGINT} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   {TIMESTAMP} NOT NULL,
    last_seen_at {TIMESTAMP} NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           {ID},
    token_hash   TEXT NOT NULL UNIQUE,       -- SHA-256 of the bearer token, hex
    user_id      {BIGINT} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   {TIMESTAMP} NOT NULL,
    expires_at   {TIMESTAMP} NOT NULL,
    last_used_at {TIMESTAMP}
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE audit_log (
    id          {ID},
    at          {TIMESTAMP} NOT NULL,
    user_id     {BIGINT},
    username    TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    request_id  TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL DEFAULT '',
    object_id   TEXT NOT NULL DEFAULT '',
    region_id   {BIGINT},
    detail      TEXT NOT NULL DEFAULT '',
    before      TEXT NOT NULL DEFAULT '',
    after       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_object ON audit_log(object_type, object_id);
CREATE INDEX audit_log_user ON audit_log(user_id, at);
CREATE INDEX audit_log_action ON audit_log(action, at);
CREATE INDEX audit_log_region ON audit_log(region_id, at);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at {TIMESTAMP} NOT NULL
);
