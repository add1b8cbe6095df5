-- Docket schema, step 5: recording time.
--
-- An entry keeps the raw minutes worked and the hourly rate it was recorded at; the units it is
-- billed in come from the firm's increment when it is invoiced (an invoice keeps its own), so a
-- later change of increment or rate never rewrites an entry or an invoice.

-- The firm's billing settings, and the rates an entry's rate is resolved from (most specific
-- first: the person on the matter, the matter, the client, the person, the firm).
ALTER TABLE organizations
    ADD COLUMN billing_increment_minutes integer NOT NULL DEFAULT 6
        CHECK (billing_increment_minutes BETWEEN 1 AND 60),
    ADD COLUMN default_hourly_rate numeric(12, 2) CHECK (default_hourly_rate >= 0);
ALTER TABLE user_organizations ADD COLUMN hourly_rate numeric(12, 2) CHECK (hourly_rate >= 0);
ALTER TABLE clients ADD COLUMN hourly_rate numeric(12, 2) CHECK (hourly_rate >= 0);

CREATE TABLE matter_rates (
    organization_id  uuid NOT NULL,
    matter_id        uuid NOT NULL,
    user_id          uuid NOT NULL,
    hourly_rate      numeric(12, 2) NOT NULL CHECK (hourly_rate >= 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, matter_id, user_id),
    FOREIGN KEY (organization_id, matter_id) REFERENCES matters (organization_id, id),
    FOREIGN KEY (organization_id, user_id) REFERENCES user_organizations (organization_id, user_id)
        ON DELETE CASCADE
);
SELECT manage_updated_at('matter_rates');
ALTER TABLE matter_rates ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON matter_rates
    USING (organization_id = app_current_org())
    WITH CHECK (organization_id = app_current_org());
-- Read-only until a screen sets these rates (an administrator's, with its own checks).
GRANT SELECT ON matter_rates TO docket_app;

-- Entries: versions for the stale-form check, optional UTBMS codes, who recorded them.
SELECT manage_row_version('time_entries');
ALTER TABLE time_entries
    ADD COLUMN activity_code text CHECK (activity_code ~ '^A[0-9]{3}$'),
    ADD COLUMN task_code text CHECK (task_code ~ '^[A-Z][0-9]{3}$'),
    ADD COLUMN created_by uuid REFERENCES users (id) ON DELETE SET NULL;

-- Keyset orders: a matter's time and a person's time, newest first, by (date, id).
DROP INDEX time_entries_org_matter_idx;
DROP INDEX time_entries_org_user_idx;
CREATE INDEX time_entries_org_matter_idx ON time_entries (organization_id, matter_id, work_date, id);
CREATE INDEX time_entries_org_user_idx ON time_entries (organization_id, user_id, work_date, id);
CREATE INDEX time_entries_org_date_idx ON time_entries (organization_id, work_date, id);

-- Backstops for what the app checks first, whoever writes:
-- * no billable time on a closed matter: an entry may not be created billable on one, made
--   billable, or moved onto one (what was recorded before the matter closed can still be edited);
-- * time on an invoice (or written off) keeps what it billed: only its status may change (an
--   invoice issued, voided or paid).
CREATE FUNCTION time_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status <> 'unbilled' AND NEW.status = OLD.status
       AND (NEW.minutes, NEW.hourly_rate, NEW.billable, NEW.work_date, NEW.matter_id, NEW.description)
           IS DISTINCT FROM (OLD.minutes, OLD.hourly_rate, OLD.billable, OLD.work_date, OLD.matter_id, OLD.description)
    THEN
        RAISE EXCEPTION 'time on an invoice cannot be changed'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'time_entries_billed_fixed';
    END IF;
    IF NEW.billable AND NEW.status = 'unbilled'
       AND (TG_OP = 'INSERT' OR NOT OLD.billable OR OLD.matter_id <> NEW.matter_id)
       AND EXISTS (SELECT 1 FROM matters m WHERE m.id = NEW.matter_id AND m.status = 'closed' FOR SHARE)
    THEN
        RAISE EXCEPTION 'billable time on a closed matter'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'time_entries_matter_open';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER time_entry_guard BEFORE INSERT OR UPDATE ON time_entries
    FOR EACH ROW EXECUTE FUNCTION time_entry_guard();
