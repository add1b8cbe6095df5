-- Docket schema, step 8: invoices and payments.
--
-- An invoice is made as a draft from a matter's (or a client's) unbilled billable time and
-- expenses. The time and expenses on it are marked billed and point at it, so one entry is on at
-- most one live invoice: the column holds one invoice, and the app claims only rows whose
-- invoice_id is still empty. A draft has no number; issuing it takes the next number of the
-- firm's counter row, locked in the issuing transaction, so numbers are gap-free and unique.
-- Voiding an issued invoice (or deleting a draft) makes its time and expenses unbilled again;
-- a voided invoice keeps its number. Overdue is computed on read (due date past, balance left).

-- The firm's invoice settings.
ALTER TABLE organizations
    ADD COLUMN address text NOT NULL DEFAULT '' CHECK (length(address) <= 500),
    ADD COLUMN invoice_prefix text NOT NULL DEFAULT 'INV-'
        CHECK (invoice_prefix ~ '^[A-Za-z0-9/._-]{0,8}$'),
    ADD COLUMN invoice_number_year boolean NOT NULL DEFAULT true,
    ADD COLUMN invoice_number_digits integer NOT NULL DEFAULT 4
        CHECK (invoice_number_digits BETWEEN 1 AND 7),
    ADD COLUMN payment_terms_days integer NOT NULL DEFAULT 30
        CHECK (payment_terms_days BETWEEN 0 AND 365),
    ADD COLUMN tax_rate numeric(6, 3) NOT NULL DEFAULT 0 CHECK (tax_rate >= 0 AND tax_rate <= 100),
    ADD COLUMN tax_label text NOT NULL DEFAULT 'Tax' CHECK (length(tax_label) BETWEEN 1 AND 40);

-- One counter row per firm and year (year 0 when numbers carry no year); the issuing
-- transaction locks and increments it.
CREATE TABLE invoice_counters (
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    year             integer NOT NULL,
    last_number      integer NOT NULL DEFAULT 0 CHECK (last_number >= 0),
    PRIMARY KEY (organization_id, year)
);
ALTER TABLE invoice_counters ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invoice_counters
    USING (organization_id = app_current_org())
    WITH CHECK (organization_id = app_current_org());
GRANT SELECT, INSERT, UPDATE ON invoice_counters TO docket_app;

-- Invoices: no number until issued; statuses of the billing cycle; what the invoice was made
-- with (period, increment, discount, tax), so later changes of settings never rewrite it.
ALTER TABLE invoices ALTER COLUMN invoice_number DROP NOT NULL;
ALTER TABLE invoices DROP CONSTRAINT invoices_status_check;
ALTER TABLE invoices ADD CONSTRAINT invoices_status_check
    CHECK (status IN ('draft', 'sent', 'partially_paid', 'paid', 'void'));
ALTER TABLE invoices
    ADD COLUMN request_id uuid NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN period_start date,
    ADD COLUMN period_end date,
    ADD COLUMN billing_increment_minutes integer NOT NULL DEFAULT 6
        CHECK (billing_increment_minutes BETWEEN 1 AND 60),
    ADD COLUMN discount_kind text CHECK (discount_kind IN ('percent', 'amount')),
    ADD COLUMN discount_value numeric(14, 3) NOT NULL DEFAULT 0 CHECK (discount_value >= 0),
    ADD COLUMN discount_total numeric(14, 2) NOT NULL DEFAULT 0 CHECK (discount_total >= 0),
    ADD COLUMN tax_rate numeric(6, 3) NOT NULL DEFAULT 0 CHECK (tax_rate >= 0 AND tax_rate <= 100),
    ADD COLUMN tax_label text NOT NULL DEFAULT 'Tax' CHECK (length(tax_label) <= 40),
    ADD COLUMN voided_at timestamptz,
    ADD COLUMN void_reason text NOT NULL DEFAULT '' CHECK (length(void_reason) <= 500),
    ADD CONSTRAINT invoices_request_key UNIQUE (organization_id, request_id),
    ADD CONSTRAINT invoices_number_length CHECK (length(invoice_number) <= 20),
    ADD CONSTRAINT invoices_numbered CHECK ((status = 'draft') = (invoice_number IS NULL)),
    ADD CONSTRAINT invoices_paid_within CHECK (amount_paid <= total),
    ADD CONSTRAINT invoices_period CHECK (period_start IS NULL OR period_end IS NULL OR period_start <= period_end);
SELECT manage_row_version('invoices');
CREATE INDEX invoices_org_created_idx ON invoices (organization_id, created_at, id);
CREATE INDEX invoices_org_matter_idx ON invoices (organization_id, matter_id, created_at);

