-- The register: grids (each also a region of level 'grid'), the grid roster, buildings,
-- households, residents and their focus tags. Personal numbers are stored encrypted (*_enc), found
-- through an HMAC blind index (*_index) and shown masked (*_masked).

CREATE TABLE grids (
    id           {BIGINT} PRIMARY KEY REFERENCES regions(id),   -- the grid's own region id
    community_id {BIGINT} NOT NULL REFERENCES regions(id),
    number       INTEGER NOT NULL,
    kind         TEXT NOT NULL DEFAULT 'basic' CHECK (kind IN ('basic','dedicated')),
    boundary     TEXT NOT NULL DEFAULT '',                      -- GeoJSON Polygon/MultiPolygon, WGS-84
    note         TEXT NOT NULL DEFAULT '',
    updated_at   {TIMESTAMP} NOT NULL,
    UNIQUE (community_id, number)
);

CREATE TABLE grid_roster (
    id            {ID},
    grid_id       {BIGINT} NOT NULL REFERENCES grids(id) ON DELETE CASCADE,
    region_id     {BIGINT} NOT NULL REFERENCES regions(id),
    duty          TEXT NOT NULL,   -- grid_leader, worker_full, worker_part, building_leader, police, urban, zongzhi, minzheng, branch_secretary
    name          TEXT NOT NULL,
    phone_enc     {BLOB},
    phone_index   TEXT,
    phone_masked  TEXT NOT NULL DEFAULT '',
    user_id       {BIGINT} REFERENCES users(id),
    building_id   {BIGINT},         -- for building leaders
    note          TEXT NOT NULL DEFAULT '',
    created_at    {TIMESTAMP} NOT NULL,
    updated_at    {TIMESTAMP} NOT NULL
);
CREATE INDEX grid_roster_grid ON grid_roster(grid_id, duty);
CREATE INDEX grid_roster_user ON grid_roster(user_id);

CREATE TABLE buildings (
    id           {ID},
    region_id    {BIGINT} NOT NULL REFERENCES regions(id),      -- the grid, or the community if none
    community_id {BIGINT} NOT NULL REFERENCES regions(id),
    grid_id      {BIGINT} REFERENCES grids(id),
    name         TEXT NOT NULL,
    address      TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL DEFAULT 'building' CHECK (kind IN ('building','courtyard','bungalow')),
    lon          {DOUBLE},
    lat          {DOUBLE},
    units        INTEGER NOT NULL DEFAULT 1,
    floors       INTEGER NOT NULL DEFAULT 1,
    grid_manual  BOOLEAN NOT NULL DEFAULT FALSE,                -- grid set by hand: kept when boundaries change
    note         TEXT NOT NULL DEFAULT '',
    created_at   {TIMESTAMP} NOT NULL,
    updated_at   {TIMESTAMP} NOT NULL,
    UNIQUE (community_id, name)
);
CREATE INDEX buildings_region ON buildings(region_id);
CREATE INDEX buildings_grid ON buildings(grid_id);

CREATE TABLE households (
    id           {ID},
    region_id    {BIGINT} NOT NULL REFERENCES regions(id),
    community_id {BIGINT} NOT NULL REFERENCES regions(id),
    building_id  {BIGINT} NOT NULL REFERENCES buildings(id),
    unit         TEXT NOT NULL DEFAULT '',
    room         TEXT NOT NULL,
    kind         TEXT NOT NULL DEFAULT 'owner' CHECK (kind IN ('owner','rented','vacant','collective')),
    note         TEXT NOT NULL DEFAULT '',
    created_at   {TIMESTAMP} NOT NULL,
    updated_at   {TIMESTAMP} NOT NULL,
    UNIQUE (building_id, unit, room)
);
CREATE INDEX households_region ON households(region_id);
CREATE INDEX grids_community ON grids(community_id);

