-- Grid work: visits of households by grid workers and contacts by party members (one ledger, told
-- apart by kind), who was met, photos, each resident's last care-plan visit, and the volunteer
-- service of in-service party members (posts, sign-ups, hours). Cadences and points per hour live
-- in settings (care.cadence.<tag>, volunteer.points_per_hour).

CREATE TABLE visits (
    id            {ID},
    client_uuid   TEXT NOT NULL UNIQUE,                         -- generated on the phone: a replayed draft is one visit
    kind          TEXT NOT NULL CHECK (kind IN ('visit','contact')),
    region_id     {BIGINT} NOT NULL REFERENCES regions(id),      -- the household's region (its grid)
    household_id  {BIGINT} NOT NULL REFERENCES households(id),
    liaison_id    {BIGINT} REFERENCES liaison_households(id),    -- contacts: the liaison household
    member_id     {BIGINT} REFERENCES party_members(id),         -- contacts: the member who made it
    method        TEXT NOT NULL CHECK (method IN ('home','phone','wechat','other')),
    visited_on    TEXT NOT NULL,                                -- YYYY-MM-DD, Asia/Shanghai
    situation     TEXT NOT NULL,
    needs         TEXT NOT NULL DEFAULT '',
    follow_up_on  TEXT NOT NULL DEFAULT '',
    case_id       {BIGINT} REFERENCES cases(id),
    created_by    {BIGINT} NOT NULL REFERENCES users(id),
    created_at    {TIMESTAMP} NOT NULL
);
CREATE INDEX visits_region ON visits(region_id, visited_on);
CREATE INDEX visits_household ON visits(household_id, visited_on);
CREATE INDEX visits_liaison ON visits(liaison_id, visited_on);
CREATE INDEX visits_member ON visits(member_id);

CREATE TABLE visit_residents (
    visit_id    {BIGINT} NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    resident_id {BIGINT} NOT NULL REFERENCES residents(id),
    PRIMARY KEY (visit_id, resident_id)
);
CREATE INDEX visit_residents_resident ON visit_residents(resident_id);

CREATE TABLE visit_photos (
    id           {ID},
    visit_id     {BIGINT} NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    path         TEXT NOT NULL,                                 -- under the data dir
    file_name    TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    created_at   {TIMESTAMP} NOT NULL
);
CREATE INDEX visit_photos_visit ON visit_photos(visit_id);

-- The date of each resident's last care-plan visit (a grid visit where they were met), kept with
-- every visit so that due dates and coverage need no scan of the visit ledger.
CREATE TABLE care_last_visits (
    resident_id {BIGINT} PRIMARY KEY REFERENCES residents(id) ON DELETE CASCADE,
    last_on     TEXT NOT NULL
);

CREATE TABLE volunteer_posts (
    id          {ID},
    region_id   {BIGINT} NOT NULL REFERENCES regions(id),        -- the grid
    title       TEXT NOT NULL,
    place       TEXT NOT NULL DEFAULT '',
    starts_at   {TIMESTAMP} NOT NULL,
    ends_at     {TIMESTAMP} NOT NULL,
    slots       INTEGER NOT NULL CHECK (slots > 0),
    note        TEXT NOT NULL DEFAULT '',
    created_by  {BIGINT} NOT NULL REFERENCES users(id),
    created_at  {TIMESTAMP} NOT NULL
);
CREATE INDEX volunteer_posts_region ON volunteer_posts(region_id, starts_at);

CREATE TABLE volunteer_signups (
    post_id     {BIGINT} NOT NULL REFERENCES volunteer_posts(id) ON DELETE CASCADE,
    member_id   {BIGINT} NOT NULL REFERENCES party_members(id),
    created_at  {TIMESTAMP} NOT NULL,
    PRIMARY KEY (post_id, member_id)
);
CREATE INDEX volunteer_signups_member ON volunteer_signups(member_id);

CREATE TABLE service_hours (
    id          {ID},
    region_id   {BIGINT} NOT NULL REFERENCES regions(id),        -- the post's grid, else the member's
    member_id   {BIGINT} NOT NULL REFERENCES party_members(id),
    post_id     {BIGINT} REFERENCES volunteer_posts(id),
    served_on   TEXT NOT NULL,                                  -- YYYY-MM-DD
    minutes     INTEGER NOT NULL CHECK (minutes > 0 AND minutes <= 1440),
    note        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','approved','rejected')),
    decided_by  {BIGINT} REFERENCES users(id),
    decided_at  {TIMESTAMP},
    reason      TEXT NOT NULL DEFAULT '',
    created_by  {BIGINT} NOT NULL REFERENCES users(id),
    created_at  {TIMESTAMP} NOT NULL
);
CREATE INDEX service_hours_region ON service_hours(region_id, status);
CREATE INDEX service_hours_member ON service_hours(member_id, served_on);
