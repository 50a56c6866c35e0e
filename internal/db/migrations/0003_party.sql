-- The party organisation: committee → grid branches → groups, members (including in-service
-- members registered 报到 with the community), liaison households and the households they cover.

CREATE TABLE party_orgs (
    id          {ID},
    region_id   {BIGINT} NOT NULL REFERENCES regions(id),      -- committee: its community; branch: its grid
    parent_id   {BIGINT} REFERENCES party_orgs(id),
    kind        TEXT NOT NULL CHECK (kind IN ('committee','branch','group')),
    name        TEXT NOT NULL,
    grid_id     {BIGINT} REFERENCES grids(id),
    secretary   TEXT NOT NULL DEFAULT '',
    founded_on  TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    created_at  {TIMESTAMP} NOT NULL,
    updated_at  {TIMESTAMP} NOT NULL
);
CREATE INDEX party_orgs_region ON party_orgs(region_id);
CREATE INDEX party_orgs_parent ON party_orgs(parent_id);
-- One committee per community and one branch per grid.
CREATE UNIQUE INDEX party_orgs_committee ON party_orgs(region_id) WHERE kind = 'committee';
CREATE UNIQUE INDEX party_orgs_branch_grid ON party_orgs(grid_id) WHERE kind = 'branch';

CREATE TABLE party_members (
    id             {ID},
    region_id      {BIGINT} NOT NULL REFERENCES regions(id),    -- the region of org_id
    org_id         {BIGINT} NOT NULL REFERENCES party_orgs(id), -- branch (or committee, group) the member belongs or reported to
    resident_id    {BIGINT} REFERENCES residents(id),
    user_id        {BIGINT} REFERENCES users(id),
    name           TEXT NOT NULL,
    gender         TEXT NOT NULL DEFAULT '' CHECK (gender IN ('', 'M', 'F')),
    phone_enc      {BLOB},
    phone_index    TEXT,
    phone_masked   TEXT NOT NULL DEFAULT '',
    joined_on      TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'full' CHECK (status IN ('full','probationary')),
    kind           TEXT NOT NULL DEFAULT 'resident' CHECK (kind IN ('resident','in_service')),
    employment     TEXT NOT NULL DEFAULT 'other' CHECK (employment IN ('employed','retired','other')),
    workplace      TEXT NOT NULL DEFAULT '',
    home_org       TEXT NOT NULL DEFAULT '',                   -- branch of record, for in-service members
    skills         TEXT NOT NULL DEFAULT '',
    registered_on  TEXT NOT NULL DEFAULT '',                   -- 报到 date, for in-service members
    note           TEXT NOT NULL DEFAULT '',
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    left_on        TEXT NOT NULL DEFAULT '',
    left_reason    TEXT NOT NULL DEFAULT '',
    created_at     {TIMESTAMP} NOT NULL,
    updated_at     {TIMESTAMP} NOT NULL
);
CREATE INDEX party_members_region ON party_members(region_id, name);
CREATE INDEX party_members_org ON party_members(org_id);
CREATE INDEX party_members_phone_index ON party_members(phone_index);
CREATE UNIQUE INDEX party_members_resident ON party_members(resident_id) WHERE resident_id IS NOT NULL;

CREATE TABLE liaison_households (
    id           {ID},
    region_id    {BIGINT} NOT NULL REFERENCES regions(id),      -- the branch's grid
    org_id       {BIGINT} NOT NULL REFERENCES party_orgs(id),   -- the grid branch
    member_id    {BIGINT} NOT NULL REFERENCES party_members(id),
    household_id {BIGINT} NOT NULL UNIQUE REFERENCES households(id),
    since        TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    created_at   {TIMESTAMP} NOT NULL,
    updated_at   {TIMESTAMP} NOT NULL
);
CREATE INDEX liaison_households_org ON liaison_households(org_id);
CREATE INDEX liaison_households_member ON liaison_households(member_id);
CREATE INDEX liaison_households_region ON liaison_households(region_id);

-- A household is covered by at most one liaison household.
CREATE TABLE liaison_covers (
    liaison_id   {BIGINT} NOT NULL REFERENCES liaison_households(id) ON DELETE CASCADE,
    household_id {BIGINT} NOT NULL UNIQUE REFERENCES households(id),
    region_id    {BIGINT} NOT NULL REFERENCES regions(id),
    created_at   {TIMESTAMP} NOT NULL,
    PRIMARY KEY (liaison_id, household_id)
);
CREATE INDEX liaison_covers_region ON liaison_covers(region_id);
