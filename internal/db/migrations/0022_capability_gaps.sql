-- The gaps left by the mediation, co-building and activities capabilities (issues 12, 13, 15).
--
-- Mediation statistics of a district-year read the cases of the period through these date
-- indexes instead of every case of the district's communities.
CREATE INDEX mediation_cases_registered_on ON mediation_cases(registered_on);
CREATE INDEX mediation_cases_closed_on ON mediation_cases(closed_on, outcome);
CREATE INDEX mediation_cases_accepted_on ON mediation_cases(accepted_on);
CREATE INDEX mediation_cases_state_only ON mediation_cases(state);
