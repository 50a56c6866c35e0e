-- Residents' requests (诉求/案件): channels and categories as data, cases with their deadlines,
-- the timeline (case_events), dispatch tasks, attachments, callbacks, intake idempotency keys and
-- the Chinese full-text index. Times are UTC.

CREATE TABLE case_channels (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    sort   INTEGER NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT TRUE
);

-- Units of a time limit: hours (0.5 = 30 minutes) run on the clock; working_hours and working_days on
-- the working-day calendar.
CREATE TABLE case_categories (
    id               {ID},
    parent_id        {BIGINT} REFERENCES case_categories(id),
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL DEFAULT 'other' CHECK (kind IN ('consultation','complaint','other')),
    handler_type     TEXT NOT NULL DEFAULT 'grid' CHECK (handler_type IN ('grid','user','unit','department')),
    priority         TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal','urgent','critical')),
    accept_amount    {DOUBLE} NOT NULL DEFAULT 2,
    accept_unit      TEXT NOT NULL DEFAULT 'working_hours',
    sign_amount      {DOUBLE} NOT NULL DEFAULT 1,
    sign_unit        TEXT NOT NULL DEFAULT 'working_days',
    handle_amount    {DOUBLE} NOT NULL DEFAULT 7,
    handle_unit      TEXT NOT NULL DEFAULT 'working_days',
    callback_amount  {DOUBLE} NOT NULL DEFAULT 2,
    callback_unit    TEXT NOT NULL DEFAULT 'working_days',
    duplicate_radius INTEGER NOT NULL DEFAULT 100,        -- metres
    required_fields  TEXT NOT NULL DEFAULT '',            -- comma-separated: address, location, photo, phone
    open311_code     TEXT NOT NULL DEFAULT '',
    sort             INTEGER NOT NULL DEFAULT 0,
    active           BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX case_categories_parent ON case_categories(parent_id);

-- Limits that depend on priority rather than category (紧急, 特急); 一般 uses the category's own.
CREATE TABLE case_priority_limits (
    priority TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('sign','handle')),
    amount   {DOUBLE} NOT NULL,
    unit     TEXT NOT NULL,
    PRIMARY KEY (priority, kind)
);

-- Per community, per year: the prefix and last serial of the case number 案卷编号 (NG-2024-000153).
CREATE TABLE case_counters (
    community_id {BIGINT} NOT NULL REFERENCES regions(id),
    year         INTEGER NOT NULL,
    last         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (community_id, year)
);
CREATE TABLE case_prefixes (
    community_id {BIGINT} PRIMARY KEY REFERENCES regions(id),
    prefix       TEXT NOT NULL
);

