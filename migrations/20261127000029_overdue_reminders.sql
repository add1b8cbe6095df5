-- Docket schema, step 29: overdue reminders (`invoices::remind`).
--
-- A firm may have Docket e-mail each client once when an invoice of theirs becomes overdue.
-- The setting is who last saved it on: the daily job runs with that person's rights (an
-- administrator or billing member; their walls apply), and stops when they no longer may.
ALTER TABLE organizations ADD COLUMN overdue_reminders_by uuid REFERENCES users (id) ON DELETE SET NULL;
GRANT UPDATE (overdue_reminders_by) ON organizations TO docket_app;
-- The application names only its caller (the jobs' own_rights rule: a job runs as whoever asked).
CREATE FUNCTION overdue_reminders_by_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_user = 'docket_app' AND NEW.overdue_reminders_by IS NOT NULL
       AND NEW.overdue_reminders_by IS DISTINCT FROM public.app_current_user() THEN
        RAISE EXCEPTION 'overdue reminders run as whoever turns them on'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'organizations_overdue_reminders_by';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER overdue_reminders_by_guard BEFORE UPDATE OF overdue_reminders_by ON organizations
    FOR EACH ROW WHEN (NEW.overdue_reminders_by IS DISTINCT FROM OLD.overdue_reminders_by)
    EXECUTE FUNCTION overdue_reminders_by_guard();

-- The reminder sent for an invoice (at most one: the key), with the job that wrote its message.
-- Not a column of invoices: that would change the invoice's version, and a page open on it
-- would be refused as stale for a change nobody made to it.
CREATE TABLE invoice_reminders (
    invoice_id       uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    to_address       text NOT NULL CHECK (position('@' in to_address) > 1 AND length(to_address) <= 254),
    job_id           uuid REFERENCES jobs (id) ON DELETE SET NULL,
    sent_at          timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, invoice_id) REFERENCES invoices (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX invoice_reminders_org_idx ON invoice_reminders (organization_id);
ALTER TABLE invoice_reminders ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invoice_reminders
    USING (organization_id = app_current_org())
    WITH CHECK (organization_id = app_current_org());
-- Walled with its invoice: seen only by whoever sees the invoice.
CREATE POLICY wall ON invoice_reminders AS RESTRICTIVE
    USING (EXISTS (SELECT 1 FROM invoices i WHERE i.id = invoice_id));
GRANT SELECT, INSERT ON invoice_reminders TO docket_app;

-- The schedule gains the nightly backup of each firm, from 02:00 in its time zone
-- (`backup:{firm}:{day}`, step 28), and the reminders, from 08:00, for firms that have them on
-- (`overdue_reminders:{firm}:{day}`, run as whoever saved them on); the rest is as in step 23.
CREATE OR REPLACE FUNCTION job_schedule_at(p_now timestamptz) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE added integer;
BEGIN
    WITH firms AS (
        SELECT o.id, (p_now AT TIME ZONE o.timezone) AS local, o.overdue_reminders_by AS reminders_by
          FROM public.organizations o
    ), due AS (
        SELECT f.id AS org, 'monthly_report' AS kind, 'period' AS field,
               to_char(date_trunc('month', f.local) - interval '1 month', 'YYYY-MM') AS period,
               NULL::uuid AS run_as
          FROM firms f
         WHERE extract(day FROM f.local) BETWEEN 1 AND 3
           AND f.local >= date_trunc('month', f.local) + interval '6 hours'
        UNION ALL
        SELECT f.id, 'daily_digest', 'day', to_char(f.local, 'YYYY-MM-DD'), NULL
          FROM firms f
         WHERE f.local >= date_trunc('day', f.local) + interval '7 hours'
        UNION ALL
        SELECT f.id, 'backup', 'day', to_char(f.local, 'YYYY-MM-DD'), NULL
          FROM firms f
         WHERE f.local >= date_trunc('day', f.local) + interval '2 hours'
        UNION ALL
        SELECT f.id, 'overdue_reminders', 'day', to_char(f.local, 'YYYY-MM-DD'), f.reminders_by
          FROM firms f
         WHERE f.reminders_by IS NOT NULL
           AND f.local >= date_trunc('day', f.local) + interval '8 hours'
    ), added AS (
        INSERT INTO public.jobs (organization_id, kind, unique_key, payload, run_as)
        SELECT d.org, d.kind, d.kind || ':' || d.org || ':' || d.period,
               jsonb_build_object(d.field, d.period), d.run_as
          FROM due d
        ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL DO NOTHING
        RETURNING 1)
    SELECT count(*) INTO added FROM added;
    RETURN added;
END
$$;
