-- Open311 GeoReport v2 (internal/open311): the clients' API keys, the jurisdictions a deployment
-- serves, and the link from a case filed over Open311 to the client that filed it.

-- A client's key: only its SHA-256 is stored; the hint (its first characters) lets the security
-- admin recognise it. A read-only key may read requests but not post them.
CREATE TABLE open311_keys (
    id           {ID},
    name         TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    key_hint     TEXT NOT NULL,
    region_id    {BIGINT} NOT NULL REFERENCES regions(id),
    read_only    BOOLEAN NOT NULL DEFAULT FALSE,
    created_by   {BIGINT} REFERENCES users(id),
    created_at   {TIMESTAMP} NOT NULL,
    revoked_at   {TIMESTAMP},
    revoked_by   {BIGINT} REFERENCES users(id),
    last_used_at {TIMESTAMP},
    calls        {BIGINT} NOT NULL DEFAULT 0,
    posts        {BIGINT} NOT NULL DEFAULT 0
);
CREATE INDEX open311_keys_region ON open311_keys(region_id);

-- jurisdiction_id → the region it selects. With none or one row, jurisdiction_id is optional.
CREATE TABLE open311_jurisdictions (
    code       TEXT PRIMARY KEY,
    region_id  {BIGINT} NOT NULL REFERENCES regions(id),
    created_at {TIMESTAMP} NOT NULL
);

-- A case filed over Open311: which key filed it, the token it answered, and the client's own ids.
CREATE TABLE open311_requests (
    case_id    {BIGINT} PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
    number     TEXT NOT NULL,      -- the case number, the request's service_request_id
    key_id     {BIGINT} NOT NULL REFERENCES open311_keys(id),
    token      TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL DEFAULT '',
    device_id  TEXT NOT NULL DEFAULT '',
    media_url  TEXT NOT NULL DEFAULT '',
    created_at {TIMESTAMP} NOT NULL
);
CREATE INDEX open311_requests_key ON open311_requests(key_id);
