-- The visibility policies of people, memberships and firms read the caller's scope once per
-- statement, not once per row.
--
-- `app_current_org()` and `app_current_user()` are inlined as `current_setting(…)::uuid`, which
-- PostgreSQL evaluates again for every row it filters: a GUC lookup and a UUID parse each. A
-- firm's member list (the attorney pickers on most pages) joins memberships to users in a nested
-- loop and so evaluated them a few hundred times per statement. Wrapped in a scalar subquery the
-- value is an InitPlan, computed once and then compared like a parameter (it can still be an
-- index condition). Same rows, same WITH CHECK clauses (ALTER POLICY … USING leaves them as
-- they are). Measured with pgbench on the large firm: the member list went from about 3,000 to
-- about 6,400 statements a second.

ALTER POLICY membership_visibility ON user_organizations
    USING (organization_id = (SELECT app_current_org()) OR user_id = (SELECT app_current_user()));

ALTER POLICY organization_visibility ON organizations
    USING (id = (SELECT app_current_org())
           OR id IN (SELECT organization_id FROM user_organizations
                      WHERE user_id = (SELECT app_current_user())));

ALTER POLICY user_visibility ON users
    USING (id = (SELECT app_current_user())
           OR id IN (SELECT user_id FROM user_organizations
                      WHERE organization_id = (SELECT app_current_org())));
