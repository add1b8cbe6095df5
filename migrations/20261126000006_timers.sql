-- Docket schema, step 6: running timers.
--
-- A person has at most one timer per firm. It is running while `started_at` is set; its time so
-- far is `elapsed_seconds` plus, while running, now() - started_at. Stopping it records a time
-- entry and removes it, in one transaction. The timer lives in the database, so a reload, another
-- device or a server restart finds it as it was.
CREATE TABLE timers (
    -- Each timer is a new one: a page showing a stopped timer cannot act on the next.
    id               uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    user_id          uuid NOT NULL,
    matter_id        uuid NOT NULL,
    description      text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    started_at       timestamptz,
    elapsed_seconds  integer NOT NULL DEFAULT 0 CHECK (elapsed_seconds >= 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, user_id),
    FOREIGN KEY (organization_id, matter_id) REFERENCES matters (organization_id, id),
    FOREIGN KEY (organization_id, user_id) REFERENCES user_organizations (organization_id, user_id)
        ON DELETE CASCADE
);
SELECT manage_updated_at('timers');
SELECT manage_row_version('timers');

-- A timer is its person's alone: not even the firm's administrators see it.
ALTER TABLE timers ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_timer ON timers
    USING (organization_id = app_current_org() AND user_id = app_current_user())
    WITH CHECK (organization_id = app_current_org() AND user_id = app_current_user());
GRANT SELECT, INSERT, UPDATE, DELETE ON timers TO docket_app;
