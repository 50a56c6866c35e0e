-- Care-plan coverage at city scale (issue 4, "Measured"; internal/visits BenchmarkCoverageCity).

-- A region's care tags with their dates and residents, read from the index alone: coverage reads
-- every care tag in the scope and no longer visits the tag row for each. PostgreSQL carries the
-- date and resident as INCLUDE columns; SQLite, which has no INCLUDE, as trailing key columns.
-- @sqlite
CREATE INDEX resident_tags_care ON resident_tags(region_id, tag, since, resident_id);
-- @postgres
CREATE INDEX resident_tags_care ON resident_tags(region_id, tag) INCLUDE (since, resident_id);
-- @end

-- Residents who moved out or died keep their tags; coverage tests each tag against this short
-- list instead of reading every tagged resident's row for their status.
CREATE INDEX residents_inactive ON residents(id) WHERE status <> 'active';

-- A grid's active residents by birth date: the derived 高龄 residents of each grid in the scope
-- without reading their rows (a SQLite index carries the rowid, id, by itself).
-- @sqlite
CREATE INDEX residents_active_birth ON residents(region_id, birth_date) WHERE status = 'active';
-- @postgres
CREATE INDEX residents_active_birth ON residents(region_id, birth_date) INCLUDE (id) WHERE status = 'active';
-- @end
ANALYZE residents;
ANALYZE resident_tags;