-- Lines keep what they billed: the billed minutes of a time line (its hours are derived), the
-- date, the person and the UTBMS codes, for the printed invoice and the LEDES file.
ALTER TABLE invoice_lines
    ADD COLUMN line_date date,
    ADD COLUMN user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN person_name text NOT NULL DEFAULT '',
    ADD COLUMN minutes integer CHECK (minutes > 0),
    ADD COLUMN matter_id uuid,
    ADD COLUMN activity_code text,
    ADD COLUMN task_code text,
    ADD CONSTRAINT invoice_lines_time_minutes CHECK ((line_type = 'time') = (minutes IS NOT NULL));
ALTER TABLE invoice_lines ALTER COLUMN quantity TYPE numeric(12, 4);
-- A voided invoice keeps its lines; the entry's own invoice_id says which invoice it is on now.
CREATE INDEX invoice_lines_time_idx ON invoice_lines (time_entry_id) WHERE time_entry_id IS NOT NULL;
CREATE INDEX invoice_lines_expense_idx ON invoice_lines (expense_id) WHERE expense_id IS NOT NULL;
CREATE INDEX time_entries_org_invoice_idx ON time_entries (organization_id, invoice_id) WHERE invoice_id IS NOT NULL;
CREATE INDEX expenses_org_invoice_idx ON expenses (organization_id, invoice_id) WHERE invoice_id IS NOT NULL;
CREATE INDEX invoice_lines_org_invoice_idx ON invoice_lines (organization_id, invoice_id, position);

-- Payments against an invoice: never more than its balance (the app checks, the invoice's
-- amount_paid <= total backs it).
CREATE TABLE payments (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    invoice_id       uuid NOT NULL,
    amount           numeric(14, 2) NOT NULL CHECK (amount > 0),
    paid_on          date NOT NULL,
    method           text NOT NULL CHECK (method IN ('check', 'ach', 'wire', 'card', 'cash', 'trust', 'other')),
    reference        text NOT NULL DEFAULT '' CHECK (length(reference) <= 100),
    created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, invoice_id) REFERENCES invoices (organization_id, id)
);
CREATE INDEX payments_org_invoice_idx ON payments (organization_id, invoice_id, paid_on);
ALTER TABLE payments ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON payments
    USING (organization_id = app_current_org())
    WITH CHECK (organization_id = app_current_org());
GRANT SELECT, INSERT ON payments TO docket_app;   -- payments are recorded, never edited

-- A draft may be deleted (its lines go with it); an issued invoice never is, only voided, and
-- keeps its number, figures, dates and lines. Payments only add up; a void stays void.
GRANT DELETE ON invoices, invoice_lines TO docket_app;
CREATE FUNCTION invoice_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'an issued invoice is voided, not deleted'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'invoices_issued_kept';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND (
           (NEW.invoice_number, NEW.total, NEW.subtotal, NEW.discount_total, NEW.tax_total, NEW.client_id,
            NEW.matter_id, NEW.currency, NEW.issue_date, NEW.due_date, NEW.discount_kind, NEW.discount_value,
            NEW.tax_rate)
           IS DISTINCT FROM
           (OLD.invoice_number, OLD.total, OLD.subtotal, OLD.discount_total, OLD.tax_total, OLD.client_id,
            OLD.matter_id, OLD.currency, OLD.issue_date, OLD.due_date, OLD.discount_kind, OLD.discount_value,
            OLD.tax_rate)
           OR NEW.status = 'draft'
           OR NEW.amount_paid < OLD.amount_paid
           OR (OLD.status = 'paid' AND NEW.status <> 'paid')
           OR (OLD.status = 'void' AND (NEW.status <> 'void' OR NEW.amount_paid <> OLD.amount_paid))) THEN
        RAISE EXCEPTION 'an issued invoice keeps its number, figures and history'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'invoices_issued_kept';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER invoice_guard BEFORE UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION invoice_guard();

-- Lines change only while their invoice is a draft (a deleted draft's lines go with it: the
-- invoice row is gone by the time the cascade reaches them).
CREATE FUNCTION invoice_line_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.invoice_id ELSE NEW.invoice_id END;
BEGIN
    IF EXISTS (SELECT 1 FROM invoices i WHERE i.id = parent AND i.status <> 'draft')
       OR (TG_OP = 'UPDATE' AND OLD.invoice_id <> NEW.invoice_id) THEN
        RAISE EXCEPTION 'the lines of an issued invoice cannot be changed'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_lines_issued_kept';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER invoice_line_guard BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION invoice_line_guard();