CREATE TABLE cases (
    id                    {ID},
    number                TEXT NOT NULL,
    community_id          {BIGINT} NOT NULL REFERENCES regions(id),
    region_id             {BIGINT} NOT NULL REFERENCES regions(id),  -- owner: the grid, the community, or above after 上报
    grid_id               {BIGINT} REFERENCES grids(id),
    channel               TEXT NOT NULL REFERENCES case_channels(code),
    category_id           {BIGINT} NOT NULL REFERENCES case_categories(id),
    priority              TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal','urgent','critical')),
    title                 TEXT NOT NULL,
    description           TEXT NOT NULL DEFAULT '',
    address               TEXT NOT NULL DEFAULT '',
    building_id           {BIGINT} REFERENCES buildings(id),
    household_id          {BIGINT} REFERENCES households(id),
    resident_id           {BIGINT} REFERENCES residents(id),
    lon                   {DOUBLE},
    lat                   {DOUBLE},
    reporter_name         TEXT NOT NULL DEFAULT '',
    reporter_phone_enc    {BLOB},
    reporter_phone_index  TEXT,
    reporter_phone_masked TEXT NOT NULL DEFAULT '',
    anonymous             BOOLEAN NOT NULL DEFAULT FALSE,
    external_no           TEXT,                                     -- 12345 work-order number
    external_deadline     {TIMESTAMP},
    state                 TEXT NOT NULL CHECK (state IN ('received','accepted','dispatched','in_progress','suspended','reported','closed')),
    outcome               TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('','resolved','partly','explained','not_ours','rejected','duplicate')),
    received_at           {TIMESTAMP} NOT NULL,
    accept_deadline       {TIMESTAMP},
    accepted_at           {TIMESTAMP},
    dispatched_at         {TIMESTAMP},
    sign_deadline         {TIMESTAMP},
    handle_deadline       {TIMESTAMP},
    reported_at           {TIMESTAMP},
    reported_by           {BIGINT} REFERENCES users(id),
    closed_at             {TIMESTAMP},
    closed_by             {BIGINT} REFERENCES users(id),
    handle_minutes        INTEGER,                                  -- working minutes accepted → closed, suspension excluded
    callback_deadline     {TIMESTAMP},
    callback_at           {TIMESTAMP},                                -- the latest callback
    callback_resolved     BOOLEAN,
    callback_satisfaction TEXT NOT NULL DEFAULT '',
    handler_id            {BIGINT} REFERENCES users(id),             -- who holds the lead task
    suspended_at          {TIMESTAMP},
    suspended_minutes     INTEGER NOT NULL DEFAULT 0,               -- working minutes spent suspended
    suspend_reason        TEXT NOT NULL DEFAULT '',
    suspend_requested_by  {BIGINT} REFERENCES users(id),
    extension_until       {TIMESTAMP},                                -- a pending extension request
    extension_reason      TEXT NOT NULL DEFAULT '',
    extension_requested_by {BIGINT} REFERENCES users(id),
    reopen_count          INTEGER NOT NULL DEFAULT 0,
    supervised            BOOLEAN NOT NULL DEFAULT FALSE,
    supervised_at         {TIMESTAMP},
    overdue               BOOLEAN NOT NULL DEFAULT FALSE,
    tracking_code         TEXT NOT NULL UNIQUE,
    merged_into           {BIGINT} REFERENCES cases(id),
    created_by            {BIGINT} REFERENCES users(id),
    version               INTEGER NOT NULL DEFAULT 1,
    created_at            {TIMESTAMP} NOT NULL,
    updated_at            {TIMESTAMP} NOT NULL,
    UNIQUE (community_id, number)
);
CREATE UNIQUE INDEX cases_external_no ON cases(external_no) WHERE external_no IS NOT NULL;
CREATE INDEX cases_region_state ON cases(region_id, state, received_at);
CREATE INDEX cases_region_received ON cases(region_id, received_at);
CREATE INDEX cases_region_accepted ON cases(region_id, accepted_at);
CREATE INDEX cases_region_closed ON cases(region_id, closed_at);
CREATE INDEX cases_region_due ON cases(region_id, handle_deadline);
CREATE INDEX cases_grid ON cases(grid_id, state);
CREATE INDEX cases_handler ON cases(handler_id, state);
CREATE INDEX cases_category ON cases(category_id);
CREATE INDEX cases_supervised ON cases(region_id) WHERE supervised AND state <> 'closed';
CREATE INDEX cases_overdue ON cases(region_id) WHERE overdue;
CREATE INDEX cases_open_accept ON cases(accept_deadline) WHERE state = 'received' AND NOT overdue;
CREATE INDEX cases_open_sign ON cases(sign_deadline) WHERE state = 'dispatched' AND NOT overdue;
CREATE INDEX cases_open_handle ON cases(handle_deadline) WHERE state IN ('accepted','dispatched','in_progress','reported') AND NOT overdue;
CREATE INDEX cases_open_callback ON cases(callback_deadline) WHERE state = 'closed' AND callback_at IS NULL AND NOT overdue;
CREATE INDEX cases_location ON cases(lat, lon) WHERE lat IS NOT NULL;
CREATE INDEX cases_merged ON cases(merged_into) WHERE merged_into IS NOT NULL;

