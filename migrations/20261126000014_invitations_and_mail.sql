-- Docket schema, step 14: people join a firm by invitation, reset a forgotten password, change
-- their own, and create another firm; e-mail leaves through an outbox.
--
-- The application role still cannot write `users` (its e-mail, password or activation) or create
-- firms and memberships directly: each of those writes is one SECURITY DEFINER function below
-- that checks what proves the right to make it (a single-use token, or the caller's identity).
-- Tokens are stored as SHA-256 digests only.

-- ───────────────────────────── the outbox ─────────────────────────────
-- A message is a row first, written in the transaction of the operation that sends it (so it is
-- never lost and never sent for an operation that rolled back), then sent by a worker in any
-- replica that claims it under a lease. The application may add messages but not read them:
-- they carry sign-in links. Claiming and settling go through the two functions below.
CREATE TABLE mail_outbox (
    id               uuid PRIMARY KEY,
    organization_id  uuid REFERENCES organizations (id) ON DELETE CASCADE,  -- NULL: not a firm's
    purpose          text NOT NULL CHECK (purpose ~ '^[a-z_]{1,40}$'),
    to_address       text NOT NULL CHECK (position('@' in to_address) > 1 AND length(to_address) <= 254),
    subject          text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
    body_text        text NOT NULL,
    body_html        text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz,
    sent_at          timestamptz,
    dead_at          timestamptz,
    last_error       text
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND dead_at IS NULL;
ALTER TABLE mail_outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY mail_enqueue ON mail_outbox FOR INSERT
    WITH CHECK (organization_id IS NULL OR organization_id = app_current_org());
GRANT INSERT ON mail_outbox TO docket_app;

-- Claim up to `p_limit` due messages for `p_lease_seconds` (another replica's claim is skipped,
-- an expired lease is claimed again: the process that held it died).
CREATE FUNCTION mail_claim(p_limit integer, p_lease_seconds integer)
RETURNS TABLE (id uuid, to_address text, subject text, body_text text, body_html text, attempts integer)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    UPDATE public.mail_outbox m
       SET lease_until = now() + make_interval(secs => p_lease_seconds), attempts = m.attempts + 1
     WHERE m.id IN (SELECT o.id FROM public.mail_outbox o
                     WHERE o.sent_at IS NULL AND o.dead_at IS NULL AND o.next_attempt_at <= now()
                       AND (o.lease_until IS NULL OR o.lease_until < now())
                     ORDER BY o.next_attempt_at
                     LIMIT p_limit FOR UPDATE SKIP LOCKED)
    RETURNING m.id, m.to_address, m.subject, m.body_text, m.body_html, m.attempts
$$;

-- The outcome of one attempt: sent (`p_error` NULL), or retried later with exponential backoff
-- (30 s, 1 min, 2 min, … at most an hour), or dead after `p_max_attempts`, keeping the error.
CREATE FUNCTION mail_settle(p_id uuid, p_error text, p_max_attempts integer)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    UPDATE public.mail_outbox m
       SET sent_at = CASE WHEN p_error IS NULL THEN now() END,
           dead_at = CASE WHEN p_error IS NOT NULL AND m.attempts >= p_max_attempts THEN now() END,
           last_error = left(p_error, 2000),
           lease_until = NULL,
           next_attempt_at = now() + least(interval '1 hour', interval '30 seconds' * power(2, greatest(m.attempts - 1, 0))),
           -- A sent (or abandoned) message's body holds a working link: it is not kept.
           body_text = CASE WHEN p_error IS NULL OR m.attempts >= p_max_attempts THEN '' ELSE m.body_text END,
           body_html = CASE WHEN p_error IS NULL OR m.attempts >= p_max_attempts THEN NULL ELSE m.body_html END
     WHERE m.id = p_id AND m.sent_at IS NULL
       -- Only while this claim's lease holds (an expired one may have been claimed again).
       AND m.lease_until > now()
$$;
REVOKE ALL ON FUNCTION mail_claim(integer, integer), mail_settle(uuid, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mail_claim(integer, integer), mail_settle(uuid, text, integer) TO docket_app;

-- ───────────────────────────── invitations ─────────────────────────────
CREATE TABLE invitations (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email            text NOT NULL CHECK (email = lower(email) AND position('@' in email) > 1 AND length(email) <= 254),
    role             text NOT NULL CHECK (role IN ('admin', 'attorney', 'staff', 'billing')),
    token_hash       bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    invited_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'revoked')),
    expires_at       timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    accepted_at      timestamptz,
    accepted_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    revoked_at       timestamptz
);
-- One open invitation per person and firm (inviting again replaces it).
CREATE UNIQUE INDEX invitations_one_pending ON invitations (organization_id, email) WHERE status = 'pending';
SELECT manage_row_version('invitations');
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invitations
    USING (organization_id = app_current_org()) WITH CHECK (organization_id = app_current_org());
GRANT SELECT (id, organization_id, email, role, invited_by, status, expires_at, created_at,
              accepted_at, accepted_by, revoked_at, version),
      INSERT (organization_id, email, role, token_hash, invited_by, expires_at),
      UPDATE (status, revoked_at)
   ON invitations TO docket_app;

-- Only a firm's active administrator invites or revokes (whatever the application checks).
CREATE FUNCTION invitation_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_user = 'docket_app'
       AND NOT EXISTS (SELECT 1 FROM user_organizations a JOIN users u ON u.id = a.user_id
                        WHERE a.organization_id = NEW.organization_id AND a.user_id = app_current_user()
                          AND a.role = 'admin' AND a.status = 'active' AND u.is_active) THEN
        RAISE EXCEPTION 'only an administrator invites people'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'UPDATE' AND current_user = 'docket_app'
       AND NOT (OLD.status = 'pending' AND NEW.status = 'revoked') THEN
        RAISE EXCEPTION 'only a pending invitation can be revoked' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER invitation_guard BEFORE INSERT OR UPDATE ON invitations
    FOR EACH ROW EXECUTE FUNCTION invitation_guard();

-- Whether the sender of an invitation is still an active administrator of its firm (an
-- invitation does not outlive its sender's authority).
CREATE FUNCTION invitation_sender_admin(p_org uuid, p_sender uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM public.user_organizations a JOIN public.users u ON u.id = a.user_id
                    WHERE a.organization_id = p_org AND a.user_id = p_sender
                      AND a.role = 'admin' AND a.status = 'active' AND u.is_active)
$$;
REVOKE ALL ON FUNCTION invitation_sender_admin(uuid, uuid) FROM PUBLIC;

-- What the invitation page shows to whoever holds the link (not signed in, perhaps).
CREATE FUNCTION auth_invitation(p_token_hash bytea)
RETURNS TABLE (id uuid, organization_id uuid, firm_name text, email text, role text, status text,
               expires_at timestamptz, invited_by_name text, has_account boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT i.id, i.organization_id, o.name, i.email, i.role,
           -- An invitation whose sender is no longer an administrator there is void.
           CASE WHEN i.status = 'pending' AND NOT public.invitation_sender_admin(i.organization_id, i.invited_by)
                THEN 'revoked' ELSE i.status END,
           i.expires_at, b.full_name,
           EXISTS (SELECT 1 FROM public.users u WHERE u.email = i.email)
      FROM public.invitations i
      JOIN public.organizations o ON o.id = i.organization_id
      LEFT JOIN public.users b ON b.id = i.invited_by
     WHERE i.token_hash = p_token_hash
$$;

-- Accept an invitation: as the signed-in user `p_user` (whose e-mail must be the invited one), or
-- as a new user with the invited e-mail (`p_user` NULL: a name, and a password hash unless the
-- e-mail was verified by an identity provider, `p_verified_email`). Returns the user and firm.
-- A removed member who is invited again becomes active again, with the invitation's role.
CREATE FUNCTION auth_accept_invitation(p_token_hash bytea, p_user uuid, p_full_name text,
                                       p_password_hash text, p_verified_email text)
RETURNS TABLE (user_id uuid, organization_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    inv public.invitations;
    who uuid;
BEGIN
    SELECT * INTO inv FROM public.invitations i WHERE i.token_hash = p_token_hash FOR UPDATE;
    IF NOT FOUND OR inv.status = 'revoked'
       OR (inv.status = 'pending' AND NOT public.invitation_sender_admin(inv.organization_id, inv.invited_by)) THEN
        RAISE EXCEPTION 'invitation not found' USING ERRCODE = 'no_data_found', CONSTRAINT = 'invitation_unknown';
    ELSIF inv.status = 'accepted' THEN
        RAISE EXCEPTION 'invitation already accepted' USING ERRCODE = 'check_violation', CONSTRAINT = 'invitation_used';
    ELSIF inv.expires_at <= now() THEN
        RAISE EXCEPTION 'invitation expired' USING ERRCODE = 'check_violation', CONSTRAINT = 'invitation_expired';
    END IF;
    IF p_user IS NOT NULL THEN
        SELECT u.id INTO who FROM public.users u WHERE u.id = p_user AND u.email = inv.email AND u.is_active;
        IF who IS NULL THEN
            RAISE EXCEPTION 'signed in as someone else' USING ERRCODE = 'check_violation', CONSTRAINT = 'invitation_other_person';
        END IF;
    ELSE
        IF EXISTS (SELECT 1 FROM public.users u WHERE u.email = inv.email) THEN
            RAISE EXCEPTION 'sign in to accept' USING ERRCODE = 'check_violation', CONSTRAINT = 'invitation_needs_sign_in';
        END IF;
        IF p_verified_email IS NOT NULL AND pg_catalog.lower(p_verified_email) <> inv.email THEN
            RAISE EXCEPTION 'signed in as someone else' USING ERRCODE = 'check_violation', CONSTRAINT = 'invitation_other_person';
        END IF;
        IF p_verified_email IS NULL AND p_password_hash IS NULL THEN
            RAISE EXCEPTION 'a password is needed' USING ERRCODE = 'check_violation', CONSTRAINT = 'invitation_needs_password';
        END IF;
        INSERT INTO public.users (email, full_name, password_hash, auth_provider)
        VALUES (inv.email, p_full_name, p_password_hash,
                CASE WHEN p_password_hash IS NULL THEN 'supabase' ELSE 'password' END)
        RETURNING id INTO who;
    END IF;
    INSERT INTO public.user_organizations (user_id, organization_id, role, is_default)
    VALUES (who, inv.organization_id, inv.role,
            NOT EXISTS (SELECT 1 FROM public.user_organizations m WHERE m.user_id = who AND m.status = 'active'))
    ON CONFLICT ON CONSTRAINT user_organizations_pkey DO UPDATE
       SET status = 'active', removed_at = NULL, role = EXCLUDED.role
     WHERE user_organizations.status = 'removed';
    UPDATE public.invitations SET status = 'accepted', accepted_at = now(), accepted_by = who
     WHERE id = inv.id;
    RETURN QUERY SELECT who, inv.organization_id;
END $$;
REVOKE ALL ON FUNCTION auth_invitation(bytea), auth_accept_invitation(bytea, uuid, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_invitation(bytea), auth_accept_invitation(bytea, uuid, text, text, text) TO docket_app;

-- ───────────────────────────── passwords ─────────────────────────────
CREATE TABLE password_resets (
    token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);
ALTER TABLE password_resets ENABLE ROW LEVEL SECURITY;   -- no policy: the application reads none

-- Start a reset for an active e-mail + password account: the user and their name, or no row
-- (the caller answers the same either way).
CREATE FUNCTION auth_start_password_reset(p_email text, p_token_hash bytea, p_valid_seconds integer)
RETURNS TABLE (user_id uuid, full_name text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    INSERT INTO public.password_resets (token_hash, user_id, expires_at)
    SELECT p_token_hash, u.id, now() + make_interval(secs => p_valid_seconds)
      FROM public.users u
     WHERE u.email = pg_catalog.lower(p_email) AND u.is_active AND u.password_hash IS NOT NULL
    RETURNING user_id, (SELECT u.full_name FROM public.users u WHERE u.id = user_id)
$$;

-- Finish a reset: the link is used once, before it expires; every other open link of the user
-- is spent too. Returns the user.
CREATE FUNCTION auth_finish_password_reset(p_token_hash bytea, p_password_hash text)
RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    who uuid;
BEGIN
    SELECT r.user_id INTO who FROM public.password_resets r JOIN public.users u ON u.id = r.user_id
     WHERE r.token_hash = p_token_hash AND r.used_at IS NULL AND r.expires_at > now() AND u.is_active
       FOR UPDATE OF r;
    IF who IS NULL THEN
        RAISE EXCEPTION 'reset link not valid' USING ERRCODE = 'check_violation', CONSTRAINT = 'reset_link_invalid';
    END IF;
    UPDATE public.password_resets SET used_at = now() WHERE user_id = who AND used_at IS NULL;
    UPDATE public.users SET password_hash = p_password_hash, auth_provider = 'password' WHERE id = who;
    RETURN who;
END $$;

-- The signed-in user's new password (the application checked the current one).
CREATE FUNCTION auth_set_own_password(p_password_hash text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF public.app_current_user() IS NULL THEN
        RAISE EXCEPTION 'nobody is signed in' USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE public.users SET password_hash = p_password_hash WHERE id = public.app_current_user() AND is_active;
    -- Links asked for before the change stop working.
    UPDATE public.password_resets SET used_at = now()
     WHERE user_id = public.app_current_user() AND used_at IS NULL;
END $$;
REVOKE ALL ON FUNCTION auth_start_password_reset(text, bytea, integer),
    auth_finish_password_reset(bytea, text), auth_set_own_password(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_start_password_reset(text, bytea, integer),
    auth_finish_password_reset(bytea, text), auth_set_own_password(text) TO docket_app;

-- ───────────────────────────── another firm ─────────────────────────────
-- The signed-in user creates a firm and becomes its administrator. The slug is made from the
-- name, with a number when taken.
CREATE FUNCTION app_create_firm(p_name text, p_timezone text, p_currency text)
RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    who uuid := public.app_current_user();
    base text;
    candidate text;
    n integer := 1;
    firm uuid;
BEGIN
    IF who IS NULL OR NOT EXISTS (SELECT 1 FROM public.users u WHERE u.id = who AND u.is_active) THEN
        RAISE EXCEPTION 'nobody is signed in' USING ERRCODE = 'insufficient_privilege';
    END IF;
    base := left(trim(both '-' from regexp_replace(lower(p_name), '[^a-z0-9]+', '-', 'g')), 50);
    IF length(base) < 2 THEN
        base := 'firm';
    END IF;
    candidate := base;
    WHILE EXISTS (SELECT 1 FROM public.organizations o WHERE o.slug = candidate) LOOP
        n := n + 1;
        candidate := base || '-' || n;
    END LOOP;
    INSERT INTO public.organizations (name, slug, timezone, currency)
    VALUES (p_name, candidate, p_timezone, p_currency)
    RETURNING id INTO firm;
    INSERT INTO public.user_organizations (user_id, organization_id, role, is_default)
    VALUES (who, firm, 'admin', false);
    RETURN firm;
END $$;
REVOKE ALL ON FUNCTION app_create_firm(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_create_firm(text, text, text) TO docket_app;

-- ───────────────────────────── one's own name ─────────────────────────────
-- A person changes their own name (and the sign-in time is their own row's too): the update
-- policy pins both to the caller's row, whoever else's row the firm lets them read.
GRANT UPDATE (full_name) ON users TO docket_app;
CREATE POLICY user_update_own ON users AS RESTRICTIVE FOR UPDATE
    USING (id = app_current_user()) WITH CHECK (id = app_current_user());
