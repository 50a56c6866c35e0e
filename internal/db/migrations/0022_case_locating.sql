-- The 待定位 queue: open cases that have no grid yet (12345 work orders whose address matched no
-- building of the register), read per region.
CREATE INDEX cases_to_locate ON cases(region_id) WHERE grid_id IS NULL AND state <> 'closed';