-- The timeline and audit of a case: one row per action.
CREATE TABLE case_events (
    id          {ID},
    case_id     {BIGINT} NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    region_id   {BIGINT} NOT NULL REFERENCES regions(id),
    at          {TIMESTAMP} NOT NULL,
    user_id     {BIGINT} REFERENCES users(id),
    actor_name  TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    from_state  TEXT NOT NULL DEFAULT '',
    to_state    TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    public      BOOLEAN NOT NULL DEFAULT FALSE,
    attachments TEXT NOT NULL DEFAULT '[]',
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events(case_id, id);

-- Dispatched tasks: one lead 主办 and optional assisting 协办 targets per dispatch.
CREATE TABLE case_assignments (
    id             {ID},
    case_id        {BIGINT} NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    region_id      {BIGINT} NOT NULL REFERENCES regions(id),
    role           TEXT NOT NULL CHECK (role IN ('lead','assist')),
    target_kind    TEXT NOT NULL CHECK (target_kind IN ('grid','user','unit','department')),
    target_grid_id {BIGINT} REFERENCES grids(id),
    target_user_id {BIGINT} REFERENCES users(id),
    target_name    TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','signed','returned','done','withdrawn')),
    dispatched_by  {BIGINT} REFERENCES users(id),
    dispatched_at  {TIMESTAMP} NOT NULL,
    sign_deadline  {TIMESTAMP} NOT NULL,
    signed_at      {TIMESTAMP},
    signed_by      {BIGINT} REFERENCES users(id),
    returned_at    {TIMESTAMP},
    return_reason  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_assignments_case ON case_assignments(case_id, role);
CREATE INDEX case_assignments_user ON case_assignments(target_user_id, status);
CREATE INDEX case_assignments_grid ON case_assignments(target_grid_id, status);
CREATE INDEX case_assignments_name ON case_assignments(target_name, status);

CREATE TABLE case_attachments (
    id           {ID},
    case_id      {BIGINT} NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    region_id    {BIGINT} NOT NULL REFERENCES regions(id),
    event_id     {BIGINT} REFERENCES case_events(id),
    path         TEXT NOT NULL,                -- relative to the data directory
    file_name    TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL,
    size         {BIGINT} NOT NULL,
    sha256       TEXT NOT NULL,
    uploaded_by  {BIGINT} REFERENCES users(id),
    created_at   {TIMESTAMP} NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments(case_id);

CREATE TABLE case_callbacks (
    id           {ID},
    case_id      {BIGINT} NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    region_id    {BIGINT} NOT NULL REFERENCES regions(id),
    at           {TIMESTAMP} NOT NULL,
    by_user_id   {BIGINT} REFERENCES users(id),
    by_resident  BOOLEAN NOT NULL DEFAULT FALSE,
    method       TEXT NOT NULL DEFAULT 'phone' CHECK (method IN ('phone','visit','link','sms')),
    resolved     BOOLEAN NOT NULL,
    satisfaction TEXT NOT NULL CHECK (satisfaction IN ('satisfied','basic','dissatisfied')),
    cause        TEXT NOT NULL DEFAULT '' CHECK (cause IN ('','subjective','objective')),
    note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_callbacks_case ON case_callbacks(case_id, at);

-- API intake idempotency: the same key from the same user gives the same case.
CREATE TABLE case_idempotency (
    user_id    {BIGINT} NOT NULL REFERENCES users(id),
    key        TEXT NOT NULL,
    body_hash  TEXT NOT NULL,
    case_id    {BIGINT} NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    created_at {TIMESTAMP} NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Chinese full-text search over title, description, address and notes (rowid = case id).
-- @sqlite
CREATE VIRTUAL TABLE case_fts USING fts5(tokens, tokenize = 'unicode61');
-- @postgres
CREATE TABLE case_fts (
    rowid  BIGINT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
    tokens TSVECTOR NOT NULL
);
CREATE INDEX case_fts_tokens ON case_fts USING GIN (tokens);
-- @end

-- Seed: the channels of DOMAIN.md, the priority limits and a realistic category tree.
INSERT INTO case_channels (code, name, sort) VALUES
    ('hotline_12345', '12345热线', 10), ('wechat_group', '居民微信群', 20), ('app_jzy', '金张掖快办', 30),
    ('app_gkb', '甘快办', 40), ('app_zzet', '综治E通', 50), ('ask_secretary', '有事儿找书记', 60),
    ('walk_in', '来访', 70), ('phone', '电话', 80), ('visit', '网格员走访', 90), ('patrol', '巡查发现', 100),
    ('web', '居民自助', 110), ('open311', 'Open311', 120);

INSERT INTO case_priority_limits (priority, kind, amount, unit) VALUES
    ('urgent', 'sign', 2, 'hours'), ('urgent', 'handle', 3, 'working_days'),
    ('critical', 'sign', 0.5, 'hours'), ('critical', 'handle', 24, 'hours');

INSERT INTO case_categories (code, name, kind, handler_type, sort) VALUES
    ('env', '环境卫生', 'other', 'grid', 10), ('infra', '基础设施', 'other', 'grid', 20),
    ('dispute', '邻里纠纷', 'complaint', 'grid', 30), ('policy', '惠民政策', 'consultation', 'grid', 40),
    ('property', '物业管理', 'complaint', 'grid', 50), ('safety', '治安隐患', 'other', 'grid', 60),
    ('care', '一老一小', 'other', 'grid', 70), ('other', '其他', 'other', 'grid', 80);

INSERT INTO case_categories (parent_id, code, name, kind, handler_type, priority, handle_amount, duplicate_radius, required_fields, open311_code, sort)
SELECT p.id, v.code, v.name, v.kind, v.handler_type, v.priority, v.handle_amount, v.duplicate_radius, v.required_fields, v.open311_code, v.sort
FROM case_categories p JOIN (
              SELECT 'env' AS parent, 'env.garbage' AS code, '垃圾清运' AS name, 'other' AS kind, 'grid' AS handler_type, 'normal' AS priority, 7 AS handle_amount, 100 AS duplicate_radius, 'address' AS required_fields, 'HJ01' AS open311_code, 11 AS sort
    UNION ALL SELECT 'env', 'env.corner', '卫生死角', 'other', 'grid', 'normal', 7, 100, 'address', 'HJ02', 12
    UNION ALL SELECT 'infra', 'infra.streetlight', '路灯', 'other', 'department', 'normal', 7, 200, 'address', 'JC01', 21
    UNION ALL SELECT 'infra', 'infra.road', '道路破损', 'other', 'department', 'normal', 7, 200, 'address', 'JC02', 22
    UNION ALL SELECT 'infra', 'infra.water', '供水', 'complaint', 'department', 'urgent', 13, 300, 'address', 'JC03', 23
    UNION ALL SELECT 'infra', 'infra.heating', '供暖', 'complaint', 'department', 'urgent', 13, 300, 'address', 'JC04', 24
    UNION ALL SELECT 'dispute', 'dispute.noise', '噪音', 'complaint', 'grid', 'normal', 13, 50, '', 'LL01', 31
    UNION ALL SELECT 'dispute', 'dispute.leak', '漏水', 'complaint', 'grid', 'normal', 13, 30, 'address', 'LL02', 32
    UNION ALL SELECT 'policy', 'policy.dibao', '低保咨询', 'consultation', 'grid', 'normal', 3, 0, 'phone', 'HM01', 41
    UNION ALL SELECT 'policy', 'policy.insurance', '医保社保', 'consultation', 'grid', 'normal', 3, 0, 'phone', 'HM02', 42
    UNION ALL SELECT 'property', 'property.service', '物业服务', 'complaint', 'grid', 'normal', 13, 100, 'address', 'WY01', 51
    UNION ALL SELECT 'property', 'property.elevator', '电梯故障', 'other', 'unit', 'urgent', 7, 50, 'address', 'WY02', 52
    UNION ALL SELECT 'property', 'property.parking', '停车管理', 'complaint', 'grid', 'normal', 13, 100, 'address', 'WY03', 53
    UNION ALL SELECT 'safety', 'safety.fire', '消防隐患', 'other', 'department', 'urgent', 7, 100, 'address', 'ZA01', 61
    UNION ALL SELECT 'safety', 'safety.public', '治安问题', 'complaint', 'department', 'normal', 13, 100, '', 'ZA02', 62
    UNION ALL SELECT 'care', 'care.meal', '助餐', 'other', 'grid', 'normal', 7, 0, 'phone', 'YL01', 71
    UNION ALL SELECT 'care', 'care.bath', '助浴', 'other', 'grid', 'normal', 7, 0, 'phone', 'YL02', 72
    UNION ALL SELECT 'care', 'care.watch', '看护', 'other', 'grid', 'normal', 7, 0, 'phone', 'YL03', 73
    UNION ALL SELECT 'other', 'other.consult', '咨询建议', 'consultation', 'grid', 'normal', 3, 0, '', 'QT01', 81
    UNION ALL SELECT 'other', 'other.complaint', '其他投诉', 'complaint', 'grid', 'normal', 13, 0, '', 'QT02', 82
    UNION ALL SELECT 'other', 'other.misc', '其他事项', 'other', 'grid', 'normal', 7, 0, '', 'QT03', 83
) v ON v.parent = p.code;
