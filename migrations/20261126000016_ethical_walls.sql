-- Docket schema, step 16: ethical walls.
--
-- A matter can be restricted to named members of its firm. To everyone else it does not exist:
-- not the matter, nor anything recorded on it (time, expenses, rates, documents, trust entries,
-- invoices of the matter and their payments, its access list, its history). The policies below
-- are RESTRICTIVE: they narrow the firm's tenant_isolation policies, never widen them.

ALTER TABLE matters ADD COLUMN restricted boolean NOT NULL DEFAULT false;
CREATE INDEX matters_org_restricted_idx ON matters (organization_id) WHERE restricted;

-- Who may see a restricted matter. Rows of an unrestricted matter mean nothing and are removed
-- when the restriction is lifted.
CREATE TABLE matter_access (
    organization_id  uuid NOT NULL,
    matter_id        uuid NOT NULL,
    user_id          uuid NOT NULL,
    added_by         uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (matter_id, user_id),
    FOREIGN KEY (organization_id, matter_id) REFERENCES matters (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, user_id) REFERENCES user_organizations (organization_id, user_id)
        ON DELETE CASCADE
);
CREATE INDEX matter_access_user_idx ON matter_access (organization_id, user_id);
ALTER TABLE matter_access ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON matter_access
    USING (organization_id = app_current_org())
    WITH CHECK (organization_id = app_current_org());
GRANT SELECT, INSERT, DELETE ON matter_access TO docket_app;
GRANT UPDATE (restricted) ON matters TO docket_app;

-- The restricted matters of the caller's firm that the caller is not named on. Owned by the
-- migrating role, so it reads matters and the access lists without their policies (a policy on
-- matters cannot query matters through itself). Called as `(SELECT app_hidden_matters())` in
-- the policies: evaluated once per statement, not once per row. No caller (no app.user_id)
-- sees no restricted matter. A restricted matter on which no active member is named any more
-- (everyone named has left the firm) is not lost: the firm's active administrators see it, to
-- name people on it again.
CREATE FUNCTION app_hidden_matters() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce(array_agg(m.id ORDER BY m.id), '{}')
      FROM public.matters m
     WHERE m.organization_id = public.app_current_org() AND m.restricted
       AND NOT EXISTS (SELECT 1 FROM public.matter_access a
                        WHERE a.matter_id = m.id AND a.user_id = public.app_current_user())
       AND NOT (
           NOT EXISTS (SELECT 1 FROM public.matter_access a
                         JOIN public.user_organizations uo
                           ON uo.organization_id = a.organization_id AND uo.user_id = a.user_id
                        WHERE a.matter_id = m.id AND uo.status = 'active')
           AND EXISTS (SELECT 1 FROM public.user_organizations me
                        WHERE me.organization_id = m.organization_id
                          AND me.user_id = public.app_current_user()
                          AND me.status = 'active' AND me.role = 'admin'))
$$;
REVOKE ALL ON FUNCTION app_hidden_matters() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_hidden_matters() TO docket_app;

-- Someone removed from the firm is no longer named anywhere in it: if they are invited back,
-- they do not find the walled matters of their former membership open to them again. A matter
-- on which no active member is left named falls to the firm's administrators (see
-- app_hidden_matters), and its history says so, by whose removal.
CREATE FUNCTION matter_access_forget_removed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    left_matter uuid;
    who uuid := public.app_current_user();
BEGIN
    IF NEW.status <> 'active' AND OLD.status = 'active' THEN
        FOR left_matter IN
            DELETE FROM public.matter_access
             WHERE organization_id = NEW.organization_id AND user_id = NEW.user_id
            RETURNING matter_id
        LOOP
            IF NOT EXISTS (SELECT 1 FROM public.matter_access a
                             JOIN public.user_organizations uo
                               ON uo.organization_id = a.organization_id AND uo.user_id = a.user_id
                            WHERE a.matter_id = left_matter AND uo.status = 'active') THEN
                INSERT INTO public.activity_logs (organization_id, user_id, actor_name, action,
                                                  resource_type, resource_id, summary, matter_id)
                VALUES (NEW.organization_id, who,
                        coalesce((SELECT u.full_name FROM public.users u WHERE u.id = who), ''),
                        'matter.access', 'matter', left_matter,
                        'No one named on this restricted matter is left in the firm: its administrators see it now',
                        left_matter);
            END IF;
        END LOOP;
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION matter_access_forget_removed() FROM PUBLIC;
CREATE TRIGGER matter_access_forget_removed AFTER UPDATE OF status ON user_organizations
    FOR EACH ROW EXECUTE FUNCTION matter_access_forget_removed();

