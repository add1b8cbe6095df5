-- Docket schema, step 21: client trust (IOLTA) accounting.
--
-- Money a firm holds for its clients sits in trust bank accounts; each matter has a ledger in
-- each account it uses. The rules that get lawyers disciplined when broken hold here, in the
-- database, whatever the application does:
--   * entries are never changed or deleted: a mistake is undone by a reversing entry that names
--     the original (both stay);
--   * no matter's balance in an account goes below zero, and money deposited but not yet cleared
--     by the bank cannot be paid out (so no client's balance, the sum of its matters', can either);
--   * a matter holding trust money cannot be closed, and a closed matter takes no money in.
-- Balances are kept in `trust_balances`, one row per account and matter, changed only by the
-- entries' trigger, in the transaction that writes the entry. Its row lock makes concurrent
-- payments from one matter take turns, and its CHECK constraints refuse the one that would
-- overdraw, whichever code path wrote it.

-- The foundation's ledger was never written by any screen; its shape (one signed kind per row,
-- no accounts, no clearing, no reversals) is replaced, not converted.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM trust_transactions) THEN
        RAISE EXCEPTION 'trust_transactions holds rows: convert them to trust_entries by hand before this migration';
    END IF;
END $$;
DROP TABLE trust_transactions;

-- Who other than administrators and billing staff sees trust ledgers: attorneys see their own
-- matters'; staff see none unless the firm allows it.
ALTER TABLE organizations ADD COLUMN staff_see_trust boolean NOT NULL DEFAULT false;
GRANT UPDATE (staff_see_trust) ON organizations TO docket_app;

CREATE TABLE trust_accounts (
    id               uuid PRIMARY KEY DEFAULT uuid_v7(),
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    bank_name        text NOT NULL CHECK (length(bank_name) BETWEEN 1 AND 120),
    -- Only the last four digits of the account number are kept.
    last4            text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
    created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    UNIQUE (organization_id, name)
);
SELECT manage_row_version('trust_accounts');

CREATE TABLE trust_entries (
    id               uuid PRIMARY KEY DEFAULT uuid_v7(),
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    account_id       uuid NOT NULL,
    -- Always the matter's client (set by the trigger below, whatever the writer says).
    client_id        uuid NOT NULL,
    matter_id        uuid NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('deposit', 'disbursement', 'transfer_in', 'transfer_out', 'reversal')),
    -- Signed: money in is positive. A reversal carries the negated amount of what it reverses.
    amount           numeric(14, 2) NOT NULL CHECK (amount <> 0),
    occurred_on      date NOT NULL,
    -- Deposits only: the day the bank cleared the funds. NULL: not yet, so not available.
    cleared_on       date,
    -- Received from (deposit) or paid to (disbursement).
    counterparty     text NOT NULL DEFAULT '' CHECK (length(counterparty) <= 200),
    purpose          text NOT NULL DEFAULT '' CHECK (length(purpose) <= 500),
    method           text NOT NULL DEFAULT '' CHECK (method IN ('', 'check', 'ach', 'wire', 'cash', 'card', 'other')),
    -- Cheque or bank reference number.
    reference        text NOT NULL DEFAULT '' CHECK (length(reference) <= 40),
    -- The two halves of a transfer between matters share this id.
    transfer_id      uuid,
    -- The entry this one reverses; an entry is reversed at most once.
    reverses         uuid UNIQUE REFERENCES trust_entries (id),
    created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, account_id) REFERENCES trust_accounts (organization_id, id),
    FOREIGN KEY (organization_id, client_id) REFERENCES clients (organization_id, id),
    FOREIGN KEY (organization_id, matter_id) REFERENCES matters (organization_id, id),
    CONSTRAINT trust_entries_direction CHECK (
        kind = 'reversal' OR (kind IN ('deposit', 'transfer_in')) = (amount > 0)),
    CONSTRAINT trust_entries_clearing CHECK (cleared_on IS NULL OR kind = 'deposit'),
    CONSTRAINT trust_entries_reversal CHECK ((kind = 'reversal') = (reverses IS NOT NULL)),
    CONSTRAINT trust_entries_transfer CHECK (kind NOT IN ('transfer_in', 'transfer_out') OR transfer_id IS NOT NULL)
);
CREATE INDEX trust_entries_account_idx ON trust_entries (organization_id, account_id, occurred_on, id);
CREATE INDEX trust_entries_matter_idx ON trust_entries (organization_id, matter_id, occurred_on, id);
CREATE INDEX trust_entries_client_idx ON trust_entries (organization_id, client_id, occurred_on, id);
CREATE INDEX trust_entries_transfer_idx ON trust_entries (transfer_id) WHERE transfer_id IS NOT NULL;
-- The firm's cheque (and payment reference) numbers are unique per account. Deposits carry the
-- payer's references, which two payers may share.
CREATE UNIQUE INDEX trust_entries_reference_key ON trust_entries (account_id, reference)
    WHERE reference <> '' AND kind = 'disbursement';

