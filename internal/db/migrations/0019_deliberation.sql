-- The residents' deliberation hall 居民议事厅: topics 议题 raised and supported by households, their
-- discussion, meetings 议事会 in a booked room (venue_bookings) with participants, attendance and
-- minutes, motions voted once per household or representative, decisions 决议 published and carried
-- out in public, and the residents' rating 评议. Days a user picks are TEXT 'YYYY-MM-DD' (Asia/Shanghai);
-- instants are UTC.

CREATE TABLE delib_topics (
    id              {ID},
    region_id       {BIGINT} NOT NULL REFERENCES regions(id),   -- the scope: a grid or the community
    community_id    {BIGINT} NOT NULL REFERENCES regions(id),
    building_id     {BIGINT} REFERENCES buildings(id),          -- set when the scope is one building or courtyard
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    source          TEXT NOT NULL CHECK (source IN ('resident','grid','party','unit','case','visit','community')),
    case_id         {BIGINT} REFERENCES cases(id),
    visit_id        {BIGINT} REFERENCES visits(id),
    raised_by       {BIGINT} REFERENCES users(id),              -- the staff account that recorded it
    raiser_household {BIGINT} REFERENCES households(id),        -- a resident's household (never shown publicly)
    raiser_label    TEXT NOT NULL DEFAULT '',                   -- what the public page shows: building and role
    threshold       INTEGER NOT NULL,                           -- supporting households that send it to review
    state           TEXT NOT NULL CHECK (state IN ('proposed','queued','declined','merged','discussing','reviewing',
                        'resolving','decided','rejected','published','implementing','evaluating','closed')),
    owner_label     TEXT NOT NULL DEFAULT '',
    plan            TEXT NOT NULL DEFAULT '',
    summary         TEXT NOT NULL DEFAULT '',                   -- positions summarised by staff
    reason          TEXT NOT NULL DEFAULT '',                   -- public reason of a decline or a failed vote
    merged_into     {BIGINT} REFERENCES delib_topics(id),
    supports        INTEGER NOT NULL DEFAULT 0,
    created_at      {TIMESTAMP} NOT NULL,
    accepted_at     {TIMESTAMP},
    decided_at      {TIMESTAMP},
    done_at         {TIMESTAMP},
    updated_at      {TIMESTAMP} NOT NULL
);
CREATE INDEX delib_topics_region ON delib_topics(region_id, created_at);
CREATE INDEX delib_topics_state ON delib_topics(community_id, state);

-- One support per household: the key refuses a second one, even from a concurrent request.
CREATE TABLE delib_supports (
    topic_id      {BIGINT} NOT NULL REFERENCES delib_topics(id),
    household_id  {BIGINT} NOT NULL REFERENCES households(id),
    resident_id   {BIGINT} REFERENCES residents(id),
    recorded_by   {BIGINT} REFERENCES users(id),
    created_at    {TIMESTAMP} NOT NULL,
    PRIMARY KEY (topic_id, household_id)
);

CREATE TABLE delib_comments (
    id            {ID},
    topic_id      {BIGINT} NOT NULL REFERENCES delib_topics(id),
    household_id  {BIGINT} REFERENCES households(id),
    user_id       {BIGINT} REFERENCES users(id),
    author_label  TEXT NOT NULL,                                -- building and role, or the staff role
    kind          TEXT NOT NULL DEFAULT 'comment' CHECK (kind IN ('comment','stakeholder')),
    body          TEXT NOT NULL,
    hidden        BOOLEAN NOT NULL DEFAULT FALSE,
    hide_reason   TEXT NOT NULL DEFAULT '',
    created_at    {TIMESTAMP} NOT NULL
);
CREATE INDEX delib_comments_topic ON delib_comments(topic_id, created_at);

CREATE TABLE delib_meetings (
    id            {ID},
    region_id     {BIGINT} NOT NULL REFERENCES regions(id),     -- the community
    title         TEXT NOT NULL,
    body          TEXT NOT NULL CHECK (body IN ('residents','representatives','party')),
    vote_by       TEXT NOT NULL CHECK (vote_by IN ('household','representative')),
    venue_id      {BIGINT} NOT NULL REFERENCES venues(id),
    booking_id    {BIGINT} REFERENCES venue_bookings(id),
    starts_at     {TIMESTAMP} NOT NULL,
    ends_at       {TIMESTAMP} NOT NULL,
    speaking_rules TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL CHECK (state IN ('scheduled','closed','cancelled')),
    minutes       TEXT NOT NULL DEFAULT '',
    checkin_token TEXT NOT NULL,
    created_by    {BIGINT} REFERENCES users(id),
    created_at    {TIMESTAMP} NOT NULL,
    closed_at     {TIMESTAMP}
);
CREATE INDEX delib_meetings_region ON delib_meetings(region_id, starts_at);

CREATE TABLE delib_agenda (
    meeting_id    {BIGINT} NOT NULL REFERENCES delib_meetings(id),
    topic_id      {BIGINT} NOT NULL REFERENCES delib_topics(id),
    position      INTEGER NOT NULL,
    minutes_planned INTEGER NOT NULL DEFAULT 20,
    PRIMARY KEY (meeting_id, topic_id)
);
CREATE INDEX delib_agenda_topic ON delib_agenda(topic_id);

