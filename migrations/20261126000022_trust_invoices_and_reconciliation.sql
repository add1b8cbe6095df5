-- Docket schema, step 22: paying invoices out of trust, and three-way reconciliation.
--
-- * An invoice paid from a matter's trust funds is one `invoice_payment` entry and one payment
--   of the invoice (method 'trust'), written together: each needs the other at commit.
-- * A reconciliation records a bank statement against the account's journal and client ledgers,
--   when all three agree. It is never changed. The entries it covers (dated on or before its
--   statement date and not outstanding at the bank) are locked against reversal unless an
--   administrator unlocks one with a reason, and no new entry is dated into a reconciled period.

ALTER TABLE trust_entries DROP CONSTRAINT trust_entries_kind_check;
ALTER TABLE trust_entries ADD CONSTRAINT trust_entries_kind_check CHECK (
    kind IN ('deposit', 'disbursement', 'transfer_in', 'transfer_out', 'reversal', 'invoice_payment'));
ALTER TABLE trust_entries ADD COLUMN payment_id uuid UNIQUE;
ALTER TABLE trust_entries
    ADD CONSTRAINT trust_entries_payment_fkey FOREIGN KEY (organization_id, payment_id)
        REFERENCES payments (organization_id, id),
    ADD CONSTRAINT trust_entries_invoice_payment CHECK ((kind = 'invoice_payment') = (payment_id IS NOT NULL));

CREATE TABLE trust_reconciliations (
    id                    uuid PRIMARY KEY DEFAULT uuid_v7(),
    organization_id       uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    account_id            uuid NOT NULL,
    statement_date        date NOT NULL,
    statement_balance     numeric(16, 2) NOT NULL,
    deposits_in_transit   numeric(16, 2) NOT NULL CHECK (deposits_in_transit >= 0),
    outstanding_payments  numeric(16, 2) NOT NULL CHECK (outstanding_payments >= 0),
    adjusted_bank         numeric(16, 2) NOT NULL,
    journal               numeric(16, 2) NOT NULL,
    client_ledgers        numeric(16, 2) NOT NULL,
    reconciled_by         uuid REFERENCES users (id) ON DELETE SET NULL,
    -- As it was when reconciled: the record prints the same later.
    reconciled_by_name    text NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    UNIQUE (account_id, statement_date),
    FOREIGN KEY (organization_id, account_id) REFERENCES trust_accounts (organization_id, id),
    CONSTRAINT trust_reconciliations_adjusted CHECK (
        adjusted_bank = statement_balance + deposits_in_transit - outstanding_payments),
    CONSTRAINT trust_reconciliations_balanced CHECK (adjusted_bank = journal AND journal = client_ledgers)
);

-- The journal entries the bank had not seen on the statement date, described as they were shown
-- (a later wall around a matter does not change what the record prints).
CREATE TABLE trust_reconciliation_items (
    organization_id    uuid NOT NULL,
    reconciliation_id  uuid NOT NULL,
    entry_id           uuid NOT NULL REFERENCES trust_entries (id),
    occurred_on        date NOT NULL,
    kind               text NOT NULL,
    description        text NOT NULL,
    reference          text NOT NULL,
    amount             numeric(14, 2) NOT NULL,
    PRIMARY KEY (reconciliation_id, entry_id),
    FOREIGN KEY (organization_id, reconciliation_id) REFERENCES trust_reconciliations (organization_id, id)
);
CREATE INDEX trust_reconciliation_items_entry_idx ON trust_reconciliation_items (entry_id);

-- Each client's ledger in the account on the statement date, with the client's name as it was.
CREATE TABLE trust_reconciliation_clients (
    organization_id    uuid NOT NULL,
    reconciliation_id  uuid NOT NULL,
    client_id          uuid NOT NULL,
    client_name        text NOT NULL,
    balance            numeric(16, 2) NOT NULL,
    PRIMARY KEY (reconciliation_id, client_id),
    FOREIGN KEY (organization_id, reconciliation_id) REFERENCES trust_reconciliations (organization_id, id)
);

