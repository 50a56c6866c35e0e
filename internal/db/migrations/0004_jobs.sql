-- Durable background jobs, in-app notifications and the working-day calendar.

-- jobs: enqueued in the transaction of the change that causes them; a poller claims due rows.
-- state: pending → running → done | failed; a running row whose lease has expired is reclaimed.
CREATE TABLE jobs (
    id           {ID},
    kind         TEXT NOT NULL,
    unique_key   TEXT,                       -- NULL unless deduplicated: one pending job per (kind, key)
    payload      TEXT NOT NULL DEFAULT '{}', -- JSON
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','running','done','failed')),
    run_at       {TIMESTAMP} NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 10,
    last_error   TEXT NOT NULL DEFAULT '',
    locked_until {TIMESTAMP},
    created_at   {TIMESTAMP} NOT NULL,
    finished_at  {TIMESTAMP}
);
CREATE INDEX jobs_due ON jobs(state, run_at);
CREATE UNIQUE INDEX jobs_unique_pending ON jobs(kind, unique_key) WHERE state = 'pending' AND unique_key IS NOT NULL;

-- notifications: in-app messages to one user; region_id is the region of what they are about.
CREATE TABLE notifications (
    id         {ID},
    user_id    {BIGINT} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    region_id  {BIGINT} REFERENCES regions(id),
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    link       TEXT NOT NULL DEFAULT '',
    created_at {TIMESTAMP} NOT NULL,
    read_at    {TIMESTAMP}
);
CREATE INDEX notifications_user ON notifications(user_id, created_at);
CREATE INDEX notifications_unread ON notifications(user_id) WHERE read_at IS NULL;

-- workday_calendar: the days that differ from the Monday-to-Friday week (State Council notices).
-- Seeded with the shipped 2024–2026 calendar by migration 0011; admins add later years.
CREATE TABLE workday_calendar (
    day        TEXT PRIMARY KEY,             -- YYYY-MM-DD (Asia/Shanghai)
    kind       TEXT NOT NULL CHECK (kind IN ('holiday','workday')),
    name       TEXT NOT NULL DEFAULT '',
    updated_at {TIMESTAMP} NOT NULL
);
