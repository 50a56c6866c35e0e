-- Venues and activities (internal/activities): the community's rooms with their booking rules, the
-- bookings and the 30-minute slots they hold, featured series, activities, sign-ups with guardian
-- consent, check-in, and volunteer posts with their service hours.
--
-- Two bookings of one room never overlap: a booking writes one venue_slots row per 30-minute slot
-- in its own transaction, and the primary key (venue_id, slot_start) lets only one of two
-- concurrent bookings of a slot commit. Cancelled, rejected and no-show bookings free their slots.

CREATE TABLE venues (
    id              {ID},
    region_id       {BIGINT} NOT NULL REFERENCES regions(id),       -- the community
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,                                  -- party_room, minors, practice, mediation, deliberation, elder_care, library, other
    capacity        INTEGER NOT NULL CHECK (capacity > 0),
    facilities      TEXT NOT NULL DEFAULT '',
    place           TEXT NOT NULL DEFAULT '',
    opens           TEXT NOT NULL DEFAULT '08:30',                  -- HH:MM, Asia/Shanghai
    closes          TEXT NOT NULL DEFAULT '17:30',
    open_days       TEXT NOT NULL DEFAULT 'workdays' CHECK (open_days IN ('workdays','all')),
    bookers         TEXT NOT NULL DEFAULT 'staff,unit,resident',    -- who may book: staff, unit, resident
    max_hours       INTEGER NOT NULL DEFAULT 4,
    max_consecutive INTEGER NOT NULL DEFAULT 2,
    month_hours     INTEGER NOT NULL DEFAULT 20,
    lead_days       INTEGER NOT NULL DEFAULT 1,
    needs_approval  BOOLEAN NOT NULL DEFAULT FALSE,
    noshow_limit    INTEGER NOT NULL DEFAULT 2,                     -- the no-show that suspends; the ones before warn
    suspend_days    INTEGER NOT NULL DEFAULT 30,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      {TIMESTAMP} NOT NULL,
    UNIQUE (region_id, name)
);

CREATE TABLE venue_bookings (
    id            {ID},
    venue_id      {BIGINT} NOT NULL REFERENCES venues(id),
    region_id     {BIGINT} NOT NULL REFERENCES regions(id),          -- the venue's community
    starts_at     {TIMESTAMP} NOT NULL,
    ends_at       {TIMESTAMP} NOT NULL,
    booker_kind   TEXT NOT NULL CHECK (booker_kind IN ('staff','unit','resident')),
    booker_key    TEXT NOT NULL,                                    -- user:<id> or phone:<blind index>: whose rules and no-shows
    booker_name   TEXT NOT NULL,
    org_name      TEXT NOT NULL DEFAULT '',
    phone_enc     {BLOB},
    phone_index   TEXT,
    phone_masked  TEXT NOT NULL DEFAULT '',
    purpose       TEXT NOT NULL,
    headcount     INTEGER NOT NULL DEFAULT 1,
    status        TEXT NOT NULL CHECK (status IN ('pending','approved','rejected','cancelled','no_show')),
    reason        TEXT NOT NULL DEFAULT '',
    activity_id   {BIGINT},
    created_by    {BIGINT} REFERENCES users(id),
    created_at    {TIMESTAMP} NOT NULL,
    decided_by    {BIGINT} REFERENCES users(id),
    decided_at    {TIMESTAMP}
);
CREATE INDEX venue_bookings_venue ON venue_bookings(venue_id, starts_at);
CREATE INDEX venue_bookings_booker ON venue_bookings(booker_key, starts_at);

CREATE TABLE venue_slots (
    venue_id    {BIGINT} NOT NULL REFERENCES venues(id),
    slot_start  {TIMESTAMP} NOT NULL,
    booking_id  {BIGINT} NOT NULL REFERENCES venue_bookings(id) ON DELETE CASCADE,
    PRIMARY KEY (venue_id, slot_start)
);
CREATE INDEX venue_slots_booking ON venue_slots(booking_id);

CREATE TABLE activity_series (
    id          {ID},
    region_id   {BIGINT} NOT NULL REFERENCES regions(id),
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    featured    BOOLEAN NOT NULL DEFAULT TRUE,                      -- a featured brand 特色活动品牌
    created_at  {TIMESTAMP} NOT NULL,
    UNIQUE (region_id, name)
);

