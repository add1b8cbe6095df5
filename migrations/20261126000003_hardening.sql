-- Docket schema, step 3: hardening of the foundation.

-- Row versions: every edit form carries the version it was rendered from, and a save against an
-- older version is refused instead of silently overwriting someone else's change.
CREATE FUNCTION bump_row_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END $$;

CREATE FUNCTION manage_row_version(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ADD COLUMN version integer NOT NULL DEFAULT 1', tbl);
    EXECUTE format('CREATE TRIGGER bump_row_version BEFORE UPDATE ON %s
                    FOR EACH ROW EXECUTE FUNCTION bump_row_version()', tbl);
END $$;

SELECT manage_row_version('clients');
SELECT manage_row_version('matters');

-- The one SECURITY DEFINER function: a fixed search path with pg_temp last and schema-qualified
-- names, so no object the caller creates can stand in for ours.
CREATE OR REPLACE FUNCTION auth_find_user(p_email text)
RETURNS TABLE (id uuid, password_hash text, is_active boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT u.id, u.password_hash, u.is_active FROM public.users u WHERE u.email = pg_catalog.lower(p_email)
$$;
REVOKE ALL ON FUNCTION auth_find_user(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_find_user(text) TO docket_app;

-- No temporary objects for the application (they could shadow names in a search path).
DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM docket_app', current_database());
END $$;

-- DELETE only where the application deletes: a client's contacts. Everything else is kept
-- (deactivated, closed, voided), never deleted by the app.
REVOKE DELETE ON clients, matters, time_entries, expenses, invoices, invoice_lines, documents
    FROM docket_app;

-- No statement may hold a connection for long; a transaction left idle is ended. Set for this
-- database only (another database on the cluster, or a parallel migration, is not touched).
DO $$
BEGIN
    EXECUTE format('ALTER ROLE docket_app IN DATABASE %I SET statement_timeout = %L',
                   current_database(), '5s');
    EXECUTE format('ALTER ROLE docket_app IN DATABASE %I SET idle_in_transaction_session_timeout = %L',
                   current_database(), '30s');
END $$;

-- The activity log keeps who did what even when the person is gone: their id stays (no foreign
-- key that could null it) and their name at the time is stored with the row.
ALTER TABLE activity_logs DROP CONSTRAINT activity_logs_user_id_fkey;
ALTER TABLE activity_logs ADD COLUMN actor_name text NOT NULL DEFAULT '';
UPDATE activity_logs a SET actor_name = u.full_name FROM users u WHERE u.id = a.user_id;
CREATE INDEX activity_logs_org_user_idx ON activity_logs (organization_id, user_id, created_at DESC);
CREATE INDEX activity_logs_org_action_idx ON activity_logs (organization_id, action, created_at DESC);
