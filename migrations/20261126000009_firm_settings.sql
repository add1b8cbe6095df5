-- Docket schema, step 9: firm settings are edited through a form, so the firm row has a version
-- for the stale-form check like every other edited row.
SELECT manage_row_version('organizations');
ALTER TABLE organizations
    ADD CONSTRAINT organizations_currency_code CHECK (currency ~ '^[A-Z]{3}$');

-- The app may change the settings columns of its own firm only (not its id or slug), and only
-- the firm of the transaction, whatever other firms the caller belongs to.
GRANT UPDATE (name, address, timezone, currency, billing_increment_minutes, default_hourly_rate,
              invoice_prefix, invoice_number_year, invoice_number_digits, payment_terms_days,
              tax_rate, tax_label, version, updated_at)
    ON organizations TO docket_app;
CREATE POLICY organization_update_own ON organizations AS RESTRICTIVE FOR UPDATE
    USING (id = app_current_org())
    WITH CHECK (id = app_current_org());

-- Each member's default hourly rate is set on the settings page: that one column, of the
-- transaction's firm only (the membership policy's WITH CHECK already demands the firm).
GRANT UPDATE (hourly_rate, updated_at) ON user_organizations TO docket_app;
