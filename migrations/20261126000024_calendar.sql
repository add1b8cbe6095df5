-- Docket schema, step 24: the calendar: events on matters (hearings, meetings, deadlines),
-- court deadlines computed from the firm's rules, tasks, and each person's calendar feed.

-- ───────────────────────────── deadline rules ─────────────────────────────
-- "Answer to complaint: 21 calendar days after service". The firm edits its list; a deadline
-- keeps a copy of the rule it was computed with (a later edit of the rule changes no deadline).
CREATE TABLE deadline_rules (
    id               uuid PRIMARY KEY DEFAULT uuid_v7(),
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    days             integer NOT NULL CHECK (days BETWEEN 1 AND 3650),
    counting         text NOT NULL CHECK (counting IN ('calendar', 'court')),
    direction        text NOT NULL CHECK (direction IN ('after', 'before')),
    active           boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id)
);
CREATE UNIQUE INDEX deadline_rules_name ON deadline_rules (organization_id, lower(name));
SELECT manage_updated_at('deadline_rules');
SELECT manage_row_version('deadline_rules');

-- Every firm starts with the common federal rules (and a new firm gets them too).
CREATE FUNCTION deadline_rules_defaults(p_org uuid) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    INSERT INTO public.deadline_rules (organization_id, name, days, counting, direction)
    VALUES (p_org, 'Answer to complaint (FRCP 12(a)(1)(A)(i))', 21, 'calendar', 'after'),
           (p_org, 'Answer when service waived (FRCP 12(a)(1)(A)(ii))', 60, 'calendar', 'after'),
           (p_org, 'Response to a motion (typical local rule)', 14, 'calendar', 'after'),
           (p_org, 'Responses to discovery requests (FRCP 33, 34, 36)', 30, 'calendar', 'after'),
           (p_org, 'Motion for a new trial (FRCP 59(b))', 28, 'calendar', 'after'),
           (p_org, 'Notice of appeal (FRAP 4(a)(1)(A))', 30, 'calendar', 'after'),
           (p_org, 'Summary judgment motion, from the close of discovery (FRCP 56(b))', 30, 'calendar', 'after'),
           (p_org, 'Pretrial disclosures before trial (FRCP 26(a)(3)(B))', 30, 'calendar', 'before')
    ON CONFLICT DO NOTHING
$$;
REVOKE ALL ON FUNCTION deadline_rules_defaults(uuid) FROM PUBLIC;
SELECT deadline_rules_defaults(id) FROM organizations;
CREATE FUNCTION organizations_deadline_rules() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM public.deadline_rules_defaults(NEW.id);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION organizations_deadline_rules() FROM PUBLIC;
CREATE TRIGGER organizations_deadline_rules AFTER INSERT ON organizations
    FOR EACH ROW EXECUTE FUNCTION organizations_deadline_rules();

-- ───────────────────────────── events ─────────────────────────────
-- A timed event has its start (and end) as instants; an all-day one its day(s) in the firm's
-- time zone. A deadline computed from a rule keeps the trigger date, the rule as it was and the
-- explanation of the computation.
CREATE TABLE events (
    id               uuid PRIMARY KEY DEFAULT uuid_v7(),
    organization_id  uuid NOT NULL,
    matter_id        uuid NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('hearing', 'meeting', 'deadline', 'other')),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    location         text NOT NULL DEFAULT '' CHECK (length(location) <= 200),
    notes            text NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
    all_day          boolean NOT NULL,
    on_date          date,
    starts_at        timestamptz,
    ends_at          timestamptz,
    trigger_date     date,
    rule_id          uuid,
    rule_name        text,
    rule_days        integer,
    rule_counting    text CHECK (rule_counting IN ('calendar', 'court')),
    rule_direction   text CHECK (rule_direction IN ('after', 'before')),
    computation      text[] NOT NULL DEFAULT '{}',
    created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    -- Its attendees name its matter (their rows are walled with it): held by this key.
    UNIQUE (organization_id, id, matter_id),
    FOREIGN KEY (organization_id, matter_id) REFERENCES matters (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, rule_id) REFERENCES deadline_rules (organization_id, id) ON DELETE SET NULL (rule_id),
    CHECK (CASE WHEN all_day THEN on_date IS NOT NULL AND starts_at IS NULL AND ends_at IS NULL
                ELSE on_date IS NULL AND starts_at IS NOT NULL AND (ends_at IS NULL OR ends_at >= starts_at) END),
    CHECK ((trigger_date IS NULL) = (rule_name IS NULL)
           AND (trigger_date IS NULL) = (rule_days IS NULL)
           AND (trigger_date IS NULL OR (kind = 'deadline' AND all_day)))
);
CREATE INDEX events_matter_idx ON events (organization_id, matter_id);
CREATE INDEX events_on_date_idx ON events (organization_id, on_date) WHERE all_day;
CREATE INDEX events_starts_idx ON events (organization_id, starts_at) WHERE NOT all_day;
SELECT manage_updated_at('events');
SELECT manage_row_version('events');

