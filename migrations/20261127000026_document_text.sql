-- Docket schema, step 26: documents' text, for search. A background job (`document_text`) reads
-- each version's text in a bounded child process and records it here, once; search finds the
-- newest version of each document by its text and every document by its name.

ALTER TABLE document_versions
    ADD COLUMN text_status text NOT NULL DEFAULT 'pending'
        CHECK (text_status IN ('pending', 'done', 'unreadable', 'none', 'skipped')),
    ADD COLUMN text_content text CHECK (octet_length(text_content) <= 524288),
    ADD COLUMN text_search tsvector
        GENERATED ALWAYS AS (to_tsvector('english', coalesce(text_content, ''))) STORED;
CREATE INDEX document_versions_text_idx ON document_versions USING gin (text_search);

-- The job records what it read, once; nothing else of a version ever changes (a departed
-- uploader's id becoming NULL aside). At most 512 kB of text is kept: a tsvector holds at most
-- 1 MB of distinct words.
GRANT UPDATE (text_status, text_content) ON document_versions TO docket_app;
CREATE FUNCTION document_versions_text_once() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF OLD.text_status <> 'pending' AND (NEW.text_status IS DISTINCT FROM OLD.text_status
                                      OR NEW.text_content IS DISTINCT FROM OLD.text_content) THEN
        RAISE EXCEPTION 'the text of version % was already recorded', OLD.id
            USING ERRCODE = '55000';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER document_versions_text_once BEFORE UPDATE OF text_status, text_content ON document_versions
    FOR EACH ROW EXECUTE FUNCTION document_versions_text_once();

-- Document names and contacts, for search, split into words the way a search is
-- ("Lease_Agreement.pdf": lease, agreement, pdf; "ada.lovelace@example.com": ada, lovelace, …).
ALTER TABLE documents
    ADD COLUMN name_search tsvector GENERATED ALWAYS AS
        (to_tsvector('simple', regexp_replace(filename, '[^[:alnum:]]+', ' ', 'g'))) STORED;
CREATE INDEX documents_name_idx ON documents USING gin (name_search);
CREATE INDEX client_contacts_search_idx ON client_contacts
    USING gin (to_tsvector('simple', regexp_replace(value, '[^[:alnum:]]+', ' ', 'g')));
