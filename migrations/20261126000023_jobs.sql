-- Docket schema, step 23: background jobs that survive restarts and replicas, and e-mail with
-- attachments from a firm's own sender address.
--
-- A job is a row first, written in the transaction of the operation that asks for it (or by a
-- schedule's firing), then run by a worker in any replica that claims it under a lease, the way
-- the outbox is sent. Two replicas never run one job at once (`FOR UPDATE SKIP LOCKED`); a
-- process that dies mid-job gives its claim up when the lease runs out, and the job runs again
-- (handlers are idempotent). A failure is retried with exponential backoff; after `max_attempts`
-- the job is dead, keeping its last error, until an administrator retries it.

CREATE TABLE jobs (
    id               uuid PRIMARY KEY DEFAULT uuid_v7(),
    organization_id  uuid REFERENCES organizations (id) ON DELETE CASCADE,
    kind             text NOT NULL CHECK (kind ~ '^[a-z_]{1,40}$'),
    -- At most one job per key, ever: a schedule's period (`monthly_report:{firm}:2026-10`) or a
    -- request that must not be made twice.
    unique_key       text CHECK (length(unique_key) BETWEEN 1 AND 200),
    payload          jsonb NOT NULL DEFAULT '{}',
    -- Whose rights the job runs with (the person who asked for it); NULL: the firm's own work,
    -- which the handler runs as each person it is for.
    run_as           uuid REFERENCES users (id) ON DELETE SET NULL,
    -- The matter it is about, if any: a job is walled off with its matter (its subject names
    -- the invoice, its result the address).
    matter_id        uuid,
    status           text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'dead')),
    attempts         integer NOT NULL DEFAULT 0,
    max_attempts     integer NOT NULL DEFAULT 5 CHECK (max_attempts BETWEEN 1 AND 25),
    run_at           timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz,
    locked_by        text,
    last_error       text,
    -- What the last successful run said it did ("sent to ap@client.test").
    outcome          text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    CHECK ((status = 'running') = (lease_until IS NOT NULL))
);
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key) WHERE unique_key IS NOT NULL;
CREATE INDEX jobs_due ON jobs (run_at) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_org_recent ON jobs (organization_id, id DESC);
CREATE INDEX jobs_org_failed ON jobs (organization_id, id DESC) WHERE status = 'dead' OR (status = 'queued' AND attempts > 0);

-- The application adds its firm's jobs and reads them (the Jobs page is an administrator's; the
-- app checks the role). Claiming, settling and retrying go through the functions below.
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON jobs
    USING (organization_id = app_current_org())
    WITH CHECK (organization_id = app_current_org());
CREATE POLICY wall ON jobs AS RESTRICTIVE
    USING (matter_id IS NULL OR matter_id <> ALL ((SELECT app_hidden_matters())::uuid[]));
-- A job asked for by a request runs with the rights of the person asking, never another's.
CREATE POLICY own_rights ON jobs AS RESTRICTIVE FOR INSERT
    WITH CHECK (run_as IS NULL OR run_as = app_current_user());
GRANT SELECT, INSERT ON jobs TO docket_app;

