-- Docket schema, step 13: firm administration. A membership is ended, never deleted (a removed
-- member's matters, time and history stay attributed to them; their other firms are untouched),
-- and administrators change members' roles. Every membership read that grants access checks
-- `status = 'active'`.
ALTER TABLE user_organizations
    ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed')),
    ADD COLUMN removed_at timestamptz,
    ADD CONSTRAINT user_organizations_removed_at CHECK ((status = 'removed') = (removed_at IS NOT NULL));
SELECT manage_row_version('user_organizations');
GRANT UPDATE (role, status, removed_at, version) ON user_organizations TO docket_app;

-- The database's own guard: through the application role, only an active administrator of the
-- firm changes a membership's role or status; whoever writes, a firm keeps an active
-- administrator. Role and status changes of one firm take turns on the firm's row (the app
-- takes that lock first too), so two administrators demoting each other cannot both pass.
CREATE FUNCTION membership_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.role, NEW.status) IS NOT DISTINCT FROM (OLD.role, OLD.status) THEN
        RETURN NEW;
    END IF;
    -- Changes of one firm's memberships take turns (the check below reads the others).
    PERFORM 1 FROM organizations WHERE id = NEW.organization_id FOR UPDATE;
    IF current_user = 'docket_app'
       AND NOT EXISTS (SELECT 1 FROM user_organizations a JOIN users u ON u.id = a.user_id
                        WHERE a.organization_id = NEW.organization_id AND a.user_id = app_current_user()
                          AND a.role = 'admin' AND a.status = 'active' AND u.is_active) THEN
        RAISE EXCEPTION 'only an administrator changes memberships'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER membership_guard BEFORE UPDATE ON user_organizations
    FOR EACH ROW EXECUTE FUNCTION membership_guard();

CREATE FUNCTION membership_keeps_an_admin() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.role = 'admin' AND OLD.status = 'active'
       AND NOT EXISTS (SELECT 1 FROM user_organizations a JOIN users u ON u.id = a.user_id
                        WHERE a.organization_id = OLD.organization_id AND a.role = 'admin'
                          AND a.status = 'active' AND u.is_active) THEN
        RAISE EXCEPTION 'a firm keeps at least one active administrator'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'firm_keeps_an_admin';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER membership_keeps_an_admin AFTER UPDATE ON user_organizations
    FOR EACH ROW EXECUTE FUNCTION membership_keeps_an_admin();
