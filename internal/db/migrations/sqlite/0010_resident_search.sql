-- Resident search at city scale: PostgreSQL stops planning parallel scans of resident_fts; SQLite
-- has nothing to change (the numbers stay in step across dialects).
SELECT 1;