-- Who is invited; entitled participants vote (one per household, or per representative).
CREATE TABLE delib_participants (
    id            {ID},
    meeting_id    {BIGINT} NOT NULL REFERENCES delib_meetings(id),
    kind          TEXT NOT NULL CHECK (kind IN ('representative','building_leader','party_member','stakeholder','resident')),
    name          TEXT NOT NULL,
    household_id  {BIGINT} REFERENCES households(id),
    label         TEXT NOT NULL DEFAULT '',                     -- building and role, for public pages
    entitled      BOOLEAN NOT NULL DEFAULT TRUE,
    registered_at {TIMESTAMP},
    attended_at   {TIMESTAMP}
);
CREATE INDEX delib_participants_meeting ON delib_participants(meeting_id);
CREATE UNIQUE INDEX delib_participants_household ON delib_participants(meeting_id, household_id) WHERE household_id IS NOT NULL;

CREATE TABLE delib_motions (
    id            {ID},
    meeting_id    {BIGINT} NOT NULL REFERENCES delib_meetings(id),
    topic_id      {BIGINT} NOT NULL REFERENCES delib_topics(id),
    text          TEXT NOT NULL,
    method        TEXT NOT NULL CHECK (method IN ('hands','ballot')),
    secret        BOOLEAN NOT NULL DEFAULT FALSE,
    state         TEXT NOT NULL CHECK (state IN ('open','closed')),
    entitled      INTEGER NOT NULL DEFAULT 0,
    present       INTEGER NOT NULL DEFAULT 0,
    yes           INTEGER NOT NULL DEFAULT 0,
    no            INTEGER NOT NULL DEFAULT 0,
    abstain       INTEGER NOT NULL DEFAULT 0,
    quorum_met    BOOLEAN NOT NULL DEFAULT FALSE,
    passed        BOOLEAN NOT NULL DEFAULT FALSE,
    opened_at     {TIMESTAMP} NOT NULL,
    closed_at     {TIMESTAMP}
);
CREATE INDEX delib_motions_meeting ON delib_motions(meeting_id);
CREATE INDEX delib_motions_topic ON delib_motions(topic_id);

-- A ballot per voter (participant) and motion: the key makes concurrent ballots count once.
CREATE TABLE delib_ballots (
    motion_id       {BIGINT} NOT NULL REFERENCES delib_motions(id),
    participant_id  {BIGINT} NOT NULL REFERENCES delib_participants(id),
    choice          TEXT NOT NULL CHECK (choice IN ('yes','no','abstain')),
    created_at      {TIMESTAMP} NOT NULL,
    PRIMARY KEY (motion_id, participant_id)
);

CREATE TABLE delib_decisions (
    id              {ID},
    topic_id        {BIGINT} NOT NULL UNIQUE REFERENCES delib_topics(id),
    motion_id       {BIGINT} NOT NULL REFERENCES delib_motions(id),
    region_id       {BIGINT} NOT NULL REFERENCES regions(id),
    text            TEXT NOT NULL,
    owner_kind      TEXT NOT NULL CHECK (owner_kind IN ('grid','unit','property','community','department')),
    owner_name      TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    case_id         {BIGINT} REFERENCES cases(id),
    project_id      {BIGINT} REFERENCES cobuild_projects(id),
    publish_days    INTEGER NOT NULL DEFAULT 7,
    published_at    {TIMESTAMP},
    progress        INTEGER NOT NULL DEFAULT 0,
    done_at         {TIMESTAMP},
    created_at      {TIMESTAMP} NOT NULL
);
CREATE INDEX delib_decisions_region ON delib_decisions(region_id, created_at);

CREATE TABLE delib_updates (
    id            {ID},
    decision_id   {BIGINT} NOT NULL REFERENCES delib_decisions(id),
    progress      INTEGER NOT NULL,
    note          TEXT NOT NULL,
    created_by    {BIGINT} REFERENCES users(id),
    created_at    {TIMESTAMP} NOT NULL
);
CREATE INDEX delib_updates_decision ON delib_updates(decision_id, created_at);

-- Questions raised while a decision is published, answered within 3 days.
CREATE TABLE delib_questions (
    id            {ID},
    decision_id   {BIGINT} NOT NULL REFERENCES delib_decisions(id),
    asker_label   TEXT NOT NULL,
    question      TEXT NOT NULL,
    answer        TEXT NOT NULL DEFAULT '',
    asked_at      {TIMESTAMP} NOT NULL,
    due_at        {TIMESTAMP} NOT NULL,
    answered_at   {TIMESTAMP}
);
CREATE INDEX delib_questions_decision ON delib_questions(decision_id);

CREATE TABLE delib_ratings (
    topic_id      {BIGINT} NOT NULL REFERENCES delib_topics(id),
    household_id  {BIGINT} NOT NULL REFERENCES households(id),
    score         INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment       TEXT NOT NULL DEFAULT '',
    created_at    {TIMESTAMP} NOT NULL,
    PRIMARY KEY (topic_id, household_id)
);

-- Residents' phone verification: one pending code per phone (blind index), hashed; and the tokens
-- of verified phones, hashed, that the public pages' cookie carries.
CREATE TABLE delib_codes (
    phone_index   TEXT NOT NULL PRIMARY KEY,
    code_hash     TEXT NOT NULL,
    sent_at       {TIMESTAMP} NOT NULL,
    expires_at    {TIMESTAMP} NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE delib_residents (
    token_hash    TEXT NOT NULL PRIMARY KEY,
    resident_id   {BIGINT} NOT NULL REFERENCES residents(id),
    created_at    {TIMESTAMP} NOT NULL,
    expires_at    {TIMESTAMP} NOT NULL
);
CREATE INDEX delib_residents_resident ON delib_residents(resident_id);
