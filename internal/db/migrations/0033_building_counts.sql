-- Each building keeps the count of its households and of its residents on the register (status
-- active), written in the transaction of every write that adds a household or resident, moves one
-- to another building or changes a resident's status (register.CountBuildings). The building
-- ledger export and the building list read them instead of counting a district's households and
-- residents again for every building (docs/performance.md, "The buildings ledger export"). The
-- residents are found through their households: an IN list, which SQLite does not turn into a walk of
-- every resident for each building, as it may a join when the tables have no statistics.
ALTER TABLE buildings ADD COLUMN household_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE buildings ADD COLUMN resident_count INTEGER NOT NULL DEFAULT 0;
UPDATE buildings SET
    household_count = (SELECT COUNT(*) FROM households h WHERE h.building_id = buildings.id),
    resident_count = (SELECT COUNT(*) FROM residents r WHERE r.status = 'active'
        AND r.household_id IN (SELECT h.id FROM households h WHERE h.building_id = buildings.id));
