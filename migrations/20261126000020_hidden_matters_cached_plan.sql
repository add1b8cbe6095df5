-- Docket schema, step 20: the walls' check is planned once per connection, not once per statement.
--
-- Every statement on a table with a `wall` policy calls app_hidden_matters() once (an InitPlan).
-- As a SQL function with SET search_path it is never inlined, and PostgreSQL 15 plans a SQL
-- function's body again at every call: about 1 ms of planning per statement. The matter page
-- runs a dozen such statements, and fell from about 1,000 to 180 pages a second under load
-- (`tools/dev.sh load`). PL/pgSQL keeps its statements' plans for the life of the connection,
-- so the same query costs a tenth of that. Same body, same result, same privileges.
CREATE OR REPLACE FUNCTION app_hidden_matters() RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    RETURN (
        SELECT coalesce(array_agg(m.id ORDER BY m.id), '{}')
          FROM public.matters m
         WHERE m.organization_id = public.app_current_org() AND m.restricted
           AND NOT EXISTS (SELECT 1 FROM public.matter_access a
                            WHERE a.matter_id = m.id AND a.user_id = public.app_current_user())
           AND NOT (
               NOT EXISTS (SELECT 1 FROM public.matter_access a
                             JOIN public.user_organizations uo
                               ON uo.organization_id = a.organization_id AND uo.user_id = a.user_id
                            WHERE a.matter_id = m.id AND uo.status = 'active')
               AND EXISTS (SELECT 1 FROM public.user_organizations me
                            WHERE me.organization_id = m.organization_id
                              AND me.user_id = public.app_current_user()
                              AND me.status = 'active' AND me.role = 'admin')));
END
$$;