CREATE TABLE trust_balances (
    organization_id  uuid NOT NULL,
    account_id       uuid NOT NULL,
    matter_id        uuid NOT NULL,
    client_id        uuid NOT NULL,
    balance          numeric(16, 2) NOT NULL,
    -- The part of the balance deposited but not yet cleared.
    uncleared        numeric(16, 2) NOT NULL,
    PRIMARY KEY (account_id, matter_id),
    FOREIGN KEY (organization_id, account_id) REFERENCES trust_accounts (organization_id, id),
    FOREIGN KEY (organization_id, matter_id) REFERENCES matters (organization_id, id),
    CONSTRAINT trust_balance_not_negative CHECK (balance >= 0),
    CONSTRAINT trust_balance_cleared CHECK (uncleared >= 0 AND balance >= uncleared)
);
CREATE INDEX trust_balances_matter_idx ON trust_balances (organization_id, matter_id);
CREATE INDEX trust_balances_client_idx ON trust_balances (organization_id, client_id);

-- Before an entry is written: the client is the matter's; a reversal copies its original's
-- account, matter and negated amount; money goes into open matters only.
CREATE FUNCTION trust_entry_prepare() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    orig public.trust_entries;
    m_status text;
BEGIN
    IF NEW.reverses IS NOT NULL THEN
        -- Locked, so a clearing of the same deposit waits for this reversal (and sees it).
        SELECT * INTO orig FROM public.trust_entries
         WHERE id = NEW.reverses AND organization_id = NEW.organization_id FOR NO KEY UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no such trust entry' USING ERRCODE = 'foreign_key_violation',
                CONSTRAINT = 'trust_entries_reverses_fkey';
        END IF;
        IF orig.kind = 'reversal' THEN
            RAISE EXCEPTION 'a reversal is not reversed' USING ERRCODE = 'check_violation',
                CONSTRAINT = 'trust_entries_reversal_final';
        END IF;
        NEW.kind := 'reversal';
        NEW.account_id := orig.account_id;
        NEW.matter_id := orig.matter_id;
        NEW.amount := -orig.amount;
        NEW.cleared_on := NULL;
        NEW.transfer_id := orig.transfer_id;
    END IF;
    SELECT m.client_id, m.status INTO NEW.client_id, m_status FROM public.matters m
     WHERE m.id = NEW.matter_id AND m.organization_id = NEW.organization_id FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no such matter' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'trust_entries_organization_id_matter_id_fkey';
    END IF;
    IF NEW.amount > 0 AND m_status = 'closed' THEN
        RAISE EXCEPTION 'trust money into a closed matter' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'trust_entries_matter_open';
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION trust_entry_prepare() FROM PUBLIC;
CREATE TRIGGER trust_entry_prepare BEFORE INSERT ON trust_entries
    FOR EACH ROW EXECUTE FUNCTION trust_entry_prepare();

