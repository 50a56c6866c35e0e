-- The activities figures at city scale (issue 15; internal/activities BenchmarkFiguresDistrictYear).

-- Who took part in an activity: a resident's check-ins, read per focus resident by the 一老一小
-- reach (figures and the list of those not reached) without visiting the sign-ups not checked in.
CREATE INDEX activity_registrations_attended ON activity_registrations(resident_id, activity_id)
    WHERE resident_id IS NOT NULL AND checked_in_at IS NOT NULL;
