-- The co-building alliance 共驻共建 大党委: member units with their agreements, the accounts of their
-- liaison contacts and the in-service members who serve through them; the three lists — needs
-- 需求清单, resources 资源清单, projects 项目清单 (milestones, resources used); joint meetings
-- 党建联席会议 with topics, attendance and decisions tracked until closed 销号; and co-building
-- activities. Dates a user picks are TEXT 'YYYY-MM-DD' (Asia/Shanghai days); instants are UTC.

CREATE TABLE cobuild_units (
    id            {ID},
    region_id     {BIGINT} NOT NULL REFERENCES regions(id),     -- the community whose 大党委 the unit joined
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,                               -- school, hospital, bank, … (model.go UnitKinds)
    credit_code   TEXT NOT NULL,                               -- 统一社会信用代码, GB 32100 check character verified
    address       TEXT NOT NULL DEFAULT '',
    party_org     TEXT NOT NULL DEFAULT '',                    -- the unit's own party organisation
    secretary     TEXT NOT NULL DEFAULT '',
    signed_on     TEXT NOT NULL DEFAULT '',                    -- co-building agreement
    term_years    INTEGER NOT NULL DEFAULT 0,
    commitments   TEXT NOT NULL DEFAULT '',
    reported_on   TEXT NOT NULL DEFAULT '',                    -- 报到 date
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    {TIMESTAMP} NOT NULL,
    updated_at    {TIMESTAMP} NOT NULL
);
CREATE UNIQUE INDEX cobuild_units_code ON cobuild_units(region_id, credit_code);

-- A unit_contact account acts for exactly one unit; a unit may have several contacts.
CREATE TABLE cobuild_unit_contacts (
    user_id     {BIGINT} NOT NULL PRIMARY KEY REFERENCES users(id),
    unit_id     {BIGINT} NOT NULL REFERENCES cobuild_units(id),
    created_at  {TIMESTAMP} NOT NULL
);
CREATE INDEX cobuild_unit_contacts_unit ON cobuild_unit_contacts(unit_id);

-- In-service party members 在职党员 serving through their unit: their service hours roll up to it.
CREATE TABLE cobuild_unit_members (
    member_id   {BIGINT} NOT NULL PRIMARY KEY REFERENCES party_members(id),
    unit_id     {BIGINT} NOT NULL REFERENCES cobuild_units(id),
    created_at  {TIMESTAMP} NOT NULL
);
CREATE INDEX cobuild_unit_members_unit ON cobuild_unit_members(unit_id);

CREATE TABLE cobuild_needs (
    id             {ID},
    region_id      {BIGINT} NOT NULL REFERENCES regions(id),    -- the grid it concerns, else the community
    title          TEXT NOT NULL,
    category       TEXT NOT NULL,
    detail         TEXT NOT NULL DEFAULT '',
    beneficiary    TEXT NOT NULL DEFAULT 'community' CHECK (beneficiary IN ('community','grid','building','group','households')),
    building_id    {BIGINT} REFERENCES buildings(id),
    focus_group    TEXT NOT NULL DEFAULT '',
    households     TEXT NOT NULL DEFAULT '',                   -- named households, masked
    urgency        TEXT NOT NULL DEFAULT 'normal' CHECK (urgency IN ('normal','urgent','critical')),
    want_people    INTEGER NOT NULL DEFAULT 0,
    want_hours     INTEGER NOT NULL DEFAULT 0,
    want_money     INTEGER NOT NULL DEFAULT 0,                 -- yuan
    want_room      BOOLEAN NOT NULL DEFAULT FALSE,
    want_skill     TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL CHECK (source IN ('community','grid','visit','case','resident')),
    visit_id       {BIGINT} REFERENCES visits(id),
    case_id        {BIGINT} REFERENCES cases(id),
    state          TEXT NOT NULL DEFAULT 'raised' CHECK (state IN ('raised','claimed','in_progress','done','rated')),
    raised_on      TEXT NOT NULL,
    raised_by      {BIGINT} REFERENCES users(id),
    unit_id        {BIGINT} REFERENCES cobuild_units(id),       -- the unit that claimed it
    claimed_on     TEXT NOT NULL DEFAULT '',
    done_on        TEXT NOT NULL DEFAULT '',
    satisfaction   TEXT NOT NULL DEFAULT '' CHECK (satisfaction IN ('','satisfied','basically','dissatisfied')),
    evaluation     TEXT NOT NULL DEFAULT '',
    created_at     {TIMESTAMP} NOT NULL,
    updated_at     {TIMESTAMP} NOT NULL
);
CREATE INDEX cobuild_needs_region ON cobuild_needs(region_id, raised_on);
CREATE INDEX cobuild_needs_unit ON cobuild_needs(unit_id);
CREATE INDEX cobuild_needs_state ON cobuild_needs(state);

