-- People's mediation (人民调解): dispute types as data, the think-tank expert pool, the case file
-- (parties with their consent, mediators, invited participants, investigation and session records,
-- agreement terms, follow-ups, the 卷宗 documents, the timeline) and the grids' screening rounds.
-- Dates a user states (登记、受理、签订、回访) are YYYY-MM-DD in Asia/Shanghai; instants are UTC.

CREATE TABLE mediation_types (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sort INTEGER NOT NULL DEFAULT 0
);
INSERT INTO mediation_types (code, name, sort) VALUES
    ('marriage', '婚姻家庭纠纷', 1), ('neighbour', '邻里纠纷', 2), ('housing', '房屋宅基地纠纷', 3),
    ('contract', '合同纠纷', 4), ('business', '生产经营纠纷', 5), ('damages', '损害赔偿纠纷', 6),
    ('labour', '劳动争议纠纷', 7), ('property', '物业纠纷', 8), ('land', '征地拆迁纠纷', 9),
    ('environment', '环境污染纠纷', 10), ('medical', '医疗纠纷', 11), ('traffic', '道路交通事故纠纷', 12),
    ('village', '村务管理纠纷', 13), ('mountain', '山林土地纠纷', 14), ('other', '其他纠纷', 15);

-- The committee's short name in the file number (2026)南人调字第N号, per community; absent: the
-- community name's first character.
CREATE TABLE mediation_committees (
    community_id {BIGINT} PRIMARY KEY REFERENCES regions(id),
    short_name   TEXT NOT NULL,
    name         TEXT NOT NULL DEFAULT ''
);
CREATE TABLE mediation_counters (
    community_id {BIGINT} NOT NULL REFERENCES regions(id),
    year         INTEGER NOT NULL,
    last         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (community_id, year)
);

-- The red think tank 红色智囊团: experts a committee may invite (Art. 20).
CREATE TABLE mediation_experts (
    id           {ID},
    community_id {BIGINT} NOT NULL REFERENCES regions(id),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,                    -- 五老, 律师, 两代表一委员, 教师, 退休干部, 其他
    title        TEXT NOT NULL DEFAULT '',         -- e.g. 退休法官, 执业律师
    types        TEXT NOT NULL DEFAULT '',         -- comma-separated mediation_types codes they suit
    availability TEXT NOT NULL DEFAULT '',         -- e.g. 工作日上午
    phone_enc    {BLOB},
    phone_index  TEXT,
    phone_masked TEXT NOT NULL DEFAULT '',
    user_id      {BIGINT} REFERENCES users(id),     -- an expert with an account sees only cases they joined
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    created_at   {TIMESTAMP} NOT NULL,
    updated_at   {TIMESTAMP} NOT NULL
);
CREATE INDEX mediation_experts_community ON mediation_experts(community_id, active);
CREATE UNIQUE INDEX mediation_experts_user ON mediation_experts(user_id) WHERE user_id IS NOT NULL;