CREATE TABLE activities (
    id              {ID},
    region_id       {BIGINT} NOT NULL REFERENCES regions(id),        -- the organising community (or grid)
    series_id       {BIGINT} REFERENCES activity_series(id),
    title           TEXT NOT NULL,
    kind            TEXT NOT NULL,
    organiser_kind  TEXT NOT NULL CHECK (organiser_kind IN ('community','branch','unit','team')),
    organiser       TEXT NOT NULL,
    venue_id        {BIGINT} REFERENCES venues(id),
    booking_id      {BIGINT} REFERENCES venue_bookings(id),
    place           TEXT NOT NULL DEFAULT '',
    starts_at       {TIMESTAMP} NOT NULL,
    ends_at         {TIMESTAMP} NOT NULL,
    audience        TEXT NOT NULL DEFAULT 'all' CHECK (audience IN ('all','focus','grid')),
    focus_tag       TEXT NOT NULL DEFAULT '',
    grid_id         {BIGINT} REFERENCES regions(id),
    capacity        INTEGER NOT NULL DEFAULT 0,                     -- 0: no limit
    registered      INTEGER NOT NULL DEFAULT 0,                     -- places taken; the conditional update that keeps it <= capacity serializes sign-ups
    signup_opens    {TIMESTAMP},
    signup_closes   {TIMESTAMP},
    cost            TEXT NOT NULL DEFAULT '免费',
    contact_name    TEXT NOT NULL DEFAULT '',
    contact_phone   TEXT NOT NULL DEFAULT '',                       -- the organiser's office line, published
    public          BOOLEAN NOT NULL DEFAULT TRUE,
    description     TEXT NOT NULL DEFAULT '',
    summary         TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('published','cancelled')),
    checkin_token   TEXT NOT NULL UNIQUE,
    created_by      {BIGINT} REFERENCES users(id),
    created_at      {TIMESTAMP} NOT NULL
);
CREATE INDEX activities_region ON activities(region_id, starts_at);
CREATE INDEX activities_series ON activities(series_id, starts_at);

CREATE TABLE activity_photos (
    id           {ID},
    activity_id  {BIGINT} NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    content      {BLOB} NOT NULL,
    created_at   {TIMESTAMP} NOT NULL
);
CREATE INDEX activity_photos_activity ON activity_photos(activity_id);

CREATE TABLE activity_registrations (
    id                {ID},
    activity_id       {BIGINT} NOT NULL REFERENCES activities(id),
    resident_id       {BIGINT} REFERENCES residents(id),
    name              TEXT NOT NULL,
    phone_enc         {BLOB},
    phone_index       TEXT NOT NULL DEFAULT '',
    phone_masked      TEXT NOT NULL DEFAULT '',
    minor             BOOLEAN NOT NULL DEFAULT FALSE,
    guardian_name     TEXT NOT NULL DEFAULT '',
    guardian_relation TEXT NOT NULL DEFAULT '',
    consent_at        {TIMESTAMP},
    status            TEXT NOT NULL CHECK (status IN ('registered','waitlisted','cancelled')),
    walk_in           BOOLEAN NOT NULL DEFAULT FALSE,
    checked_in_at     {TIMESTAMP},
    created_by        {BIGINT} REFERENCES users(id),
    created_at        {TIMESTAMP} NOT NULL
);
CREATE INDEX activity_registrations_activity ON activity_registrations(activity_id, status);
CREATE INDEX activity_registrations_resident ON activity_registrations(resident_id);
CREATE UNIQUE INDEX activity_registrations_person ON activity_registrations(activity_id, phone_index, name) WHERE status <> 'cancelled';

CREATE TABLE volunteer_roles (
    id           {ID},
    activity_id  {BIGINT} NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    slots        INTEGER NOT NULL CHECK (slots > 0),
    taken        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX volunteer_roles_activity ON volunteer_roles(activity_id);

CREATE TABLE activity_volunteers (
    id             {ID},
    role_id        {BIGINT} NOT NULL REFERENCES volunteer_roles(id),
    activity_id    {BIGINT} NOT NULL REFERENCES activities(id),
    region_id      {BIGINT} NOT NULL REFERENCES regions(id),
    name           TEXT NOT NULL,
    phone_enc      {BLOB},
    phone_index    TEXT NOT NULL,
    phone_masked   TEXT NOT NULL,
    id_enc         {BLOB},
    id_masked      TEXT NOT NULL DEFAULT '',
    checked_in_at  {TIMESTAMP},
    checked_out_at {TIMESTAMP},
    minutes        INTEGER NOT NULL DEFAULT 0 CHECK (minutes >= 0),
    content        TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'signed' CHECK (status IN ('signed','pending','approved','rejected')),
    decided_by     {BIGINT} REFERENCES users(id),
    decided_at     {TIMESTAMP},
    cert_no        TEXT UNIQUE,
    created_at     {TIMESTAMP} NOT NULL,
    UNIQUE (role_id, phone_index)
);
CREATE INDEX activity_volunteers_activity ON activity_volunteers(activity_id, status);
