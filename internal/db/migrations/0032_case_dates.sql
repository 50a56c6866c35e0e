-- The cases of a few days across a district or the city (the partial months a period's figures read
-- from the cases beside the case tally, see docs/cases.md "Figures"): PostgreSQL finds them through
-- these indexes instead of reading the whole table (the region-first indexes serve a community).
-- SQLite reads such a piece through the region-first indexes, one probe per region, which these
-- would not speed up.
-- @postgres
CREATE INDEX cases_received_at ON cases (received_at);
CREATE INDEX cases_accepted_at ON cases (accepted_at);
CREATE INDEX cases_closed_at ON cases (closed_at);
CREATE INDEX cases_handle_deadline ON cases (handle_deadline);
-- @end
