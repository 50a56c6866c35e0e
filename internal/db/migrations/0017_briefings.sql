-- The work briefing 工作简报 (internal/briefing): one row per issue of a region's briefing. The text
-- holds figure references ({{key …}}), never typed figures; a published issue keeps the values it
-- was published with (frozen, JSON by reference) and its number 第N期 within the year and region.

CREATE TABLE briefings (
    id            {ID},
    region_id     {BIGINT} NOT NULL REFERENCES regions(id),
    year          INTEGER NOT NULL,
    number        INTEGER NOT NULL DEFAULT 0,                  -- 0 while a draft
    from_date     TEXT NOT NULL,                               -- the period, YYYY-MM-DD, both ends included
    to_date       TEXT NOT NULL,
    title         TEXT NOT NULL,
    issuer        TEXT NOT NULL,                               -- 编印单位
    note          TEXT NOT NULL DEFAULT '',                    -- 按语
    headline      TEXT NOT NULL DEFAULT '',
    sections      TEXT NOT NULL,                               -- JSON: [{key, title, part, text}]
    distribution  TEXT NOT NULL DEFAULT '',                    -- 报/送/发
    state         TEXT NOT NULL DEFAULT 'draft',               -- draft, published
    frozen        TEXT NOT NULL DEFAULT '',                    -- JSON: values by reference at publication
    created_by    {BIGINT} NOT NULL REFERENCES users(id),
    created_at    {TIMESTAMP} NOT NULL,
    updated_at    {TIMESTAMP} NOT NULL,
    published_by  {BIGINT} REFERENCES users(id),
    published_at  {TIMESTAMP}
);
CREATE INDEX briefings_region ON briefings(region_id, year, number);
-- One 第N期 per region and year among published issues (drafts all carry 0).
CREATE UNIQUE INDEX briefings_number ON briefings(region_id, year, number) WHERE number > 0;
