-- Co-building activities become activities (issue 13, item 7: "they share the activities capability
-- when it lands"). An activity carries the co-building units that ran it (activity_units), the need
-- or project it served, and, for an activity recorded after it was held, the people who took part
-- and the service time as those who ran it report them; internal/cobuild counts each unit's
-- activities, people and hours from there. The records of cobuild_activities move over (held on a
-- day: 09:00-11:00 Asia/Shanghai, not offered for sign-up), their photos with them, and the old
-- tables go: one home for an activity.
--
-- Needs raised by residents on the public page wait for a member of staff to accept them (item 2
-- of the same issue's last round): review is pending, accepted or declined (with the reason,
-- which the resident reads on the page their tracking link opens); every need recorded so far is
-- accepted.

CREATE TABLE activity_units (
    activity_id  {BIGINT} NOT NULL REFERENCES activities(id),
    unit_id      {BIGINT} NOT NULL REFERENCES cobuild_units(id),
    PRIMARY KEY (activity_id, unit_id)
);
CREATE INDEX activity_units_unit ON activity_units(unit_id);

ALTER TABLE activities ADD COLUMN headcount INTEGER NOT NULL DEFAULT 0;           -- people reported for an activity recorded afterwards
ALTER TABLE activities ADD COLUMN service_minutes INTEGER NOT NULL DEFAULT 0;     -- their service time, minutes in all
ALTER TABLE activities ADD COLUMN cobuild_need_id {BIGINT} REFERENCES cobuild_needs(id);
ALTER TABLE activities ADD COLUMN cobuild_project_id {BIGINT} REFERENCES cobuild_projects(id);
CREATE INDEX activities_cobuild_need ON activities(cobuild_need_id);
CREATE INDEX activities_cobuild_project ON activities(cobuild_project_id);

-- Each old record is found again by a temporary check-in token naming it, replaced at the end.
-- @sqlite
INSERT INTO activities (region_id, title, kind, organiser_kind, organiser, place, starts_at, ends_at, public, summary,
        status, checkin_token, headcount, service_minutes, cobuild_need_id, cobuild_project_id, created_by, created_at)
    SELECT c.region_id, c.title, 'volunteer', 'unit',
        COALESCE((SELECT u.name FROM cobuild_activity_units au JOIN cobuild_units u ON u.id = au.unit_id
            WHERE au.activity_id = c.id ORDER BY u.id LIMIT 1), '共建单位'),
        c.place, c.held_on || ' 01:00:00+00:00', c.held_on || ' 03:00:00+00:00', FALSE, c.summary, 'published',
        'cobuild-' || c.id, c.participants, c.service_minutes, c.need_id, c.project_id, c.created_by, c.created_at
    FROM cobuild_activities c ORDER BY c.id;
-- @postgres
INSERT INTO activities (region_id, title, kind, organiser_kind, organiser, place, starts_at, ends_at, public, summary,
        status, checkin_token, headcount, service_minutes, cobuild_need_id, cobuild_project_id, created_by, created_at)
    SELECT c.region_id, c.title, 'volunteer', 'unit',
        COALESCE((SELECT u.name FROM cobuild_activity_units au JOIN cobuild_units u ON u.id = au.unit_id
            WHERE au.activity_id = c.id ORDER BY u.id LIMIT 1), '共建单位'),
        c.place, (c.held_on || ' 09:00:00+08')::timestamptz, (c.held_on || ' 11:00:00+08')::timestamptz, FALSE, c.summary,
        'published', 'cobuild-' || c.id, c.participants, c.service_minutes, c.need_id, c.project_id, c.created_by, c.created_at
    FROM cobuild_activities c ORDER BY c.id;
-- @end

INSERT INTO activity_units (activity_id, unit_id)
    SELECT a.id, au.unit_id FROM cobuild_activity_units au JOIN activities a ON a.checkin_token = 'cobuild-' || au.activity_id;

INSERT INTO activity_photos (activity_id, content_type, content, created_at)
    SELECT a.id, p.content_type, p.content, p.created_at FROM cobuild_photos p
    JOIN activities a ON a.checkin_token = 'cobuild-' || p.object_id WHERE p.kind = 'activity' ORDER BY p.id;
DELETE FROM cobuild_photos WHERE kind = 'activity';

-- @sqlite
UPDATE activities SET checkin_token = lower(hex(randomblob(12))) WHERE checkin_token LIKE 'cobuild-%';
-- @postgres
UPDATE activities SET checkin_token = substr(md5(random()::text || clock_timestamp()::text || id::text), 1, 24)
    WHERE checkin_token LIKE 'cobuild-%';
-- @end

DROP TABLE cobuild_activity_units;
DROP TABLE cobuild_activities;

ALTER TABLE cobuild_needs ADD COLUMN review TEXT NOT NULL DEFAULT 'accepted' CHECK (review IN ('pending','accepted','declined'));
ALTER TABLE cobuild_needs ADD COLUMN review_note TEXT NOT NULL DEFAULT '';
ALTER TABLE cobuild_needs ADD COLUMN reviewed_by {BIGINT} REFERENCES users(id);
ALTER TABLE cobuild_needs ADD COLUMN reviewed_on TEXT NOT NULL DEFAULT '';
ALTER TABLE cobuild_needs ADD COLUMN track_token TEXT;                            -- the resident's tracking link, a random secret
CREATE INDEX cobuild_needs_review ON cobuild_needs(review);
CREATE UNIQUE INDEX cobuild_needs_track ON cobuild_needs(track_token);