-- After an entry is written, or a deposit cleared: the balance row follows, in the same
-- transaction. A reversal of an uncleared deposit takes back uncleared money.
CREATE FUNCTION trust_entry_apply() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    pending numeric(16, 2) := 0;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.cleared_on IS NULL AND NEW.cleared_on IS NOT NULL THEN
            UPDATE public.trust_balances SET uncleared = uncleared - NEW.amount
             WHERE account_id = NEW.account_id AND matter_id = NEW.matter_id;
        END IF;
        RETURN NULL;
    END IF;
    IF NEW.kind = 'deposit' AND NEW.cleared_on IS NULL THEN
        pending := NEW.amount;
    ELSIF NEW.kind = 'reversal' THEN
        SELECT CASE WHEN o.kind = 'deposit' AND o.cleared_on IS NULL THEN NEW.amount ELSE 0 END
          INTO pending FROM public.trust_entries o WHERE o.id = NEW.reverses;
    END IF;
    -- Update first: INSERT … ON CONFLICT would check the constraints on the row it proposes
    -- (the entry's amount alone) before finding the existing one.
    LOOP
        UPDATE public.trust_balances
           SET balance = balance + NEW.amount, uncleared = uncleared + pending
         WHERE account_id = NEW.account_id AND matter_id = NEW.matter_id;
        EXIT WHEN FOUND;
        INSERT INTO public.trust_balances
               (organization_id, account_id, matter_id, client_id, balance, uncleared)
        VALUES (NEW.organization_id, NEW.account_id, NEW.matter_id, NEW.client_id, NEW.amount, pending)
        ON CONFLICT (account_id, matter_id) DO NOTHING;
        EXIT WHEN FOUND;
    END LOOP;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION trust_entry_apply() FROM PUBLIC;
CREATE TRIGGER trust_entry_apply AFTER INSERT OR UPDATE OF cleared_on ON trust_entries
    FOR EACH ROW EXECUTE FUNCTION trust_entry_apply();

-- An entry never changes, except that a deposit is cleared once (not a reversed one).
CREATE FUNCTION trust_entry_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- (Deleting a firm with trust entries is refused too: trust records are kept.)
    IF TG_OP = 'DELETE'
       OR (to_jsonb(NEW) - 'cleared_on' - 'created_by') <> (to_jsonb(OLD) - 'cleared_on' - 'created_by')
       OR (NEW.created_by IS NOT NULL AND NEW.created_by IS DISTINCT FROM OLD.created_by) THEN
        RAISE EXCEPTION 'trust entries are never changed: reverse them'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'trust_entries_fixed';
    END IF;
    IF NEW.cleared_on IS NOT DISTINCT FROM OLD.cleared_on THEN
        RETURN NEW;  -- the creator's user deleted (created_by set to NULL)
    END IF;
    IF OLD.cleared_on IS NOT NULL OR NEW.cleared_on IS NULL OR NEW.cleared_on < OLD.occurred_on
       OR EXISTS (SELECT 1 FROM trust_entries r WHERE r.reverses = OLD.id) THEN
        RAISE EXCEPTION 'only an uncleared, unreversed deposit is cleared, once, on or after its date'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'trust_entries_clear_once';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER trust_entry_fixed BEFORE UPDATE OR DELETE ON trust_entries
    FOR EACH ROW EXECUTE FUNCTION trust_entry_fixed();

-- A transfer is two entries of one client that cancel out (checked at commit, when both are in).
CREATE FUNCTION trust_transfer_balanced() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF (SELECT count(*) FILTER (WHERE e.kind IN ('transfer_in', 'transfer_out')) <> 2
               OR sum(e.amount) <> 0 OR count(DISTINCT e.client_id) <> 1
               OR count(DISTINCT e.account_id) <> 1
          FROM public.trust_entries e WHERE e.transfer_id = NEW.transfer_id) THEN
        RAISE EXCEPTION 'a transfer is two entries of one client and account that cancel out'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'trust_entries_transfer_pair';
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION trust_transfer_balanced() FROM PUBLIC;
CREATE CONSTRAINT TRIGGER trust_transfer_balanced AFTER INSERT ON trust_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.transfer_id IS NOT NULL)
    EXECUTE FUNCTION trust_transfer_balanced();

-- Each account's totals for all the firm's matters, walled or not (what the bank holds does not
-- depend on who looks; no matter is named).
CREATE FUNCTION app_trust_account_totals() RETURNS TABLE (account_id uuid, balance numeric, uncleared numeric)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT b.account_id, sum(b.balance), sum(b.uncleared) FROM public.trust_balances b
     WHERE b.organization_id = public.app_current_org() GROUP BY b.account_id
$$;
REVOKE ALL ON FUNCTION app_trust_account_totals() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_trust_account_totals() TO docket_app;

-- A matter holding trust money is not closed, and a matter with trust entries keeps its client
-- (the money is that client's).
CREATE FUNCTION matter_trust_empty() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NEW.client_id <> OLD.client_id
       AND EXISTS (SELECT 1 FROM public.trust_entries e
                    WHERE e.matter_id = NEW.id AND e.organization_id = NEW.organization_id) THEN
        RAISE EXCEPTION 'the matter has trust entries under its client' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'matters_trust_client';
    END IF;
    IF NEW.status = 'closed' AND OLD.status <> 'closed'
       AND EXISTS (SELECT 1 FROM public.trust_balances b
                    WHERE b.matter_id = NEW.id AND b.organization_id = NEW.organization_id
                      AND b.balance <> 0) THEN
        RAISE EXCEPTION 'the matter holds trust money' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'matters_trust_empty';
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION matter_trust_empty() FROM PUBLIC;
CREATE TRIGGER matter_trust_empty BEFORE UPDATE OF status, client_id ON matters
    FOR EACH ROW EXECUTE FUNCTION matter_trust_empty();

-- Firm isolation and ethical walls, as everywhere.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['trust_accounts', 'trust_entries', 'trust_balances']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
                          USING (organization_id = app_current_org())
                          WITH CHECK (organization_id = app_current_org())', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['trust_entries', 'trust_balances']
    LOOP
        EXECUTE format('CREATE POLICY wall ON %I AS RESTRICTIVE
                          USING (matter_id <> ALL ((SELECT app_hidden_matters())::uuid[]))', t);
    END LOOP;
END $$;

-- The app writes entries and accounts; balances only through the entries' trigger.
GRANT SELECT, INSERT ON trust_accounts TO docket_app;
GRANT UPDATE (name, bank_name, last4) ON trust_accounts TO docket_app;
GRANT SELECT, INSERT ON trust_entries TO docket_app;
GRANT UPDATE (cleared_on) ON trust_entries TO docket_app;
GRANT SELECT ON trust_balances TO docket_app;