CREATE TABLE cobuild_resources (
    id              {ID},
    region_id       {BIGINT} NOT NULL REFERENCES regions(id),
    unit_id         {BIGINT} REFERENCES cobuild_units(id),      -- NULL: offered by a person
    person          TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL CHECK (kind IN ('venue','volunteers','funds','expertise','service','goods')),
    category        TEXT NOT NULL DEFAULT '',                  -- the need category it suits; '' any
    title           TEXT NOT NULL,
    detail          TEXT NOT NULL DEFAULT '',
    quantity        INTEGER NOT NULL CHECK (quantity > 0),
    measure         TEXT NOT NULL,                             -- 小时, 元, 人次, 场次 …
    availability    TEXT NOT NULL DEFAULT '',                  -- recurring slots, e.g. 每周六上午
    available_from  TEXT NOT NULL,
    available_to    TEXT NOT NULL DEFAULT '',                  -- '' open-ended
    conditions      TEXT NOT NULL DEFAULT '',
    created_at      {TIMESTAMP} NOT NULL,
    updated_at      {TIMESTAMP} NOT NULL
);
CREATE INDEX cobuild_resources_region ON cobuild_resources(region_id, available_from);
CREATE INDEX cobuild_resources_unit ON cobuild_resources(unit_id);

CREATE TABLE cobuild_projects (
    id            {ID},
    region_id     {BIGINT} NOT NULL REFERENCES regions(id),
    need_id       {BIGINT} NOT NULL UNIQUE REFERENCES cobuild_needs(id),
    unit_id       {BIGINT} NOT NULL REFERENCES cobuild_units(id),  -- the owner unit
    title         TEXT NOT NULL,
    plan          TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL DEFAULT 'approved' CHECK (state IN ('approved','in_progress','done','rated')),
    started_on    TEXT NOT NULL,                                 -- 立项
    finished_on   TEXT NOT NULL DEFAULT '',
    satisfaction  TEXT NOT NULL DEFAULT '' CHECK (satisfaction IN ('','satisfied','basically','dissatisfied')),
    evaluation    TEXT NOT NULL DEFAULT '',
    created_at    {TIMESTAMP} NOT NULL,
    updated_at    {TIMESTAMP} NOT NULL
);
CREATE INDEX cobuild_projects_region ON cobuild_projects(region_id, started_on);
CREATE INDEX cobuild_projects_unit ON cobuild_projects(unit_id);

CREATE TABLE cobuild_milestones (
    id          {ID},
    project_id  {BIGINT} NOT NULL REFERENCES cobuild_projects(id),
    title       TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    done_on     TEXT NOT NULL DEFAULT '',
    created_at  {TIMESTAMP} NOT NULL
);
CREATE INDEX cobuild_milestones_project ON cobuild_milestones(project_id, due_on);

CREATE TABLE cobuild_resource_uses (
    id           {ID},
    project_id   {BIGINT} NOT NULL REFERENCES cobuild_projects(id),
    resource_id  {BIGINT} NOT NULL REFERENCES cobuild_resources(id),
    amount       INTEGER NOT NULL CHECK (amount > 0),           -- in the resource's measure
    used_on      TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    created_at   {TIMESTAMP} NOT NULL
);
CREATE INDEX cobuild_resource_uses_resource ON cobuild_resource_uses(resource_id);
CREATE INDEX cobuild_resource_uses_project ON cobuild_resource_uses(project_id);

