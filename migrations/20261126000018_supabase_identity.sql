-- Docket schema, step 18: a Supabase identity stays linked to the Docket account it first
-- signed in as.
--
-- The first sign-in through Supabase links by verified e-mail and stores Supabase's user id
-- (`sub`). From then on that identity signs in as this account even after its address changes
-- at Supabase, and another Supabase identity that later shows the same address (an account
-- deleted and made again, a provider that reassigns addresses) is refused.
ALTER TABLE users ADD COLUMN supabase_sub text UNIQUE CHECK (length(supabase_sub) BETWEEN 1 AND 200);

-- Before any firm or user is known: the account of a Supabase identity, linking it by e-mail on
-- its first sign-in. `linked` is false when the account found by e-mail is linked to another
-- identity (the caller refuses the sign-in). No row: no account for either.
CREATE FUNCTION auth_supabase_user(p_sub text, p_email text)
RETURNS TABLE (id uuid, is_active boolean, linked boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    acct public.users%ROWTYPE;
BEGIN
    SELECT * INTO acct FROM public.users u WHERE u.supabase_sub = p_sub;
    IF FOUND THEN
        RETURN QUERY SELECT acct.id, acct.is_active, true;
        RETURN;
    END IF;
    SELECT * INTO acct FROM public.users u WHERE u.email = pg_catalog.lower(p_email) FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF acct.supabase_sub IS NULL THEN
        UPDATE public.users SET supabase_sub = p_sub WHERE users.id = acct.id;
        RETURN QUERY SELECT acct.id, acct.is_active, true;
    ELSE
        -- (The same identity's concurrent first sign-in linked it meanwhile: still ours.)
        RETURN QUERY SELECT acct.id, acct.is_active, acct.supabase_sub = p_sub;
    END IF;
END $$;
REVOKE ALL ON FUNCTION auth_supabase_user(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_supabase_user(text, text) TO docket_app;

-- A new password (a reset by e-mail, or a change) unlinks the Supabase identity: someone who
-- recovers their account takes it back from an identity linked while they had lost it. The next
-- sign-in through Supabase links by verified e-mail again.
CREATE FUNCTION users_unlink_on_password() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.supabase_sub := NULL;
    RETURN NEW;
END $$;
CREATE TRIGGER users_unlink_on_password BEFORE UPDATE OF password_hash ON users
    FOR EACH ROW WHEN (NEW.password_hash IS DISTINCT FROM OLD.password_hash)
    EXECUTE FUNCTION users_unlink_on_password();
