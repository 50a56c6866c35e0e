-- The deliberation hall's remaining duties (issue 14): staff hide a topic's photo with a public
-- reason, as they hide a comment (the public page no longer shows it; the topic's text stays); a
-- question raised during a decision's publication and still unanswered when due is flagged overdue
-- (overdue_at) by the hall's sweep, which notifies the community's staff once.
ALTER TABLE delib_attachments ADD COLUMN hidden BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE delib_attachments ADD COLUMN hide_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE delib_questions ADD COLUMN overdue_at {TIMESTAMP};

-- The sweep reads the questions still open by their due instant.
CREATE INDEX delib_questions_open ON delib_questions(due_at) WHERE answered_at IS NULL;

-- The hall's figures count supports, ratings and attendance in a period per region: these indexes
-- answer them from the index alone (a district's year read 180,000 support rows one by one).
CREATE INDEX delib_supports_topic_day ON delib_supports(topic_id, created_at);
CREATE INDEX delib_ratings_topic_day ON delib_ratings(topic_id, created_at, score);
CREATE INDEX delib_participants_attended ON delib_participants(meeting_id, attended_at);
