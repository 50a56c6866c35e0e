-- Households in the canonical form of their place (issue 19; register.CanonUnit, CanonRoom,
-- CanonDoor): units written 1单元, block doors as bare numbers without leading zeros (shown 301室),
-- bungalow courtyard doors 5号 as the demo writes them. Before, the household form stored units as
-- typed without 单元 ("1", "01", "一") and the ledger import stored "1" and bungalow doors "5", so
-- lists and exports mixed "1单元" and "1" in one column.
--
-- A household is rewritten only when no other household of its building already holds the new
-- form (or would take it in the same step: "1" and "01" beside each other): such pairs are one
-- door registered twice, which a person must merge; they are left as they are.

-- Units in Chinese numerals, with or without 单元: 一 → 1单元.
UPDATE households SET unit = CASE REPLACE(unit, '单元', '')
        WHEN '一' THEN '1单元' WHEN '二' THEN '2单元' WHEN '三' THEN '3单元' WHEN '四' THEN '4单元'
        WHEN '五' THEN '5单元' WHEN '六' THEN '6单元' WHEN '七' THEN '7单元' WHEN '八' THEN '8单元'
        WHEN '九' THEN '9单元' END
    WHERE REPLACE(unit, '单元', '') IN ('一', '二', '三', '四', '五', '六', '七', '八', '九')
    AND NOT EXISTS (SELECT 1 FROM households t WHERE t.building_id = households.building_id
        AND t.room = households.room AND t.id <> households.id
        AND (REPLACE(t.unit, '单元', '') = REPLACE(households.unit, '单元', '')
            OR LTRIM(REPLACE(t.unit, '单元', ''), '0') = CASE REPLACE(households.unit, '单元', '')
                WHEN '一' THEN '1' WHEN '二' THEN '2' WHEN '三' THEN '3' WHEN '四' THEN '4' WHEN '五' THEN '5'
                WHEN '六' THEN '6' WHEN '七' THEN '7' WHEN '八' THEN '8' WHEN '九' THEN '9' END));

-- Units as bare numbers: 1, 01 → 1单元.
-- @sqlite
UPDATE households SET unit = LTRIM(unit, '0') || '单元'
    WHERE unit NOT GLOB '*[^0-9]*' AND unit GLOB '*[1-9]*'
    AND NOT EXISTS (SELECT 1 FROM households t WHERE t.building_id = households.building_id
        AND t.room = households.room AND t.id <> households.id
        AND LTRIM(REPLACE(t.unit, '单元', ''), '0') = LTRIM(households.unit, '0'));
-- @postgres
UPDATE households SET unit = LTRIM(unit, '0') || '单元'
    WHERE unit ~ '^[0-9]*[1-9][0-9]*$'
    AND NOT EXISTS (SELECT 1 FROM households t WHERE t.building_id = households.building_id
        AND t.room = households.room AND t.id <> households.id
        AND LTRIM(REPLACE(t.unit, '单元', ''), '0') = LTRIM(households.unit, '0'));
-- @end

-- Doors of bungalow courtyards as bare numbers: 5, 05 → 5号; block doors with leading zeros:
-- 0301 → 301.
-- @sqlite
UPDATE households SET room = LTRIM(room, '0') || '号'
    WHERE room NOT GLOB '*[^0-9]*' AND room GLOB '*[1-9]*'
    AND building_id IN (SELECT id FROM buildings WHERE kind = 'bungalow')
    AND NOT EXISTS (SELECT 1 FROM households t WHERE t.building_id = households.building_id
        AND t.unit = households.unit AND t.id <> households.id
        AND LTRIM(REPLACE(t.room, '号', ''), '0') = LTRIM(households.room, '0'));
UPDATE households SET room = LTRIM(room, '0')
    WHERE room NOT GLOB '*[^0-9]*' AND room GLOB '0*[1-9]*'
    AND NOT EXISTS (SELECT 1 FROM households t WHERE t.building_id = households.building_id
        AND t.unit = households.unit AND t.id <> households.id
        AND LTRIM(t.room, '0') = LTRIM(households.room, '0'));
-- @postgres
UPDATE households SET room = LTRIM(room, '0') || '号'
    WHERE room ~ '^[0-9]*[1-9][0-9]*$'
    AND building_id IN (SELECT id FROM buildings WHERE kind = 'bungalow')
    AND NOT EXISTS (SELECT 1 FROM households t WHERE t.building_id = households.building_id
        AND t.unit = households.unit AND t.id <> households.id
        AND LTRIM(REPLACE(t.room, '号', ''), '0') = LTRIM(households.room, '0'));
UPDATE households SET room = LTRIM(room, '0')
    WHERE room ~ '^0+[1-9][0-9]*$'
    AND NOT EXISTS (SELECT 1 FROM households t WHERE t.building_id = households.building_id
        AND t.unit = households.unit AND t.id <> households.id
        AND LTRIM(t.room, '0') = LTRIM(households.room, '0'));
-- @end
