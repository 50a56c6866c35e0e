-- The gaps left by the mediation, co-building and activities capabilities (issues 12, 13, 15).
--
-- Mediation statistics of a district-year read the cases of the period through these date
-- indexes instead of every case of the district's communities.
CREATE INDEX mediation_cases_registered_on ON mediation_cases(registered_on);
CREATE INDEX mediation_cases_closed_on ON mediation_cases(closed_on, outcome);
CREATE INDEX mediation_cases_accepted_on ON mediation_cases(accepted_on);
CREATE INDEX mediation_cases_state_only ON mediation_cases(state);

-- Attachments of a mediation case file (photos of the scene, signed documents, receipts proving
-- performance), cleaned of their metadata by internal/photo, optionally of one record.
CREATE TABLE mediation_attachments (
    id           {ID},
    mediation_id {BIGINT} NOT NULL REFERENCES mediation_cases(id) ON DELETE CASCADE,
    record_id    {BIGINT} REFERENCES mediation_records(id),
    name         TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL,
    content      {BLOB} NOT NULL,
    size         INTEGER NOT NULL,
    created_by   {BIGINT} NOT NULL REFERENCES users(id),
    created_at   {TIMESTAMP} NOT NULL
);
CREATE INDEX mediation_attachments_case ON mediation_attachments(mediation_id);

-- Approved volunteer hours of an activity credited to an in-service party member's service
-- hours (and so to their points and their unit); at most once per volunteer record.
ALTER TABLE service_hours ADD COLUMN activity_volunteer_id {BIGINT} REFERENCES activity_volunteers(id);
CREATE UNIQUE INDEX service_hours_activity_volunteer ON service_hours(activity_volunteer_id) WHERE activity_volunteer_id IS NOT NULL;

-- Photos of a venue, shown on its page and the public booking page.
CREATE TABLE venue_photos (
    id           {ID},
    venue_id     {BIGINT} NOT NULL REFERENCES venues(id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    content      {BLOB} NOT NULL,
    created_by   {BIGINT} NOT NULL REFERENCES users(id),
    created_at   {TIMESTAMP} NOT NULL
);
CREATE INDEX venue_photos_venue ON venue_photos(venue_id);

-- Where a co-building unit is (WGS-84), so that matching weighs how far its resources are from a
-- need's building.
ALTER TABLE cobuild_units ADD COLUMN lon {DOUBLE};
ALTER TABLE cobuild_units ADD COLUMN lat {DOUBLE};

-- The resident who raised a need on the public page: a name and a sealed phone, shown masked.
ALTER TABLE cobuild_needs ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE cobuild_needs ADD COLUMN contact_phone_enc {BLOB};
ALTER TABLE cobuild_needs ADD COLUMN contact_phone_masked TEXT NOT NULL DEFAULT '';

-- Photos of a co-building unit's signed agreement (its scan, page by page) and of co-building
-- activities, cleaned of their metadata by internal/photo.
CREATE TABLE cobuild_photos (
    id           {ID},
    kind         TEXT NOT NULL CHECK (kind IN ('agreement','activity')),
    object_id    {BIGINT} NOT NULL,                              -- the unit or the activity
    region_id    {BIGINT} NOT NULL REFERENCES regions(id),
    content_type TEXT NOT NULL,
    content      {BLOB} NOT NULL,
    created_by   {BIGINT} NOT NULL REFERENCES users(id),
    created_at   {TIMESTAMP} NOT NULL
);
CREATE INDEX cobuild_photos_object ON cobuild_photos(kind, object_id);