CREATE TABLE residents (
    id             {ID},
    region_id      {BIGINT} NOT NULL REFERENCES regions(id),
    community_id   {BIGINT} NOT NULL REFERENCES regions(id),
    household_id   {BIGINT} REFERENCES households(id),
    name           TEXT NOT NULL,
    gender         TEXT NOT NULL DEFAULT '' CHECK (gender IN ('', 'M', 'F')),
    birth_date     TEXT NOT NULL DEFAULT '',                    -- YYYY-MM-DD
    id_enc         {BLOB},
    id_index       TEXT,
    id_masked      TEXT NOT NULL DEFAULT '',
    phone_enc      {BLOB},
    phone_index    TEXT,
    phone_masked   TEXT NOT NULL DEFAULT '',
    relation       TEXT NOT NULL DEFAULT '',                    -- relation to the head: 户主, 配偶, 子女 …
    residence_type TEXT NOT NULL DEFAULT 'huji' CHECK (residence_type IN ('huji','liudong','jizhu','jingwai')),
    ethnicity      TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','moved_out','deceased')),
    note           TEXT NOT NULL DEFAULT '',
    created_at     {TIMESTAMP} NOT NULL,
    updated_at     {TIMESTAMP} NOT NULL
);
CREATE INDEX residents_region ON residents(region_id, status);
CREATE INDEX residents_household ON residents(household_id);
CREATE INDEX residents_birth ON residents(birth_date);
CREATE UNIQUE INDEX residents_id_index ON residents(community_id, id_index) WHERE id_index IS NOT NULL;
CREATE INDEX residents_phone_index ON residents(phone_index);
-- Phone last-4 lookups use the masked column's tail; queries must use this exact expression.
CREATE INDEX residents_phone_last4 ON residents((substr(phone_masked, length(phone_masked) - 3)));

CREATE TABLE resident_tags (
    resident_id {BIGINT} NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    region_id   {BIGINT} NOT NULL REFERENCES regions(id),
    since       TEXT NOT NULL DEFAULT '',                       -- YYYY-MM-DD the tag was set
    PRIMARY KEY (resident_id, tag)
);
CREATE INDEX resident_tags_tag ON resident_tags(tag, region_id);

-- Chinese full-text search over a resident's name and address (bigrams from internal/search).
-- @sqlite
CREATE VIRTUAL TABLE resident_fts USING fts5(tokens, tokenize = 'unicode61');
-- @postgres
CREATE TABLE resident_fts (
    rowid  BIGINT PRIMARY KEY REFERENCES residents(id) ON DELETE CASCADE,
    tokens TSVECTOR NOT NULL
);
CREATE INDEX resident_fts_tokens ON resident_fts USING GIN (tokens);
-- @end

-- Ledger imports: one row per upload, so a re-import of the same file is recognised and progress shown.
CREATE TABLE imports (
    id           {ID},
    region_id    {BIGINT} NOT NULL REFERENCES regions(id),
    kind         TEXT NOT NULL,          -- residents, …
    file_name    TEXT NOT NULL,
    file_sha256  TEXT NOT NULL,
    status       TEXT NOT NULL,          -- uploaded, validated, committing, committed, failed
    mapping      TEXT NOT NULL DEFAULT '',
    total_rows   INTEGER NOT NULL DEFAULT 0,
    valid_rows   INTEGER NOT NULL DEFAULT 0,
    error_rows   INTEGER NOT NULL DEFAULT 0,
    done_rows    INTEGER NOT NULL DEFAULT 0,
    created_rows INTEGER NOT NULL DEFAULT 0,
    updated_rows INTEGER NOT NULL DEFAULT 0,
    message      TEXT NOT NULL DEFAULT '',
    report       TEXT NOT NULL DEFAULT '',   -- JSON: the check of the file under its mapping (preview, errors, corrections, counts)
    content_enc  {BLOB},                      -- the uploaded file, encrypted like every personal number
    created_by   {BIGINT} REFERENCES users(id),
    created_at   {TIMESTAMP} NOT NULL,
    finished_at  {TIMESTAMP}
);
CREATE INDEX imports_region ON imports(region_id, created_at);