CREATE TABLE cobuild_meetings (
    id             {ID},
    region_id      {BIGINT} NOT NULL REFERENCES regions(id),
    title          TEXT NOT NULL,
    cadence        TEXT NOT NULL CHECK (cadence IN ('quarterly','half_yearly','special')),
    starts_at      {TIMESTAMP} NOT NULL,
    held_on        TEXT NOT NULL,                              -- starts_at's day in Asia/Shanghai
    place          TEXT NOT NULL DEFAULT '',
    topics_due_on  TEXT NOT NULL,                              -- default 15 days before
    notice_on      TEXT NOT NULL,                              -- default 3 days before
    state          TEXT NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled','held','cancelled')),
    chair          TEXT NOT NULL DEFAULT '',
    minute_taker   TEXT NOT NULL DEFAULT '',
    minutes        TEXT NOT NULL DEFAULT '',
    created_at     {TIMESTAMP} NOT NULL,
    updated_at     {TIMESTAMP} NOT NULL
);
CREATE INDEX cobuild_meetings_region ON cobuild_meetings(region_id, held_on);

CREATE TABLE cobuild_decisions (
    id           {ID},
    region_id    {BIGINT} NOT NULL REFERENCES regions(id),
    meeting_id   {BIGINT} NOT NULL REFERENCES cobuild_meetings(id),
    text         TEXT NOT NULL,
    unit_id      {BIGINT} NOT NULL REFERENCES cobuild_units(id), -- the owner unit
    due_on       TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','closed')),
    closed_on    TEXT NOT NULL DEFAULT '',
    closed_note  TEXT NOT NULL DEFAULT '',
    created_at   {TIMESTAMP} NOT NULL,
    updated_at   {TIMESTAMP} NOT NULL
);
CREATE INDEX cobuild_decisions_region ON cobuild_decisions(region_id, state);
CREATE INDEX cobuild_decisions_unit ON cobuild_decisions(unit_id);

-- Agenda topics 议题: proposed by a unit or the community, or an open decision carried forward.
CREATE TABLE cobuild_topics (
    id           {ID},
    meeting_id   {BIGINT} NOT NULL REFERENCES cobuild_meetings(id),
    unit_id      {BIGINT} REFERENCES cobuild_units(id),
    decision_id  {BIGINT} REFERENCES cobuild_decisions(id),
    title        TEXT NOT NULL,
    created_at   {TIMESTAMP} NOT NULL
);
CREATE INDEX cobuild_topics_meeting ON cobuild_topics(meeting_id);

CREATE TABLE cobuild_attendance (
    meeting_id  {BIGINT} NOT NULL REFERENCES cobuild_meetings(id),
    unit_id     {BIGINT} NOT NULL REFERENCES cobuild_units(id),
    present     BOOLEAN NOT NULL,
    attendee    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (meeting_id, unit_id)
);

-- Co-building activities until internal/activities holds them: the columns are the ones an
-- activity needs (region, title, place, start, participants) so the move is one INSERT … SELECT.
CREATE TABLE cobuild_activities (
    id               {ID},
    region_id        {BIGINT} NOT NULL REFERENCES regions(id),
    title            TEXT NOT NULL,
    held_on          TEXT NOT NULL,
    place            TEXT NOT NULL DEFAULT '',
    participants     INTEGER NOT NULL DEFAULT 0 CHECK (participants >= 0),
    service_minutes  INTEGER NOT NULL DEFAULT 0 CHECK (service_minutes >= 0),
    need_id          {BIGINT} REFERENCES cobuild_needs(id),
    project_id       {BIGINT} REFERENCES cobuild_projects(id),
    summary          TEXT NOT NULL DEFAULT '',
    photos           INTEGER NOT NULL DEFAULT 0,                -- photos kept on paper or in the activity's album
    created_by       {BIGINT} REFERENCES users(id),
    created_at       {TIMESTAMP} NOT NULL
);
CREATE INDEX cobuild_activities_region ON cobuild_activities(region_id, held_on);

CREATE TABLE cobuild_activity_units (
    activity_id  {BIGINT} NOT NULL REFERENCES cobuild_activities(id),
    unit_id      {BIGINT} NOT NULL REFERENCES cobuild_units(id),
    PRIMARY KEY (activity_id, unit_id)
);
CREATE INDEX cobuild_activity_units_unit ON cobuild_activity_units(unit_id);
