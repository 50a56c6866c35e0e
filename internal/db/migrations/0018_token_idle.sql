-- Issue 11, the rest of separation of duties and token lifetimes.
-- Every business account is opened through a request: a unit contact's or a department's names its
-- organisation; a refused request keeps the security admin's reason.
ALTER TABLE account_requests ADD COLUMN org_name TEXT NOT NULL DEFAULT '';
ALTER TABLE account_requests ADD COLUMN decision_note TEXT NOT NULL DEFAULT '';
CREATE INDEX account_requests_requester ON account_requests(requested_by, created_at);
