-- Docket schema, step 17: the settings that belong to the database rather than to its schema.
--
-- A copy of the database (CREATE DATABASE … TEMPLATE, as the tests make theirs) or a restore from
-- pg_dump keeps the schema but not these: who may create temporary objects in it, and the app
-- role's time limits there (steps 2 and 3 set them). Run `SELECT app_database_settings()` as the
-- migrating role on such a copy; the migrations run it here.
CREATE FUNCTION app_database_settings() RETURNS void LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM docket_app', current_database());
    EXECUTE format('ALTER ROLE docket_app IN DATABASE %I SET statement_timeout = %L',
                   current_database(), '5s');
    EXECUTE format('ALTER ROLE docket_app IN DATABASE %I SET idle_in_transaction_session_timeout = %L',
                   current_database(), '30s');
END $$;
REVOKE ALL ON FUNCTION app_database_settings() FROM PUBLIC;
SELECT app_database_settings();