CREATE TABLE event_attendees (
    organization_id  uuid NOT NULL,
    event_id         uuid NOT NULL,
    matter_id        uuid NOT NULL,
    user_id          uuid NOT NULL,
    PRIMARY KEY (event_id, user_id),
    FOREIGN KEY (organization_id, event_id, matter_id) REFERENCES events (organization_id, id, matter_id)
        ON DELETE CASCADE ON UPDATE CASCADE,
    FOREIGN KEY (organization_id, user_id) REFERENCES user_organizations (organization_id, user_id) ON DELETE CASCADE
);
CREATE INDEX event_attendees_user_idx ON event_attendees (organization_id, user_id);

-- ───────────────────────────── tasks ─────────────────────────────
CREATE TABLE tasks (
    id               uuid PRIMARY KEY DEFAULT uuid_v7(),
    organization_id  uuid NOT NULL,
    matter_id        uuid NOT NULL,
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    assignee_id      uuid,
    due_on           date,
    priority         text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    completed_at     timestamptz,
    completed_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, matter_id) REFERENCES matters (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, assignee_id) REFERENCES user_organizations (organization_id, user_id),
    CHECK ((status = 'done') = (completed_at IS NOT NULL))
);
CREATE INDEX tasks_assignee_idx ON tasks (organization_id, assignee_id, status, due_on);
CREATE INDEX tasks_matter_idx ON tasks (organization_id, matter_id, status, due_on);
SELECT manage_updated_at('tasks');
SELECT manage_row_version('tasks');

-- ───────────────────────────── calendar feeds ─────────────────────────────
-- A person's private feed of their events, deadlines and tasks, for Google Calendar or Outlook
-- to subscribe to: a secret token in the URL (not the session), one per person and firm,
-- revocable (a new one replaces it). The token is kept so its owner can copy the URL again;
-- only its owner reads it, and the feed route finds it through `calendar_feed_owner`.
CREATE TABLE calendar_feeds (
    organization_id  uuid NOT NULL,
    user_id          uuid NOT NULL,
    token            text NOT NULL UNIQUE CHECK (token ~ '^[A-Za-z0-9_-]{32,64}$'),
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, user_id),
    FOREIGN KEY (organization_id, user_id) REFERENCES user_organizations (organization_id, user_id) ON DELETE CASCADE
);

-- Whose feed a token opens: an active member of an existing firm, or nobody.
CREATE FUNCTION calendar_feed_owner(p_token text) RETURNS TABLE (organization_id uuid, user_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT f.organization_id, f.user_id
      FROM public.calendar_feeds f
      JOIN public.user_organizations uo ON uo.organization_id = f.organization_id AND uo.user_id = f.user_id
      JOIN public.users u ON u.id = f.user_id
     WHERE f.token = p_token AND uo.status = 'active' AND u.is_active
$$;
REVOKE ALL ON FUNCTION calendar_feed_owner(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION calendar_feed_owner(text) TO docket_app;

-- ───────────────────────────── isolation ─────────────────────────────
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['deadline_rules', 'events', 'event_attendees', 'tasks', 'calendar_feeds']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
                          USING (organization_id = app_current_org())
                          WITH CHECK (organization_id = app_current_org())', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['events', 'event_attendees', 'tasks']
    LOOP
        EXECUTE format('CREATE POLICY wall ON %I AS RESTRICTIVE
                          USING (matter_id <> ALL ((SELECT app_hidden_matters())::uuid[]))', t);
    END LOOP;
END $$;
-- A feed is its owner's alone.
CREATE POLICY own_feed ON calendar_feeds AS RESTRICTIVE
    USING (user_id = app_current_user()) WITH CHECK (user_id = app_current_user());

GRANT SELECT, INSERT, UPDATE, DELETE ON events, event_attendees, tasks, calendar_feeds TO docket_app;
GRANT SELECT, INSERT ON deadline_rules TO docket_app;
GRANT UPDATE (name, days, counting, direction, active) ON deadline_rules TO docket_app;

-- The history of an event, a task or a job is walled with its matter.
CREATE OR REPLACE FUNCTION activity_matter(p_org uuid, p_action text, p_type text, p_id uuid) RETURNS uuid
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
        WHEN p_type = 'event' THEN
            (SELECT e.matter_id FROM public.events e WHERE e.id = p_id AND e.organization_id = p_org)
        WHEN p_type = 'job' THEN
            (SELECT j.matter_id FROM public.jobs j WHERE j.id = p_id AND j.organization_id = p_org)
        WHEN p_type = 'task' THEN
            (SELECT t.matter_id FROM public.tasks t WHERE t.id = p_id AND t.organization_id = p_org)
    END
$$;