CREATE TABLE mediation_cases (
    id                   {ID},
    number               TEXT NOT NULL,
    year                 INTEGER NOT NULL,
    serial               INTEGER NOT NULL,
    community_id         {BIGINT} NOT NULL REFERENCES regions(id),
    grid_id              {BIGINT} REFERENCES grids(id),
    household_id         {BIGINT} REFERENCES households(id),
    case_id              {BIGINT} REFERENCES cases(id),          -- the residents' case it was referred from
    source               TEXT NOT NULL,
    type_code            TEXT NOT NULL REFERENCES mediation_types(code),
    title                TEXT NOT NULL,
    facts                TEXT NOT NULL DEFAULT '',
    state                TEXT NOT NULL CHECK (state IN ('registered','accepted','mediating','agreed','performed','failed','refused','archived')),
    outcome              TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('','agreement','oral','failed','refused')),
    lead_mediator_id     {BIGINT} REFERENCES users(id),
    registered_on        TEXT NOT NULL,
    accepted_on          TEXT NOT NULL DEFAULT '',
    due_on               TEXT NOT NULL DEFAULT '',              -- the 30-day target (一般在一个月内调结)
    extended             BOOLEAN NOT NULL DEFAULT FALSE,
    closed_on            TEXT NOT NULL DEFAULT '',              -- agreement, failure or refusal
    referral             TEXT NOT NULL DEFAULT '',              -- 诉讼, 仲裁, 行政 … on failure or refusal
    close_reason         TEXT NOT NULL DEFAULT '',
    agreement_facts      TEXT NOT NULL DEFAULT '',              -- Art. 29: main facts and responsibilities
    agreement_text       TEXT NOT NULL DEFAULT '',              -- oral agreement as recorded (Art. 28)
    amount               INTEGER NOT NULL DEFAULT 0,            -- 协议金额, yuan
    signed_on            TEXT NOT NULL DEFAULT '',
    confirmation         TEXT NOT NULL DEFAULT '' CHECK (confirmation IN ('','applied','confirmed')),
    followup_due         TEXT NOT NULL DEFAULT '',
    performance          TEXT NOT NULL DEFAULT '' CHECK (performance IN ('','performed','partly','not')),
    prevented_criminal   BOOLEAN NOT NULL DEFAULT FALSE,        -- 防止民转刑
    prevented_petition   BOOLEAN NOT NULL DEFAULT FALSE,        -- 防止群体性上访
    prevented_people     INTEGER NOT NULL DEFAULT 0,
    prevented_reason     TEXT NOT NULL DEFAULT '',
    reopen_count         INTEGER NOT NULL DEFAULT 0,
    archived_on          TEXT NOT NULL DEFAULT '',
    created_by           {BIGINT} REFERENCES users(id),
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           {TIMESTAMP} NOT NULL,
    updated_at           {TIMESTAMP} NOT NULL,
    UNIQUE (community_id, number)
);
CREATE INDEX mediation_cases_registered ON mediation_cases(community_id, registered_on);
CREATE INDEX mediation_cases_closed ON mediation_cases(community_id, closed_on);
CREATE INDEX mediation_cases_state ON mediation_cases(community_id, state);
CREATE INDEX mediation_cases_grid ON mediation_cases(grid_id, household_id);
CREATE INDEX mediation_cases_case ON mediation_cases(case_id) WHERE case_id IS NOT NULL;

