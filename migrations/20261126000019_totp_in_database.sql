-- Docket schema, step 19: authenticator secrets never leave the database.
--
-- Step 15 let the app role read a person's TOTP secret to check a code against it. Now the
-- database checks codes itself (RFC 6238: HMAC-SHA1 over the 30-second step, from pgcrypto): the
-- app hands over the code typed and learns only whether it was right. A secret goes in once, at
-- setup (the person's app needs it), and never comes back out.
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;
DO $$
BEGIN
    -- Installed before into another schema, the functions below would fail at every sign-in.
    IF (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'pgcrypto') <> 'public' THEN
        RAISE EXCEPTION 'pgcrypto is installed outside the public schema: move it (ALTER EXTENSION pgcrypto SET SCHEMA public) and migrate again';
    END IF;
END $$;

-- The 6-digit code of a secret at one step.
CREATE FUNCTION totp_code(p_secret bytea, p_step bigint) RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    h bytea := public.hmac(pg_catalog.int8send(p_step), p_secret, 'sha1');
    o integer := pg_catalog.get_byte(h, 19) & 15;
BEGIN
    RETURN ((((pg_catalog.get_byte(h, o) & 127)::bigint << 24)
            | (pg_catalog.get_byte(h, o + 1)::bigint << 16)
            | (pg_catalog.get_byte(h, o + 2)::bigint << 8)
            | pg_catalog.get_byte(h, o + 3)::bigint) % 1000000)::integer;
END $$;
REVOKE ALL ON FUNCTION totp_code(bytea, bigint) FROM PUBLIC;

-- The step a typed code belongs to (the one of `p_now`, in Unix seconds, or one either side),
-- if it is the secret's code there. Spaces in what was typed do not count.
CREATE FUNCTION totp_matching_step(p_secret bytea, p_typed text, p_now bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT v.s
      FROM (SELECT pg_catalog.regexp_replace(p_typed, '\s', '', 'g') AS d) t,
           (VALUES (p_now / 30 - 1), (p_now / 30), (p_now / 30 + 1)) AS v(s)
     WHERE t.d ~ '^[0-9]{6}$' AND public.totp_code(p_secret, v.s) = t.d::integer
     ORDER BY v.s
     LIMIT 1
$$;
REVOKE ALL ON FUNCTION totp_matching_step(bytea, text, bigint) FROM PUBLIC;

-- Whether a person has an authenticator (confirmed or waiting for its first code): no secret.
DROP FUNCTION auth_totp_state(uuid);
CREATE FUNCTION auth_totp_state(p_user uuid)
RETURNS TABLE (confirmed boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT t.confirmed_at IS NOT NULL FROM public.user_totp t WHERE t.user_id = p_user
$$;

-- A code typed at sign-in (or to turn two-factor off): right for the person's confirmed
-- authenticator, and of a later step than the last one used (each code works once).
DROP FUNCTION auth_totp_use(uuid, bigint);
CREATE FUNCTION auth_totp_spend(p_user uuid, p_typed text, p_now bigint)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    step bigint;
BEGIN
    SELECT public.totp_matching_step(t.secret, p_typed, p_now) INTO step
      FROM public.user_totp t
     WHERE t.user_id = p_user AND t.confirmed_at IS NOT NULL
       FOR UPDATE;
    IF step IS NULL THEN
        RETURN false;
    END IF;
    UPDATE public.user_totp SET last_step = step WHERE user_id = p_user AND last_step < step;
    RETURN FOUND;
END $$;

-- The signed-in person confirms their new authenticator with its code, and gets new recovery
-- codes (their digests). 'ok', 'wrong' (not the code), or 'none' (no setup is waiting).
DROP FUNCTION auth_totp_confirm(bigint, bytea[]);
CREATE FUNCTION auth_totp_confirm(p_typed text, p_now bigint, p_codes bytea[])
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    who uuid := public.app_current_user();
    pending bytea;
    step bigint;
BEGIN
    SELECT t.secret INTO pending FROM public.user_totp t
     WHERE t.user_id = who AND t.confirmed_at IS NULL
       FOR UPDATE;
    IF pending IS NULL THEN
        RETURN 'none';
    END IF;
    step := public.totp_matching_step(pending, p_typed, p_now);
    IF step IS NULL THEN
        RETURN 'wrong';
    END IF;
    UPDATE public.user_totp SET confirmed_at = now(), last_step = step WHERE user_id = who;
    DELETE FROM public.user_recovery_codes WHERE user_id = who;
    INSERT INTO public.user_recovery_codes (user_id, code_hash) SELECT who, c FROM unnest(p_codes) c;
    RETURN 'ok';
END $$;

REVOKE ALL ON FUNCTION auth_totp_state(uuid), auth_totp_spend(uuid, text, bigint),
    auth_totp_confirm(text, bigint, bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_totp_state(uuid), auth_totp_spend(uuid, text, bigint),
    auth_totp_confirm(text, bigint, bytea[]) TO docket_app;