-- An administrator's permission to reverse one entry a reconciliation covers, with the reason.
CREATE TABLE trust_entry_unlocks (
    entry_id         uuid PRIMARY KEY REFERENCES trust_entries (id),
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    reason           text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- The statement date of the first reconciliation that covers an entry (NULL: none does): one
-- dated on or after the entry whose outstanding items do not include it.
CREATE FUNCTION trust_entry_reconciled(account uuid, entry uuid, occurred date) RETURNS date
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT min(r.statement_date) FROM public.trust_reconciliations r
     WHERE r.account_id = account AND r.organization_id = public.app_current_org()
       AND r.statement_date >= occurred
       AND NOT EXISTS (SELECT 1 FROM public.trust_reconciliation_items i
                        WHERE i.reconciliation_id = r.id AND i.entry_id = entry)
$$;
REVOKE ALL ON FUNCTION trust_entry_reconciled(uuid, uuid, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION trust_entry_reconciled(uuid, uuid, date) TO docket_app;

-- Before an entry is written (replacing step 21's): as before, plus the invoice payment's match,
-- the reconciliation lock, and no entry dated into a reconciled period. The account's row is
-- share-locked, so a reconciliation being completed (which locks it exclusively) and an entry
-- take turns.
CREATE OR REPLACE FUNCTION trust_entry_prepare() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    orig public.trust_entries;
    m_status text;
    reconciled_through date;
    pay record;
BEGIN
    PERFORM 1 FROM public.trust_accounts a
      WHERE a.id = NEW.account_id AND a.organization_id = NEW.organization_id FOR SHARE;
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
        IF orig.kind = 'invoice_payment' THEN
            RAISE EXCEPTION 'an invoice''s payment is kept' USING ERRCODE = 'check_violation',
                CONSTRAINT = 'trust_entries_payment_final';
        END IF;
        IF public.trust_entry_reconciled(orig.account_id, orig.id, orig.occurred_on) IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM public.trust_entry_unlocks u WHERE u.entry_id = orig.id) THEN
            RAISE EXCEPTION 'a reconciled entry is reversed only with an administrator''s override'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'trust_entries_reconciled';
        END IF;
        NEW.kind := 'reversal';
        NEW.account_id := orig.account_id;
        NEW.matter_id := orig.matter_id;
        NEW.amount := -orig.amount;
        NEW.cleared_on := NULL;
        NEW.transfer_id := orig.transfer_id;
        NEW.payment_id := NULL;
    END IF;
    -- Reversals too: nothing changes a reconciled period's journal.
    SELECT max(r.statement_date) INTO reconciled_through FROM public.trust_reconciliations r
     WHERE r.account_id = NEW.account_id;
    IF NEW.occurred_on <= reconciled_through THEN
        RAISE EXCEPTION 'the account is reconciled through %', reconciled_through
            USING ERRCODE = 'check_violation', CONSTRAINT = 'trust_entries_period_reconciled';
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
    IF NEW.kind = 'invoice_payment' THEN
        SELECT p.amount, p.method, i.client_id, i.matter_id INTO pay
          FROM public.payments p JOIN public.invoices i ON i.id = p.invoice_id
         WHERE p.id = NEW.payment_id AND p.organization_id = NEW.organization_id;
        IF NOT FOUND OR pay.method <> 'trust' OR pay.amount <> -NEW.amount
           OR pay.client_id <> NEW.client_id OR (pay.matter_id IS NOT NULL AND pay.matter_id <> NEW.matter_id) THEN
            RAISE EXCEPTION 'an invoice paid from trust is the same client''s, and the same amount'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'trust_entries_payment_match';
        END IF;
    END IF;
    RETURN NEW;
END $$;

-- A payment "from trust" exists only with its trust entry (checked at commit).
CREATE FUNCTION payment_from_trust() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM public.trust_entries e WHERE e.payment_id = NEW.id) THEN
        RAISE EXCEPTION 'a payment from trust is recorded on the matter''s trust ledger'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payments_from_trust';
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION payment_from_trust() FROM PUBLIC;
CREATE CONSTRAINT TRIGGER payment_from_trust AFTER INSERT ON payments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.method = 'trust')
    EXECUTE FUNCTION payment_from_trust();

-- A reconciliation comes after the account's last one, of a day that has ended, and its
-- journal and client-ledger figures are the database's own (the account's row is locked first,
-- so no entry slips in between).
CREATE FUNCTION trust_reconciliation_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    journal numeric;
    ledgers numeric;
BEGIN
    PERFORM 1 FROM public.trust_accounts a
      WHERE a.id = NEW.account_id AND a.organization_id = NEW.organization_id FOR UPDATE;
    IF NEW.statement_date >= (SELECT (now() AT TIME ZONE o.timezone)::date FROM public.organizations o
                               WHERE o.id = NEW.organization_id) THEN
        RAISE EXCEPTION 'a statement is reconciled once its day has ended'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'trust_reconciliations_order';
    END IF;
    IF EXISTS (SELECT 1 FROM public.trust_reconciliations r
                WHERE r.account_id = NEW.account_id AND r.statement_date >= NEW.statement_date) THEN
        RAISE EXCEPTION 'the account is already reconciled through that date'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'trust_reconciliations_order';
    END IF;
    SELECT coalesce(sum(e.amount), 0) INTO journal FROM public.trust_entries e
     WHERE e.account_id = NEW.account_id AND e.occurred_on <= NEW.statement_date;
    -- The client ledgers from the balances the entries' trigger keeps, less what came later.
    SELECT coalesce(sum(b.balance), 0)
           - (SELECT coalesce(sum(e.amount), 0) FROM public.trust_entries e
               WHERE e.account_id = NEW.account_id AND e.occurred_on > NEW.statement_date)
      INTO ledgers FROM public.trust_balances b WHERE b.account_id = NEW.account_id;
    IF journal <> NEW.journal OR ledgers <> NEW.client_ledgers THEN
        RAISE EXCEPTION 'the account''s entries changed: journal %, client ledgers %', journal, ledgers
            USING ERRCODE = 'check_violation', CONSTRAINT = 'trust_reconciliations_figures';
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION trust_reconciliation_check() FROM PUBLIC;
CREATE TRIGGER trust_reconciliation_check BEFORE INSERT ON trust_reconciliations
    FOR EACH ROW EXECUTE FUNCTION trust_reconciliation_check();