-- Claim up to `p_limit` due jobs of the kinds `p_kinds` (those this release runs: during a
-- rolling upgrade an older replica leaves a newer kind to the newer ones) for `p_lease_seconds`
-- as worker `p_worker`. A job whose lease ran out (its process died) is due again; one that ran
-- out on its last attempt is dead.
CREATE FUNCTION job_claim(p_worker text, p_limit integer, p_lease_seconds integer, p_kinds text[])
RETURNS TABLE (id uuid, organization_id uuid, kind text, payload jsonb, run_as uuid,
               attempts integer, max_attempts integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    UPDATE public.jobs j
       SET status = 'dead', lease_until = NULL, finished_at = now(),
           last_error = coalesce(j.last_error || ' · ', '') || 'the process running it stopped (lease expired on the last attempt)'
     WHERE j.status = 'running' AND j.lease_until < now() AND j.attempts >= j.max_attempts;
    RETURN QUERY
    UPDATE public.jobs j
       SET status = 'running', lease_until = now() + make_interval(secs => p_lease_seconds),
           locked_by = p_worker, attempts = j.attempts + 1
     WHERE j.id IN (SELECT o.id FROM public.jobs o
                     WHERE o.run_at <= now() AND o.kind = ANY (p_kinds)
                       AND (o.status = 'queued' OR (o.status = 'running' AND o.lease_until < now()))
                     ORDER BY o.run_at
                     LIMIT p_limit FOR UPDATE SKIP LOCKED)
    RETURNING j.id, j.organization_id, j.kind, j.payload, j.run_as, j.attempts, j.max_attempts;
END
$$;

-- A running job's claim, renewed while it runs (a long job keeps its lease); false when the
-- claim is no longer this worker's.
CREATE FUNCTION job_extend(p_id uuid, p_worker text, p_lease_seconds integer) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    WITH renewed AS (
        UPDATE public.jobs j SET lease_until = now() + make_interval(secs => p_lease_seconds)
         WHERE j.id = p_id AND j.status = 'running' AND j.locked_by = p_worker AND j.lease_until > now()
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM renewed)
$$;

-- The outcome of one attempt: done (`p_error` NULL), or queued again after a backoff (30 s,
-- 1 min, 2 min, … at most 6 hours; `p_retry_in` for a handler that knows better), or dead
-- after `max_attempts` (or at once, `p_give_up`: retrying cannot help) with the error kept. Only while this worker's claim holds: an outcome
-- recorded after the lease ran out is ignored (the job may be running elsewhere). False: ignored.
CREATE FUNCTION job_settle(p_id uuid, p_worker text, p_error text, p_outcome text, p_give_up boolean)
RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    WITH settled AS (
        UPDATE public.jobs j
           SET status = CASE WHEN p_error IS NULL THEN 'done'
                             WHEN p_give_up OR j.attempts >= j.max_attempts THEN 'dead'
                             ELSE 'queued' END,
               lease_until = NULL,
               finished_at = CASE WHEN p_error IS NULL OR p_give_up OR j.attempts >= j.max_attempts THEN now() END,
               run_at = CASE WHEN p_error IS NULL OR p_give_up OR j.attempts >= j.max_attempts THEN j.run_at
                             ELSE now() + least(interval '6 hours',
                                                interval '30 seconds' * power(2, greatest(j.attempts - 1, 0))) END,
               last_error = CASE WHEN p_error IS NULL THEN j.last_error ELSE left(p_error, 2000) END,
               outcome = CASE WHEN p_error IS NULL THEN left(p_outcome, 500) ELSE j.outcome END
         WHERE j.id = p_id AND j.status = 'running' AND j.locked_by = p_worker AND j.lease_until > now()
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM settled)
$$;

-- An administrator of the job's firm runs a dead (or failing) job again, now, with its
-- attempts counted afresh. False: not such a job of the caller's firm.
CREATE FUNCTION job_retry(p_id uuid) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    WITH retried AS (
        UPDATE public.jobs j
           SET status = 'queued', attempts = 0, run_at = now(), finished_at = NULL
         WHERE j.id = p_id AND j.organization_id = public.app_current_org()
           AND (j.status = 'dead' OR (j.status = 'queued' AND j.attempts > 0))
           AND EXISTS (SELECT 1 FROM public.user_organizations uo JOIN public.users u ON u.id = uo.user_id
                        WHERE uo.organization_id = j.organization_id AND uo.user_id = public.app_current_user()
                          AND uo.status = 'active' AND uo.role = 'admin' AND u.is_active)
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM retried)
$$;

-- The firms' schedules: every firing of the process's scheduler (every few minutes, in every
-- replica) asks for each firm's jobs of the periods that have begun in the firm's own time zone.
-- A period's job has a unique key, so however many replicas fire, and however often, each period
-- has exactly one job.
--   monthly_report  the month before, from 06:00 on the 1st (and up to the 3rd, for a firm
--                   whose replicas were all down on the 1st);
--   daily_digest    the day, from 07:00.
-- `job_schedule_at` fires at a moment of the caller's choosing (the schema owner's: tests, and an
-- operator making up a missed firing); the application fires now only, so it cannot make a
-- future period's job early (whose key would then keep the real one out).
CREATE FUNCTION job_schedule_at(p_now timestamptz) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE added integer;
BEGIN
    WITH firms AS (
        SELECT o.id, (p_now AT TIME ZONE o.timezone) AS local FROM public.organizations o
    ), due AS (
        SELECT f.id AS org, 'monthly_report' AS kind, 'period' AS field,
               to_char(date_trunc('month', f.local) - interval '1 month', 'YYYY-MM') AS period
          FROM firms f
         WHERE extract(day FROM f.local) BETWEEN 1 AND 3
           AND f.local >= date_trunc('month', f.local) + interval '6 hours'
        UNION ALL
        SELECT f.id, 'daily_digest', 'day', to_char(f.local, 'YYYY-MM-DD')
          FROM firms f
         WHERE f.local >= date_trunc('day', f.local) + interval '7 hours'
    ), added AS (
        INSERT INTO public.jobs (organization_id, kind, unique_key, payload)
        SELECT d.org, d.kind, d.kind || ':' || d.org || ':' || d.period, jsonb_build_object(d.field, d.period)
          FROM due d
        ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL DO NOTHING
        RETURNING 1)
    SELECT count(*) INTO added FROM added;
    RETURN added;
