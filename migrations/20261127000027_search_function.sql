-- Docket schema, step 27: search through its indexes. Under row-level security PostgreSQL
-- applies the policies' conditions before a query's own, and may use a query's condition in an
-- index only when its function is leakproof; `@@` (ts_match_vq) is not, so every search read
-- whole tables (100,000 documents: 670 ms for a word in one of them). Only a superuser may mark
-- a function leakproof, which Supabase's PostgreSQL does not give.
--
-- So the ranking runs here, as the owner, with the firm and its walls applied by hand exactly as
-- the policies apply them (tenant_isolation: organization_id = app_current_org(); wall:
-- matter_id <> ALL (app_hidden_matters())). It returns only kinds, ids and ranks: the caller
-- reads each hit's row again under row-level security, so a mistake here could at worst lose
-- a hit, never show one.

CREATE FUNCTION app_search(p_query text, p_limit integer)
RETURNS TABLE (kind text, id uuid, rank real)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
-- Each call is planned with its words: a generic plan cannot tell a word in one document from a
-- word in all of them.
SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    firm   uuid := public.app_current_org();
    hidden uuid[];
    en     tsquery;
    si     tsquery;
BEGIN
    IF firm IS NULL OR p_limit IS NULL OR p_limit < 1 THEN
        RETURN;
    END IF;
    hidden := public.app_hidden_matters();
    en := to_tsquery('english', p_query);
    si := to_tsquery('simple', p_query);
    p_limit := least(p_limit, 100);
    RETURN QUERY
    SELECT r.kind, r.id, r.rank FROM (
        (SELECT 'client'::text AS kind, c.id, ts_rank(c.search, si) AS rank
           FROM public.clients c
          WHERE c.search @@ si AND c.organization_id = firm
          ORDER BY 3 DESC LIMIT p_limit)
        UNION ALL
        (SELECT 'contact', cc.id,
                ts_rank(to_tsvector('simple', regexp_replace(cc.value, '[^[:alnum:]]+', ' ', 'g')), si) * real '0.9'
           FROM public.client_contacts cc
          WHERE to_tsvector('simple', regexp_replace(cc.value, '[^[:alnum:]]+', ' ', 'g')) @@ si
            AND cc.organization_id = firm
          ORDER BY 3 DESC LIMIT p_limit)
        UNION ALL
        (SELECT 'matter', m.id, ts_rank(m.search, en)
           FROM public.matters m
          WHERE m.search @@ en AND m.organization_id = firm AND m.id <> ALL (hidden)
          ORDER BY 3 DESC LIMIT p_limit)
        UNION ALL
        -- A document by its newest version's text and by its name, each through its own index,
        -- then one row per document.
        -- A word in thousands of documents ranks the 1,000 newest documents that have it (in their
        -- newest version, not deleted): ranking reads each one's whole text (every document of a
        -- large firm: 1.5 s; these: ~60 ms).
        (SELECT 'document', d.id, sum(hit.r)::real
           FROM ((SELECT c.document_id AS doc, c.number, ts_rank(c.text_search, en) AS r
                    FROM (SELECT v.document_id, v.number, v.text_search
                            FROM public.document_versions v
                            JOIN public.documents live ON live.id = v.document_id
                                 AND live.latest = v.number AND live.deleted_at IS NULL
                           WHERE v.text_search @@ en AND v.organization_id = firm
                             AND v.matter_id <> ALL (hidden)
                           ORDER BY v.created_at DESC
                           LIMIT 1000) c)
                 UNION ALL
                 (SELECT n.id, NULL::integer, ts_rank(n.name_search, si)
                    FROM public.documents n
                   WHERE n.name_search @@ si AND n.organization_id = firm)) hit
           JOIN public.documents d ON d.id = hit.doc
          WHERE d.organization_id = firm AND d.matter_id <> ALL (hidden) AND d.deleted_at IS NULL
            AND (hit.number IS NULL OR hit.number = d.latest)
          GROUP BY d.id
          ORDER BY 3 DESC LIMIT p_limit)
    ) r
    ORDER BY r.rank DESC, r.id
    LIMIT p_limit;
END $$;
REVOKE ALL ON FUNCTION app_search(text, integer) FROM PUBLIC;
-- The newest versions first, for a word in many documents (above).
CREATE INDEX document_versions_recent_idx ON document_versions (organization_id, created_at);
GRANT EXECUTE ON FUNCTION app_search(text, integer) TO docket_app;