CREATE TABLE mediation_parties (
    id             {ID},
    mediation_id   {BIGINT} NOT NULL REFERENCES mediation_cases(id) ON DELETE CASCADE,
    side           TEXT NOT NULL CHECK (side IN ('applicant','respondent')),
    name           TEXT NOT NULL,
    resident_id    {BIGINT} REFERENCES residents(id),
    gender         TEXT NOT NULL DEFAULT '',
    birth_date     TEXT NOT NULL DEFAULT '',
    id_enc         {BLOB},
    id_index       TEXT,
    id_masked      TEXT NOT NULL DEFAULT '',
    phone_enc      {BLOB},
    phone_index    TEXT,
    phone_masked   TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    representative TEXT NOT NULL DEFAULT '',                    -- 代理人 / 监护人
    consent        TEXT NOT NULL DEFAULT 'pending' CHECK (consent IN ('pending','agreed','refused')),
    consent_on     TEXT NOT NULL DEFAULT '',
    consent_how    TEXT NOT NULL DEFAULT '',                    -- 书面, 口头, 电话
    notified_on    TEXT NOT NULL DEFAULT '',                    -- 权利义务告知书 given
    sort           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mediation_parties_case ON mediation_parties(mediation_id);
CREATE INDEX mediation_parties_resident ON mediation_parties(resident_id);

CREATE TABLE mediation_mediators (
    mediation_id {BIGINT} NOT NULL REFERENCES mediation_cases(id) ON DELETE CASCADE,
    user_id      {BIGINT} NOT NULL REFERENCES users(id),
    lead         BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (mediation_id, user_id)
);
CREATE INDEX mediation_mediators_user ON mediation_mediators(user_id);

-- Invited participants (Art. 20): relatives, neighbours, experts from the pool; each with the
-- parties' consent recorded.
CREATE TABLE mediation_participants (
    id           {ID},
    mediation_id {BIGINT} NOT NULL REFERENCES mediation_cases(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('expert','relative','neighbour','other')),
    expert_id    {BIGINT} REFERENCES mediation_experts(id),
    name         TEXT NOT NULL,
    relation     TEXT NOT NULL DEFAULT '',
    consent_note TEXT NOT NULL,
    invited_on   TEXT NOT NULL
);
CREATE INDEX mediation_participants_case ON mediation_participants(mediation_id);
CREATE INDEX mediation_participants_expert ON mediation_participants(expert_id);

-- 调查记录 and 调解记录.
CREATE TABLE mediation_records (
    id           {ID},
    mediation_id {BIGINT} NOT NULL REFERENCES mediation_cases(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('investigation','session')),
    held_on      TEXT NOT NULL,
    place        TEXT NOT NULL DEFAULT '',
    attendees    TEXT NOT NULL DEFAULT '',
    content      TEXT NOT NULL,
    result       TEXT NOT NULL DEFAULT '',
    created_by   {BIGINT} REFERENCES users(id),
    created_at   {TIMESTAMP} NOT NULL
);
CREATE INDEX mediation_records_case ON mediation_records(mediation_id, held_on);

-- The terms of a written agreement: what, how, by when (Art. 29).
CREATE TABLE mediation_terms (
    id           {ID},
    mediation_id {BIGINT} NOT NULL REFERENCES mediation_cases(id) ON DELETE CASCADE,
    content      TEXT NOT NULL,
    method       TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    sort         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mediation_terms_case ON mediation_terms(mediation_id);

-- 回访: performance and satisfaction.
CREATE TABLE mediation_followups (
    id           {ID},
    mediation_id {BIGINT} NOT NULL REFERENCES mediation_cases(id) ON DELETE CASCADE,
    done_on      TEXT NOT NULL,
    performance  TEXT NOT NULL CHECK (performance IN ('performed','partly','not')),
    satisfaction TEXT NOT NULL CHECK (satisfaction IN ('satisfied','basic','dissatisfied')),
    note         TEXT NOT NULL DEFAULT '',
    created_by   {BIGINT} REFERENCES users(id),
    created_at   {TIMESTAMP} NOT NULL
);
CREATE INDEX mediation_followups_case ON mediation_followups(mediation_id);

-- Documents placed in the file by hand (身份证明, 履行凭证, 封底 …); the others derive from the records.
CREATE TABLE mediation_documents (
    mediation_id {BIGINT} NOT NULL REFERENCES mediation_cases(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    added_on     TEXT NOT NULL,
    added_by     {BIGINT} REFERENCES users(id),
    PRIMARY KEY (mediation_id, kind)
);

CREATE TABLE mediation_events (
    id           {ID},
    mediation_id {BIGINT} NOT NULL REFERENCES mediation_cases(id) ON DELETE CASCADE,
    at           {TIMESTAMP} NOT NULL,
    user_id      {BIGINT} REFERENCES users(id),
    actor_name   TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL,
    from_state   TEXT NOT NULL DEFAULT '',
    to_state     TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mediation_events_case ON mediation_events(mediation_id, at);

-- 矛盾纠纷排查: a round per grid (default every 10 days) with the disputes found.
CREATE TABLE mediation_screenings (
    id           {ID},
    grid_id      {BIGINT} NOT NULL REFERENCES grids(id),
    held_on      TEXT NOT NULL,
    found        INTEGER NOT NULL DEFAULT 0,
    note         TEXT NOT NULL DEFAULT '',
    created_by   {BIGINT} REFERENCES users(id),
    created_at   {TIMESTAMP} NOT NULL
);
CREATE INDEX mediation_screenings_grid ON mediation_screenings(grid_id, held_on);

CREATE TABLE mediation_screening_items (
    id           {ID},
    screening_id {BIGINT} NOT NULL REFERENCES mediation_screenings(id) ON DELETE CASCADE,
    description  TEXT NOT NULL,
    type_code    TEXT NOT NULL REFERENCES mediation_types(code),
    household_id {BIGINT} REFERENCES households(id),
    mediation_id {BIGINT} REFERENCES mediation_cases(id)
);
CREATE INDEX mediation_screening_items_screening ON mediation_screening_items(screening_id);
