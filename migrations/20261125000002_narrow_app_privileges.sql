-- Nothing in the application writes memberships, firms or other people's names yet; the
-- application role gets those rights back, with role-aware policies, when an admin screen needs
-- them. Until then the database refuses such writes even if a code path tried.
REVOKE INSERT, UPDATE, DELETE ON user_organizations FROM docket_app;
REVOKE UPDATE ON organizations FROM docket_app;
REVOKE UPDATE (full_name) ON users FROM docket_app;
