-- Docket schema, step 15: two-factor sign-in (TOTP with recovery codes) for e-mail + password
-- accounts, and a firm setting that requires it. The secrets and code digests are readable and
-- writable through the functions below only: the application role has no privilege on the
-- tables.

CREATE TABLE user_totp (
    user_id       uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret        bytea NOT NULL CHECK (length(secret) BETWEEN 16 AND 64),
    confirmed_at  timestamptz,
    -- The last 30-second step whose code was used: a code works once.
    last_step     bigint NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE user_totp ENABLE ROW LEVEL SECURITY;

CREATE TABLE user_recovery_codes (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  bytea NOT NULL CHECK (length(code_hash) = 32),
    used_at    timestamptz,
    PRIMARY KEY (user_id, code_hash)
);
ALTER TABLE user_recovery_codes ENABLE ROW LEVEL SECURITY;

ALTER TABLE organizations ADD COLUMN require_two_factor boolean NOT NULL DEFAULT false;
GRANT UPDATE (require_two_factor) ON organizations TO docket_app;

-- The second factor of a user who proved their password (no session exists yet): the secret,
-- whether it is confirmed, and the last step used.
CREATE FUNCTION auth_totp_state(p_user uuid)
RETURNS TABLE (secret bytea, confirmed boolean, last_step bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT t.secret, t.confirmed_at IS NOT NULL, t.last_step FROM public.user_totp t WHERE t.user_id = p_user
$$;

-- Spend the code of `p_step` (true), unless that step or a later one was used already.
CREATE FUNCTION auth_totp_use(p_user uuid, p_step bigint)
RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    WITH used AS (
        UPDATE public.user_totp SET last_step = p_step
         WHERE user_id = p_user AND confirmed_at IS NOT NULL AND last_step < p_step
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM used)
$$;

-- Spend a recovery code (true), if it is the user's and unused.
CREATE FUNCTION auth_recovery_use(p_user uuid, p_hash bytea)
RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    WITH used AS (
        UPDATE public.user_recovery_codes SET used_at = now()
         WHERE user_id = p_user AND code_hash = p_hash AND used_at IS NULL
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM used)
$$;

-- The signed-in user starts setting up an authenticator (replacing an unconfirmed one; one
-- already confirmed stays until turned off).
CREATE FUNCTION auth_totp_begin(p_secret bytea)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    who uuid := public.app_current_user();
BEGIN
    IF who IS NULL THEN
        RAISE EXCEPTION 'nobody is signed in' USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO public.user_totp (user_id, secret) VALUES (who, p_secret)
    ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, created_at = now()
     WHERE user_totp.confirmed_at IS NULL;
    RETURN FOUND;
END $$;

-- …and confirms it with a code of `p_step` (checked by the caller against the secret), getting
-- new recovery codes (their digests).
CREATE FUNCTION auth_totp_confirm(p_step bigint, p_codes bytea[])
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    who uuid := public.app_current_user();
BEGIN
    UPDATE public.user_totp SET confirmed_at = now(), last_step = p_step
     WHERE user_id = who AND confirmed_at IS NULL;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    DELETE FROM public.user_recovery_codes WHERE user_id = who;
    INSERT INTO public.user_recovery_codes (user_id, code_hash) SELECT who, c FROM unnest(p_codes) c;
    RETURN true;
END $$;

-- The signed-in user turns two-factor sign-in off (the caller checked a current code).
CREATE FUNCTION auth_totp_disable()
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    DELETE FROM public.user_recovery_codes WHERE user_id = public.app_current_user();
    DELETE FROM public.user_totp WHERE user_id = public.app_current_user();
$$;

-- How many unused recovery codes the signed-in user has left.
CREATE FUNCTION auth_recovery_left()
RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT count(*)::integer FROM public.user_recovery_codes
     WHERE user_id = public.app_current_user() AND used_at IS NULL
$$;

REVOKE ALL ON FUNCTION auth_totp_state(uuid), auth_totp_use(uuid, bigint), auth_recovery_use(uuid, bytea),
    auth_totp_begin(bytea), auth_totp_confirm(bigint, bytea[]), auth_totp_disable(), auth_recovery_left() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_totp_state(uuid), auth_totp_use(uuid, bigint), auth_recovery_use(uuid, bytea),
    auth_totp_begin(bytea), auth_totp_confirm(bigint, bytea[]), auth_totp_disable(), auth_recovery_left() TO docket_app;

-- Only an active administrator of the firm changes its two-factor rule, whatever the application
-- checks.
CREATE FUNCTION two_factor_rule_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.require_two_factor IS DISTINCT FROM OLD.require_two_factor
       AND current_user = 'docket_app'
       AND NOT EXISTS (SELECT 1 FROM user_organizations a JOIN users u ON u.id = a.user_id
                        WHERE a.organization_id = NEW.id AND a.user_id = app_current_user()
                          AND a.role = 'admin' AND a.status = 'active' AND u.is_active) THEN
        RAISE EXCEPTION 'only an administrator sets the two-factor rule'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER two_factor_rule_guard BEFORE UPDATE OF require_two_factor ON organizations
    FOR EACH ROW EXECUTE FUNCTION two_factor_rule_guard();