-- At commit: the outstanding items are the account's entries of the period, and add up to the
-- deposits in transit and outstanding payments recorded.
CREATE FUNCTION trust_reconciliation_items_agree() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM public.trust_reconciliation_items i
                 JOIN public.trust_entries e ON e.id = i.entry_id
                WHERE i.reconciliation_id = NEW.id
                  AND (e.account_id <> NEW.account_id OR e.occurred_on > NEW.statement_date
                       OR (i.occurred_on, i.kind, i.amount) IS DISTINCT FROM (e.occurred_on, e.kind, e.amount)))
       OR (SELECT (coalesce(sum(e.amount) FILTER (WHERE e.amount > 0), 0), coalesce(-sum(e.amount) FILTER (WHERE e.amount < 0), 0))
             FROM public.trust_reconciliation_items i JOIN public.trust_entries e ON e.id = i.entry_id
            WHERE i.reconciliation_id = NEW.id)
          IS DISTINCT FROM (NEW.deposits_in_transit, NEW.outstanding_payments) THEN
        RAISE EXCEPTION 'the outstanding items do not add up to the reconciliation''s figures'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'trust_reconciliations_items';
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION trust_reconciliation_items_agree() FROM PUBLIC;
CREATE CONSTRAINT TRIGGER trust_reconciliation_items_agree AFTER INSERT ON trust_reconciliations
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION trust_reconciliation_items_agree();

-- Only an active administrator of the firm unlocks an entry.
CREATE FUNCTION trust_entry_unlock_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM public.user_organizations uo
                    WHERE uo.organization_id = NEW.organization_id
                      AND uo.user_id = public.app_current_user()
                      AND uo.status = 'active' AND uo.role = 'admin')
       OR NOT EXISTS (SELECT 1 FROM public.trust_entries e
                       WHERE e.id = NEW.entry_id AND e.organization_id = NEW.organization_id) THEN
        RAISE EXCEPTION 'only an administrator unlocks a reconciled entry of the firm'
            USING ERRCODE = 'insufficient_privilege', CONSTRAINT = 'trust_entry_unlocks_admin';
    END IF;
    NEW.created_by := public.app_current_user();
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION trust_entry_unlock_check() FROM PUBLIC;
CREATE TRIGGER trust_entry_unlock_check BEFORE INSERT ON trust_entry_unlocks
    FOR EACH ROW EXECUTE FUNCTION trust_entry_unlock_check();

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['trust_reconciliations', 'trust_reconciliation_items',
                             'trust_reconciliation_clients', 'trust_entry_unlocks']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
                          USING (organization_id = app_current_org())
                          WITH CHECK (organization_id = app_current_org())', t);
        -- Recorded, never changed.
        EXECUTE format('GRANT SELECT, INSERT ON %I TO docket_app', t);
    END LOOP;
END $$;

-- Whether any of the account's entries are on matters walled off from the caller (who then
-- cannot reconcile it: the journal they see is not the bank's).
CREATE FUNCTION app_trust_account_walled(account uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM public.trust_balances b
                    WHERE b.account_id = account AND b.organization_id = public.app_current_org()
                      AND b.matter_id = ANY (public.app_hidden_matters()))
$$;
REVOKE ALL ON FUNCTION app_trust_account_walled(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_trust_account_walled(uuid) TO docket_app;

-- Trust money is in the firm's currency too: once it holds any, the currency is fixed.
CREATE OR REPLACE FUNCTION app_firm_has_amounts() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM public.invoices WHERE organization_id = public.app_current_org())
        OR EXISTS (SELECT 1 FROM public.time_entries WHERE organization_id = public.app_current_org())
        OR EXISTS (SELECT 1 FROM public.expenses WHERE organization_id = public.app_current_org())
        OR EXISTS (SELECT 1 FROM public.trust_entries WHERE organization_id = public.app_current_org())
        OR EXISTS (SELECT 1 FROM public.matters WHERE organization_id = public.app_current_org() AND hourly_rate IS NOT NULL)
        OR EXISTS (SELECT 1 FROM public.clients WHERE organization_id = public.app_current_org() AND hourly_rate IS NOT NULL)
        OR EXISTS (SELECT 1 FROM public.matter_rates WHERE organization_id = public.app_current_org())
        OR EXISTS (SELECT 1 FROM public.user_organizations WHERE organization_id = public.app_current_org() AND hourly_rate IS NOT NULL)
        OR EXISTS (SELECT 1 FROM public.organizations WHERE id = public.app_current_org() AND default_hourly_rate IS NOT NULL)
$$;
