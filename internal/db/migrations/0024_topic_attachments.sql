-- Photos of a deliberation topic (issue 14, item 1): the scene a resident or staff shows when
-- raising it, or staff add while it is open; cleaned of their metadata by internal/photo, shown on
-- the topic's staff and public pages. The uploader is a staff account or a resident's household
-- (never shown publicly).
CREATE TABLE delib_attachments (
    id           {ID},
    topic_id     {BIGINT} NOT NULL REFERENCES delib_topics(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content      {BLOB} NOT NULL,
    size         INTEGER NOT NULL,
    created_by   {BIGINT} REFERENCES users(id),
    household_id {BIGINT} REFERENCES households(id),
    created_at   {TIMESTAMP} NOT NULL
);
CREATE INDEX delib_attachments_topic ON delib_attachments(topic_id);
