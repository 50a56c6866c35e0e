-- Every list page bounded by what it shows (issue 18 item 4; internal/bench TestListsBench,
-- docs/performance.md "Every list page and export").

-- The visits ledger, newest first: a district's tens of thousands of entries are paged by walking
-- this index from its end, region and kind read from the index itself, instead of sorting them all.
CREATE INDEX visits_list ON visits(visited_on, id, region_id, kind);
-- The contacts ledger (kind = 'contact') of a scope is counted and collected through this index,
-- not by reading the kind of every visit of the scope.
CREATE INDEX visits_region_kind ON visits(region_id, kind, visited_on);

-- Buildings in the natural order of their names (仓门巷4号 before 仓门巷10号): the name with every
-- run of digits written as ten digits (register.NaturalKey, which the write paths store), compared
-- byte by byte, so the list reads its page in order instead of every name of its scope.
-- @sqlite
ALTER TABLE buildings ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';
WITH RECURSIVE s(id, rest, run, key) AS (
    SELECT id, name, '', '' FROM buildings
    UNION ALL
    SELECT id, substr(rest, 2),
        CASE WHEN substr(rest, 1, 1) BETWEEN '0' AND '9' THEN run || substr(rest, 1, 1) ELSE '' END,
        CASE WHEN substr(rest, 1, 1) BETWEEN '0' AND '9' THEN key
            WHEN run = '' THEN key || substr(rest, 1, 1)
            WHEN length(ltrim(run, '0')) >= 10 THEN key || ltrim(run, '0') || substr(rest, 1, 1)
            ELSE key || substr('0000000000' || ltrim(run, '0'), -10) || substr(rest, 1, 1) END
    FROM s WHERE rest <> ''
)
UPDATE buildings SET sort_name = k.key FROM (
    SELECT id, CASE WHEN run = '' THEN key WHEN length(ltrim(run, '0')) >= 10 THEN key || ltrim(run, '0')
        ELSE key || substr('0000000000' || ltrim(run, '0'), -10) END AS key
    FROM s WHERE rest = '') k
WHERE k.id = buildings.id;
-- @postgres
ALTER TABLE buildings ADD COLUMN sort_name TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE buildings SET sort_name = COALESCE((SELECT string_agg(CASE WHEN t.m[1] !~ '^[0-9]' THEN t.m[1]
        WHEN length(ltrim(t.m[1], '0')) >= 10 THEN ltrim(t.m[1], '0') ELSE lpad(ltrim(t.m[1], '0'), 10, '0') END,
        '' ORDER BY t.n)
    FROM regexp_matches(buildings.name, '[0-9]+|[^0-9]+', 'g') WITH ORDINALITY AS t(m, n)), '');
-- @end
CREATE INDEX buildings_sort ON buildings(sort_name, id);

-- A building's and a household's count of active residents (the lists' and the ledger exports'
-- figures) are answered from this index alone, without reading each resident's row.
DROP INDEX residents_household;
CREATE INDEX residents_household ON residents(household_id, status);

ANALYZE visits;
ANALYZE buildings;
ANALYZE residents;