END
$$;
REVOKE ALL ON FUNCTION job_schedule_at(timestamptz) FROM PUBLIC;
CREATE FUNCTION job_schedule() RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT public.job_schedule_at(now())
$$;

REVOKE ALL ON FUNCTION job_claim(text, integer, integer, text[]), job_extend(uuid, text, integer),
    job_settle(uuid, text, text, text, boolean), job_retry(uuid), job_schedule() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION job_claim(text, integer, integer, text[]), job_extend(uuid, text, integer),
    job_settle(uuid, text, text, text, boolean), job_retry(uuid), job_schedule() TO docket_app;

-- ───────────────────────────── e-mail ─────────────────────────────
-- A firm's own sender address (NULL: the server's MAIL_FROM), and files attached to a message.
ALTER TABLE organizations ADD COLUMN mail_from text
    CHECK (mail_from IS NULL OR (position('@' in mail_from) > 1 AND length(mail_from) <= 254));
GRANT UPDATE (mail_from) ON organizations TO docket_app;
ALTER TABLE mail_outbox ADD COLUMN from_address text
    CHECK (from_address IS NULL OR (position('@' in from_address) > 1 AND length(from_address) <= 254));
-- The job that wrote a message: a job run again (its process died after writing it) finds its
-- message already there and sends nothing twice.
ALTER TABLE mail_outbox ADD COLUMN job_id uuid REFERENCES jobs (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX mail_outbox_once_per_job ON mail_outbox (job_id, to_address) WHERE job_id IS NOT NULL;
-- Whether a job of the caller's firm already wrote its message to `p_to` (the app cannot read
-- the outbox: messages carry sign-in links).
CREATE FUNCTION mail_written_by_job(p_job uuid, p_to text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM public.mail_outbox m
                    WHERE m.job_id = p_job AND m.to_address = p_to
                      AND m.organization_id = public.app_current_org())
$$;
REVOKE ALL ON FUNCTION mail_written_by_job(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mail_written_by_job(uuid, text) TO docket_app;

ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_id_org UNIQUE (id, organization_id);
CREATE TABLE mail_attachments (
    mail_id          uuid NOT NULL,
    organization_id  uuid NOT NULL,
    position         integer NOT NULL,
    filename         text NOT NULL CHECK (filename ~ '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$'),
    content_type     text NOT NULL CHECK (content_type ~ '^[a-z]+/[a-z0-9.+-]+$'),
    content          bytea NOT NULL CHECK (length(content) <= 10 * 1024 * 1024),
    PRIMARY KEY (mail_id, position),
    FOREIGN KEY (mail_id, organization_id) REFERENCES mail_outbox (id, organization_id) ON DELETE CASCADE
);
-- Added with its firm's message, in the same transaction; never read back by the app.
ALTER TABLE mail_attachments ENABLE ROW LEVEL SECURITY;
CREATE POLICY mail_attach ON mail_attachments FOR INSERT
    WITH CHECK (organization_id = app_current_org());
GRANT INSERT ON mail_attachments TO docket_app;

-- A claimed message's sender and attachments, while the claim holds.
CREATE FUNCTION mail_extras(p_id uuid)
RETURNS TABLE (from_address text, filename text, content_type text, content bytea)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT m.from_address, a.filename, a.content_type, a.content
      FROM public.mail_outbox m LEFT JOIN public.mail_attachments a ON a.mail_id = m.id
     WHERE m.id = p_id AND m.sent_at IS NULL AND m.lease_until > now()
     ORDER BY a.position
$$;
REVOKE ALL ON FUNCTION mail_extras(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mail_extras(uuid) TO docket_app;

-- A sent or abandoned message's files are not kept (the invoice is on record; its PDF is made
-- again on request).
CREATE FUNCTION mail_attachments_forget() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    DELETE FROM public.mail_attachments WHERE mail_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER mail_attachments_forget AFTER UPDATE OF sent_at, dead_at ON mail_outbox
    FOR EACH ROW WHEN (NEW.sent_at IS NOT NULL OR NEW.dead_at IS NOT NULL)
    EXECUTE FUNCTION mail_attachments_forget();