DO $$
DECLARE t text;
BEGIN
    -- Tables whose every row belongs to one matter.
    FOREACH t IN ARRAY ARRAY['time_entries', 'expenses', 'documents', 'matter_rates', 'timers',
                             'matter_access']
    LOOP
        EXECUTE format('CREATE POLICY wall ON %I AS RESTRICTIVE
                          USING (matter_id <> ALL ((SELECT app_hidden_matters())::uuid[]))', t);
    END LOOP;
    -- Tables whose rows may belong to a matter, or to the client or firm as a whole.
    FOREACH t IN ARRAY ARRAY['invoices', 'invoice_lines', 'trust_transactions']
    LOOP
        EXECUTE format('CREATE POLICY wall ON %I AS RESTRICTIVE
                          USING (matter_id IS NULL OR matter_id <> ALL ((SELECT app_hidden_matters())::uuid[]))', t);
    END LOOP;
END $$;
CREATE POLICY wall ON matters AS RESTRICTIVE
    USING (id <> ALL ((SELECT app_hidden_matters())::uuid[]));
-- A payment is seen with its invoice (the invoices' own policies apply inside this one).
CREATE POLICY wall ON payments AS RESTRICTIVE
    USING (EXISTS (SELECT 1 FROM invoices i WHERE i.id = payments.invoice_id));

-- The activity log says which matter a row is about, so a matter's history is walled with it.
-- The writer may name it (a row about something deleted in the same transaction must); else it
-- is derived when the row is written from what the row names (no writer can forget it), and
-- for the rows already kept.
ALTER TABLE activity_logs ADD COLUMN matter_id uuid;
CREATE INDEX activity_logs_org_matter_idx ON activity_logs (organization_id, matter_id) WHERE matter_id IS NOT NULL;

CREATE FUNCTION activity_matter(p_org uuid, p_action text, p_type text, p_id uuid) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT CASE
        WHEN p_type IN ('matter', 'timer') OR p_action LIKE 'matter.%' THEN
            (SELECT m.id FROM public.matters m WHERE m.id = p_id AND m.organization_id = p_org)
        WHEN p_type = 'time_entry' THEN
            (SELECT t.matter_id FROM public.time_entries t WHERE t.id = p_id AND t.organization_id = p_org)
        WHEN p_type = 'expense' THEN
            (SELECT e.matter_id FROM public.expenses e WHERE e.id = p_id AND e.organization_id = p_org)
        WHEN p_type = 'invoice' THEN
            (SELECT i.matter_id FROM public.invoices i WHERE i.id = p_id AND i.organization_id = p_org)
        WHEN p_type = 'document' THEN
            (SELECT d.matter_id FROM public.documents d WHERE d.id = p_id AND d.organization_id = p_org)
    END
$$;
REVOKE ALL ON FUNCTION activity_matter(uuid, text, text, uuid) FROM PUBLIC;

CREATE FUNCTION activity_matter_fill() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NEW.matter_id IS NULL THEN
        NEW.matter_id := public.activity_matter(NEW.organization_id, NEW.action, NEW.resource_type, NEW.resource_id);
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION activity_matter_fill() FROM PUBLIC;
CREATE TRIGGER activity_matter BEFORE INSERT ON activity_logs
    FOR EACH ROW EXECUTE FUNCTION activity_matter_fill();
UPDATE activity_logs
   SET matter_id = activity_matter(organization_id, action, resource_type, resource_id)
 WHERE resource_type IN ('matter', 'timer', 'time_entry', 'expense', 'invoice', 'document')
    OR action LIKE 'matter.%';
CREATE POLICY wall ON activity_logs AS RESTRICTIVE
    USING (matter_id IS NULL OR matter_id <> ALL ((SELECT app_hidden_matters())::uuid[]));

-- Matter numbers count every matter of the firm, seen or not (a number is never reused).
CREATE FUNCTION app_last_matter_number(p_year text) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT max(split_part(m.matter_number, '-', 2)::int) FROM public.matters m
     WHERE m.organization_id = public.app_current_org()
       AND m.matter_number ~ ('^' || p_year || '-[0-9]+$')
$$;
REVOKE ALL ON FUNCTION app_last_matter_number(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_last_matter_number(text) TO docket_app;

-- Before a matter is walled off: the people not named who have a timer running on it (a timer is
-- its person's alone, so the app role cannot see them). Their running time would be out of
-- their reach; the restriction is refused until they stop it or are named.
CREATE FUNCTION app_matter_timers_outside(p_matter uuid, p_named uuid[]) RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT u.full_name FROM public.timers t JOIN public.users u ON u.id = t.user_id
     WHERE t.organization_id = public.app_current_org() AND t.matter_id = p_matter
       AND NOT (t.user_id = ANY (p_named))
       -- Only someone who sees the matter learns anything from this.
       AND EXISTS (SELECT 1 FROM public.matters m WHERE m.id = p_matter
                      AND m.organization_id = public.app_current_org()
                      AND NOT (m.id = ANY (public.app_hidden_matters())))
     ORDER BY u.full_name
$$;
REVOKE ALL ON FUNCTION app_matter_timers_outside(uuid, uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_matter_timers_outside(uuid, uuid[]) TO docket_app;

-- Whether the firm has any amount in its currency (the currency is then fixed): walled-off
-- matters' amounts count too, and nothing but the answer is returned.
CREATE FUNCTION app_firm_has_amounts() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM public.invoices WHERE organization_id = public.app_current_org())
        OR EXISTS (SELECT 1 FROM public.time_entries WHERE organization_id = public.app_current_org())
        OR EXISTS (SELECT 1 FROM public.expenses WHERE organization_id = public.app_current_org())
        OR EXISTS (SELECT 1 FROM public.matters WHERE organization_id = public.app_current_org() AND hourly_rate IS NOT NULL)
        OR EXISTS (SELECT 1 FROM public.clients WHERE organization_id = public.app_current_org() AND hourly_rate IS NOT NULL)
        OR EXISTS (SELECT 1 FROM public.matter_rates WHERE organization_id = public.app_current_org())
        OR EXISTS (SELECT 1 FROM public.user_organizations WHERE organization_id = public.app_current_org() AND hourly_rate IS NOT NULL)
        OR EXISTS (SELECT 1 FROM public.organizations WHERE id = public.app_current_org() AND default_hourly_rate IS NOT NULL)
$$;
REVOKE ALL ON FUNCTION app_firm_has_amounts() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_firm_has_amounts() TO docket_app;

-- Before a matter is walled off: the client-wide invoices (not void) that carry its work. Their
-- lines would be hidden from some of the people who see the invoice and its total; the
-- restriction is refused until that work is moved to an invoice of the matter's own.
CREATE FUNCTION app_matter_on_client_invoices(p_matter uuid) RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT DISTINCT coalesce(i.invoice_number, 'a draft') FROM public.invoices i
     WHERE i.organization_id = public.app_current_org() AND i.matter_id IS NULL AND i.status <> 'void'
       AND NOT (p_matter = ANY (public.app_hidden_matters()))
       AND (EXISTS (SELECT 1 FROM public.invoice_lines l WHERE l.invoice_id = i.id AND l.matter_id = p_matter)
            OR EXISTS (SELECT 1 FROM public.time_entries t WHERE t.invoice_id = i.id AND t.matter_id = p_matter)
            OR EXISTS (SELECT 1 FROM public.expenses e WHERE e.invoice_id = i.id AND e.matter_id = p_matter))
$$;
REVOKE ALL ON FUNCTION app_matter_on_client_invoices(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_matter_on_client_invoices(uuid) TO docket_app;
