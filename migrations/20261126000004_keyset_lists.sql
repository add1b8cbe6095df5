-- Docket schema, step 4: lists cut by keyset.
--
-- Every list orders by (value, id) in one direction and continues from the last row it showed,
-- so each order has an index (organization_id, value, id) that serves it forwards and backwards,
-- with or without the usual filters in front.

-- The ranks the matter list sorts status and priority by (as the app lists them).
CREATE FUNCTION matter_status_rank(text) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_position(ARRAY['open', 'pending', 'on_hold', 'closed'], $1)
$$;
CREATE FUNCTION matter_priority_rank(text) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_position(ARRAY['low', 'normal', 'high', 'urgent'], $1)
$$;
GRANT EXECUTE ON FUNCTION matter_status_rank(text), matter_priority_rank(text) TO docket_app;

DROP INDEX matters_org_status_idx;
DROP INDEX matters_org_client_idx;
DROP INDEX matters_org_practice_idx;
DROP INDEX matters_org_responsible_idx;
DROP INDEX matters_org_opened_idx;
DROP INDEX matters_org_updated_idx;
CREATE INDEX matters_org_opened_idx ON matters (organization_id, date_opened, id);
CREATE INDEX matters_org_status_opened_idx ON matters (organization_id, status, date_opened, id);
CREATE INDEX matters_org_client_opened_idx ON matters (organization_id, client_id, date_opened, id);
CREATE INDEX matters_org_practice_opened_idx ON matters (organization_id, practice_area, date_opened, id);
CREATE INDEX matters_org_responsible_opened_idx
    ON matters (organization_id, responsible_attorney_id, date_opened, id);
CREATE INDEX matters_org_title_idx ON matters (organization_id, lower(title), id);
CREATE INDEX matters_org_updated_idx ON matters (organization_id, updated_at, id);
CREATE INDEX matters_org_status_rank_idx ON matters (organization_id, matter_status_rank(status), id);
CREATE INDEX matters_org_priority_rank_idx ON matters (organization_id, matter_priority_rank(priority), id);

DROP INDEX clients_org_name_idx;
DROP INDEX clients_org_status_idx;
CREATE INDEX clients_org_name_idx ON clients (organization_id, lower(name), id);
CREATE INDEX clients_org_status_name_idx ON clients (organization_id, status, lower(name), id);

DROP INDEX activity_logs_org_created_idx;
DROP INDEX activity_logs_org_user_idx;
DROP INDEX activity_logs_org_action_idx;
CREATE INDEX activity_logs_org_created_idx ON activity_logs (organization_id, created_at, id);
CREATE INDEX activity_logs_org_user_idx ON activity_logs (organization_id, user_id, created_at, id);
CREATE INDEX activity_logs_org_action_idx ON activity_logs (organization_id, action, created_at, id);
