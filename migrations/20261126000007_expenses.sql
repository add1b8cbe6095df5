-- Docket schema, step 7: expenses on matters.
--
-- An expense is a unit amount times a quantity (copies, miles, nights); its total is rounded
-- half-up to the cent once, where it is formed. Like time, it keeps what it billed once on an
-- invoice, and a closed matter takes no new billable expense.
ALTER TABLE expenses
    ADD COLUMN quantity numeric(12, 2) NOT NULL DEFAULT 1 CHECK (quantity > 0 AND quantity <= 100000),
    ADD COLUMN created_by uuid REFERENCES users (id) ON DELETE SET NULL;
SELECT manage_row_version('expenses');

DROP INDEX expenses_org_matter_idx;
CREATE INDEX expenses_org_matter_idx ON expenses (organization_id, matter_id, incurred_on, id);
CREATE INDEX expenses_org_user_idx ON expenses (organization_id, user_id, incurred_on, id);

CREATE FUNCTION expense_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status <> 'unbilled' AND NEW.status = OLD.status
       AND (NEW.amount, NEW.quantity, NEW.billable, NEW.incurred_on, NEW.matter_id, NEW.description)
           IS DISTINCT FROM (OLD.amount, OLD.quantity, OLD.billable, OLD.incurred_on, OLD.matter_id, OLD.description)
    THEN
        RAISE EXCEPTION 'an expense on an invoice cannot be changed'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'expenses_billed_fixed';
    END IF;
    IF NEW.billable AND NEW.status = 'unbilled'
       AND (TG_OP = 'INSERT' OR NOT OLD.billable OR OLD.matter_id <> NEW.matter_id)
       AND EXISTS (SELECT 1 FROM matters m WHERE m.id = NEW.matter_id AND m.status = 'closed' FOR SHARE)
    THEN
        RAISE EXCEPTION 'billable expense on a closed matter'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'expenses_matter_open';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER expense_guard BEFORE INSERT OR UPDATE ON expenses
    FOR EACH ROW EXECUTE FUNCTION expense_guard();
