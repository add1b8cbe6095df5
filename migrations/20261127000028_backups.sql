-- Docket schema, step 28: the nightly backup of a firm (`backup` module).
--
-- A backup is every row of the firm, walled-off matters included, and the people it names, so
-- it is read here, as the owner, for the firm of the transaction only (`app_current_org()`),
-- never a firm given as an argument. Only the role `docket_backup` may call these functions:
-- the application's role may not (they return what it must never read: other people's walled
-- matters, sign-in secrets). The server connects as `docket_backup` for backups only
-- (`DATABASE_BACKUP_URL`). Generated columns (the search vectors) are left out: a restore
-- computes them again.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_backup') THEN
        CREATE ROLE docket_backup NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO docket_backup;

-- The tables a backup holds, in the order a restore writes them, and whose rows each is:
-- 'organization' (the firm's own row), 'person' (the people the firm's rows name, and the
-- sign-in factors of its members) and 'firm' (its organization_id: a table added by a later
-- migration is included by itself). Not kept: the mail outbox and its files (messages in flight
-- carry sign-in links; the activity log records what was sent), calendar feed addresses (they
-- are bearer secrets; members make new ones) and password-reset links.
CREATE FUNCTION backup_tables() RETURNS TABLE (name text, scope text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT t.name, t.scope FROM (
        VALUES ('organizations', 'organization', 1), ('users', 'person', 2),
               ('user_totp', 'person', 3), ('user_recovery_codes', 'person', 4)
        UNION ALL
        SELECT c.relname::text, 'firm', 10
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
           AND c.relname NOT IN ('mail_outbox', 'mail_attachments', 'calendar_feeds')
    ) AS t (name, scope, rank)
    ORDER BY t.rank, t.name COLLATE "C"
$$;

-- The people the firm's rows name: every column with a foreign key to users, in the firm's own
-- row and every table of the firm (members, former members, uploaders, who completed a task…).
CREATE FUNCTION backup_people() RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    firm uuid := public.app_current_org();
    ref record;
BEGIN
    IF firm IS NULL THEN
        RETURN;
    END IF;
    FOR ref IN
        SELECT c.conrelid::regclass AS tbl, a.attname AS col, t.scope
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
          JOIN public.backup_tables() t ON format('public.%I', t.name)::regclass = c.conrelid
         WHERE c.contype = 'f' AND c.confrelid = 'public.users'::regclass
           AND array_length(c.conkey, 1) = 1 AND t.scope IN ('firm', 'organization')
    LOOP
        RETURN QUERY EXECUTE format(
            'SELECT DISTINCT %I FROM %s WHERE %I = $1 AND %I IS NOT NULL',
            ref.col, ref.tbl, CASE WHEN ref.scope = 'firm' THEN 'organization_id' ELSE 'id' END, ref.col)
            USING firm;
    END LOOP;
END
$$;

-- The rows of one table that belong to the transaction's firm, one JSON object each, without
-- generated columns. A person's password digest, two-factor secret and recovery codes are kept
-- only when they are or were a member (someone a row merely names keeps their account, not its
-- secrets). Nothing when no firm is set.
CREATE FUNCTION backup_rows(p_table text) RETURNS SETOF text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    firm  uuid := public.app_current_org();
    kind  text;
    cols  text;
    rel   regclass;
    members text := 'SELECT uo.user_id FROM public.user_organizations uo WHERE uo.organization_id = $1';
BEGIN
    IF firm IS NULL THEN
        RETURN;
    END IF;
    SELECT t.scope INTO kind FROM public.backup_tables() t WHERE t.name = p_table;
    IF kind IS NULL THEN
        RAISE EXCEPTION 'not a table a backup holds: %', p_table USING ERRCODE = '22023';
    END IF;
    rel := format('public.%I', p_table)::regclass;
    SELECT string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum) INTO cols
      FROM pg_attribute a
     WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
    IF kind = 'firm' THEN
        RETURN QUERY EXECUTE format(
            'SELECT to_jsonb(r)::text FROM (SELECT %s FROM %s WHERE organization_id = $1) r', cols, rel)
            USING firm;
    ELSIF kind = 'organization' THEN
        RETURN QUERY EXECUTE format(
            'SELECT to_jsonb(r)::text FROM (SELECT %s FROM %s WHERE id = $1) r', cols, rel)
            USING firm;
    ELSIF p_table = 'users' THEN
        RETURN QUERY EXECUTE format(
            'SELECT (CASE WHEN r.id IN (SELECT uo.user_id FROM public.user_organizations uo
                                         WHERE uo.organization_id = $1)
                          THEN to_jsonb(r) ELSE to_jsonb(r) || ''{"password_hash": null}''::jsonb END)::text
               FROM (SELECT %s FROM %s WHERE id IN (SELECT public.backup_people())) r', cols, rel)
            USING firm;
    ELSE
        RETURN QUERY EXECUTE format(
            'SELECT to_jsonb(r)::text FROM (SELECT %s FROM %s WHERE user_id IN (%s)) r', cols, rel, members)
            USING firm;
    END IF;
END
$$;

-- The firm of the transaction: its name, its own today, and the schema its rows have (the
-- newest migration sqlx recorded; 0 when another tool migrated the database).
CREATE FUNCTION backup_firm() RETURNS TABLE (name text, today text, schema bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE applied bigint := 0;
BEGIN
    IF to_regclass('_sqlx_migrations') IS NOT NULL THEN
        EXECUTE 'SELECT coalesce(max(version), 0) FROM _sqlx_migrations WHERE success' INTO applied;
    END IF;
    RETURN QUERY
    SELECT o.name, to_char(now() AT TIME ZONE o.timezone, 'YYYY-MM-DD'), applied
      FROM public.organizations o
     WHERE o.id = public.app_current_org();
END
$$;

REVOKE ALL ON FUNCTION backup_tables(), backup_people(), backup_rows(text), backup_firm() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION backup_tables(), backup_rows(text), backup_firm() TO docket_backup;

-- The nightly backup's schedule (from 02:00 in the firm's time zone) is in step 29, with the
-- overdue reminders'.
