-- Docket schema, step 25: documents. A matter's files, in folders, each with every version it
-- ever had. The bytes live in the storage (a folder, or S3-compatible object storage) under a key
-- the server makes: organization/matter/version id. They are written first and the rows after,
-- in one transaction, so a row never points at bytes that are not there; bytes no row names are
-- removed by a sweep (`document_keys_known`).

-- The foundation's table was never written: it is reshaped here, and this refuses to run if it
-- holds rows.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM documents) THEN
        RAISE EXCEPTION 'documents holds rows: this migration expects the unused foundation table';
    END IF;
END $$;

-- ───────────────────────────── folders ─────────────────────────────
-- One level of folders per matter ("Pleadings", "Correspondence"); a document outside any folder
-- sits at the matter's top level.
CREATE TABLE document_folders (
    id               uuid PRIMARY KEY DEFAULT uuid_v7(),
    organization_id  uuid NOT NULL,
    matter_id        uuid NOT NULL,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 120 AND name = btrim(name)),
    created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, matter_id, id),
    FOREIGN KEY (organization_id, matter_id) REFERENCES matters (organization_id, id),
    FOREIGN KEY (organization_id) REFERENCES organizations (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX document_folders_name ON document_folders (organization_id, matter_id, lower(name));
SELECT manage_updated_at('document_folders');

-- ───────────────────────────── documents ─────────────────────────────
ALTER TABLE documents
    DROP COLUMN content_type,
    DROP COLUMN size_bytes,
    DROP COLUMN storage_key,
    DROP COLUMN sha256,
    ALTER COLUMN id SET DEFAULT uuid_v7(),
    ADD COLUMN folder_id uuid,
    -- The newest version's number (the default download).
    ADD COLUMN latest integer NOT NULL DEFAULT 0 CHECK (latest >= 0),
    -- Deleted documents stay restorable until an administrator purges them.
    ADD COLUMN deleted_at timestamptz,
    ADD COLUMN deleted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD CONSTRAINT documents_org_matter_id UNIQUE (organization_id, matter_id, id),
    -- A folder of the document's own matter, never another's.
    ADD CONSTRAINT documents_folder FOREIGN KEY (organization_id, matter_id, folder_id)
        REFERENCES document_folders (organization_id, matter_id, id),
    ADD CONSTRAINT documents_filename_clean CHECK (filename = btrim(filename) AND filename !~ '[/\\[:cntrl:]]');
SELECT manage_row_version('documents');
CREATE INDEX documents_folder_idx ON documents (organization_id, matter_id, folder_id, lower(filename))
    WHERE deleted_at IS NULL;
CREATE INDEX documents_deleted_idx ON documents (organization_id, deleted_at) WHERE deleted_at IS NOT NULL;

-- ───────────────────────────── versions ─────────────────────────────
-- Immutable once written: who uploaded what, when, its size, the type read from its bytes and
-- its SHA-256. The storage key is the firm's, the matter's and the version's own id, so a row can
-- never name another firm's bytes.
CREATE TABLE document_versions (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    matter_id        uuid NOT NULL,
    document_id      uuid NOT NULL,
    number           integer NOT NULL CHECK (number >= 1),
    original_name    text NOT NULL CHECK (length(original_name) BETWEEN 1 AND 255),
    content_type     text NOT NULL CHECK (length(content_type) BETWEEN 3 AND 127),
    size_bytes       bigint NOT NULL CHECK (size_bytes >= 0),
    sha256           text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    storage_key      text NOT NULL UNIQUE,
    uploaded_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (document_id, number),
    FOREIGN KEY (organization_id, matter_id, document_id)
        REFERENCES documents (organization_id, matter_id, id) ON DELETE CASCADE,
    CHECK (storage_key = organization_id::text || '/' || matter_id::text || '/' || id::text)
);
CREATE INDEX document_versions_doc_idx ON document_versions (organization_id, document_id, number DESC);

-- A version is the document's next: its number is one more than the newest, which it becomes.
CREATE FUNCTION document_versions_next() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE newest integer;
BEGIN
    SELECT latest INTO newest FROM public.documents
     WHERE id = NEW.document_id AND organization_id = NEW.organization_id
       AND matter_id = NEW.matter_id FOR UPDATE;
    IF newest IS NULL OR NEW.number <> newest + 1 THEN
        RAISE EXCEPTION 'version % of document % follows %', NEW.number, NEW.document_id, newest
            USING ERRCODE = '40001', CONSTRAINT = 'document_versions_next';
    END IF;
    UPDATE public.documents SET latest = NEW.number
     WHERE id = NEW.document_id AND organization_id = NEW.organization_id;
    RETURN NEW;
END $$;
CREATE TRIGGER document_versions_next BEFORE INSERT ON document_versions
    FOR EACH ROW EXECUTE FUNCTION document_versions_next();

-- ───────────────────────────── the firm's limits ─────────────────────────────
ALTER TABLE organizations
    ADD COLUMN document_max_mb integer NOT NULL DEFAULT 100 CHECK (document_max_mb BETWEEN 1 AND 2048),
    ADD COLUMN document_kinds text[] NOT NULL
        DEFAULT '{pdf,word,spreadsheet,presentation,text,image,email}'
        CHECK (document_kinds <@ '{pdf,word,spreadsheet,presentation,text,image,email,archive,other}'::text[]);
GRANT UPDATE (document_max_mb, document_kinds) ON organizations TO docket_app;

-- ───────────────────────────── isolation ─────────────────────────────
ALTER TABLE document_folders ENABLE ROW LEVEL SECURITY;
ALTER TABLE document_versions ENABLE ROW LEVEL SECURITY;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['document_folders', 'document_versions']
    LOOP
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
                          USING (organization_id = app_current_org())
                          WITH CHECK (organization_id = app_current_org())', t);
        EXECUTE format('CREATE POLICY wall ON %I AS RESTRICTIVE
                          USING (matter_id <> ALL ((SELECT app_hidden_matters())::uuid[]))', t);
    END LOOP;
END $$;

-- The app adds, renames, moves, deletes softly and restores; versions are only added. Purging
-- is an administrator's, through `document_purge`.
REVOKE UPDATE ON documents FROM docket_app;
GRANT UPDATE (filename, folder_id, deleted_at, deleted_by, updated_at) ON documents TO docket_app;
GRANT SELECT, INSERT, UPDATE (name, updated_at), DELETE ON document_folders TO docket_app;
GRANT SELECT, INSERT ON document_versions TO docket_app;

-- An administrator removes a deleted document for good. Returns the storage keys of its
-- versions, for the caller to delete after commit (bytes left behind are swept).
CREATE FUNCTION document_purge(p_id uuid) RETURNS SETOF text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE org uuid := public.app_current_org();
BEGIN
    IF NOT EXISTS (SELECT 1 FROM public.user_organizations uo
                     JOIN public.users u ON u.id = uo.user_id
                    WHERE uo.organization_id = org AND uo.user_id = public.app_current_user()
                      AND uo.role = 'admin' AND uo.status = 'active' AND u.is_active) THEN
        RAISE EXCEPTION 'only an administrator purges documents' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
        WITH gone AS (
            DELETE FROM public.documents d
             WHERE d.id = p_id AND d.organization_id = org AND d.deleted_at IS NOT NULL
               AND d.matter_id <> ALL (public.app_hidden_matters())
            RETURNING d.id
        )
        SELECT v.storage_key FROM public.document_versions v JOIN gone ON gone.id = v.document_id;
END $$;

REVOKE ALL ON FUNCTION document_purge(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION document_purge(uuid) TO docket_app;

-- Which of these storage keys a version names, in any firm: the sweep keeps those and deletes
-- other bytes once they are old enough (an upload whose rows were never written).
CREATE FUNCTION document_keys_known(p_keys text[]) RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT v.storage_key FROM public.document_versions v WHERE v.storage_key = ANY (p_keys)
$$;
REVOKE ALL ON FUNCTION document_keys_known(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION document_keys_known(text[]) TO docket_app;

-- The history of a folder is walled with its matter too.
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
        WHEN p_type = 'document_folder' THEN
            (SELECT f.matter_id FROM public.document_folders f WHERE f.id = p_id AND f.organization_id = p_org)
        WHEN p_type = 'event' THEN
            (SELECT e.matter_id FROM public.events e WHERE e.id = p_id AND e.organization_id = p_org)
        WHEN p_type = 'job' THEN
            (SELECT j.matter_id FROM public.jobs j WHERE j.id = p_id AND j.organization_id = p_org)
        WHEN p_type = 'task' THEN
            (SELECT t.matter_id FROM public.tasks t WHERE t.id = p_id AND t.organization_id = p_org)
    END
$$;
