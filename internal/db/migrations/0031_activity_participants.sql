-- The activities figures of a district-year (issue 15; internal/activities BenchmarkFiguresDistrictYear,
-- docs/performance.md "Activities figures at district scale").

-- Who came to what: one row per check-in (a checked-in sign-up or walk-in of a published
-- activity), written in the check-in's own transaction (activities.recordParticipant) and carrying
-- what the figures select by — the activity's region, its grid when it is only for that grid's
-- people, and its start as Unix seconds — next to the person: the resident, or for someone not in
-- the register the key the figures have always counted them by (phone index and name). The figures
-- count participants, distinct participants and the focus groups' reach from it without joining
-- each of a district-year's 770,000 check-ins to its activity. A sign-up is cancelled only before
-- check-in, and activities are neither cancelled nor moved once held, so a row never changes.
CREATE TABLE activity_participants (
    registration_id {BIGINT} PRIMARY KEY REFERENCES activity_registrations(id),
    activity_id     {BIGINT} NOT NULL REFERENCES activities(id),
    region_id       {BIGINT} NOT NULL REFERENCES regions(id),
    grid_id         {BIGINT},                                     -- the activity's grid when its audience is 'grid'
    held_at         {BIGINT} NOT NULL,                            -- the activity's starts_at, Unix seconds
    resident_id     {BIGINT},
    guest           TEXT                                          -- phone_index || name when resident_id is NULL
);
-- A region's check-ins of a period (the total, the per-street/grid rows, a community's distinct count).
-- @sqlite
CREATE INDEX activity_participants_region ON activity_participants(region_id, held_at, grid_id, resident_id, guest);
-- @postgres
CREATE INDEX activity_participants_region ON activity_participants(region_id, held_at) INCLUDE (grid_id, resident_id, guest);
-- @end
-- The check-ins of people not in the register, counted apart by their key.
CREATE INDEX activity_participants_guest ON activity_participants(guest, held_at, region_id, grid_id) WHERE guest IS NOT NULL;
-- A resident's check-ins in time order: one seek says whether a focus resident took part in a
-- period, and read in resident order a district's distinct participants need no sort.
-- @sqlite
CREATE INDEX activity_participants_resident ON activity_participants(resident_id, held_at, region_id, grid_id) WHERE resident_id IS NOT NULL;
-- @postgres
CREATE INDEX activity_participants_resident ON activity_participants(resident_id, held_at) INCLUDE (region_id, grid_id) WHERE resident_id IS NOT NULL;
-- @end

INSERT INTO activity_participants (registration_id, activity_id, region_id, grid_id, held_at, resident_id, guest)
SELECT x.id, x.activity_id, a.region_id, CASE WHEN a.audience = 'grid' THEN a.grid_id END,
-- @sqlite
    CAST(strftime('%s', a.starts_at) AS INTEGER),
-- @postgres
    CAST(EXTRACT(EPOCH FROM a.starts_at) AS BIGINT),
-- @end
    x.resident_id, CASE WHEN x.resident_id IS NULL THEN x.phone_index || x.name END
FROM activity_registrations x JOIN activities a ON a.id = x.activity_id
WHERE x.checked_in_at IS NOT NULL AND a.status = 'published';

-- Read by the reach through activity_participants now (the list of those not reached too).
DROP INDEX activity_registrations_attended;

-- The activities a region's figures count, and what they are counted by, read from the index
-- alone: the held count, by series and kind, and each street's or grid's row.
-- @sqlite
CREATE INDEX activities_figures ON activities(region_id, starts_at, status, audience, grid_id, series_id, kind);
-- @postgres
CREATE INDEX activities_figures ON activities(region_id, starts_at) INCLUDE (status, audience, grid_id, series_id, kind, id);
-- @end
DROP INDEX activities_region; -- the new index's first columns

-- The volunteer hours of a region's activities: the approved minutes read from the index alone.
DROP INDEX activity_volunteers_activity;
-- @sqlite
CREATE INDEX activity_volunteers_activity ON activity_volunteers(activity_id, status, minutes);
-- @postgres
CREATE INDEX activity_volunteers_activity ON activity_volunteers(activity_id, status) INCLUDE (minutes);
-- @end

-- A region's rooms' bookings of a period with their end and state, for the venue use, read from
-- the index alone.
DROP INDEX venue_bookings_venue;
-- @sqlite
CREATE INDEX venue_bookings_venue ON venue_bookings(venue_id, starts_at, ends_at, status);
-- @postgres
CREATE INDEX venue_bookings_venue ON venue_bookings(venue_id, starts_at) INCLUDE (ends_at, status);
-- @end

ANALYZE activity_participants;
ANALYZE activity_volunteers;
ANALYZE activities;
ANALYZE venue_bookings;
