-- Docket schema, step 12: the text a firm's invoices carry as their letterhead (its "logo"),
-- set on the settings page by an administrator.
ALTER TABLE organizations
    ADD COLUMN logo_text text NOT NULL DEFAULT '' CHECK (char_length(logo_text) <= 80);
GRANT UPDATE (logo_text) ON organizations TO docket_app;
