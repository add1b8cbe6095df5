-- Docket schema, step 1: the whole product's tables, firm isolation by row-level security.
--
-- Conventions: ids are UUID, timestamps timestamptz, money NUMERIC, every tenant table carries
-- organization_id and a policy that limits rows to the organization set for the transaction
-- (`SELECT set_config('app.org_id', …, true)`, done by the server's tenant transaction).
-- The server connects as `docket_app`: not superuser, not table owner, so RLS always applies.

-- The role the application connects as. Created without LOGIN; the operator grants LOGIN and a
-- password (the dev and test tooling do so). Roles are cluster-wide, so tolerate a concurrent create.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_app') THEN
        CREATE ROLE docket_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

-- updated_at maintenance, reused by every table.
CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;

CREATE FUNCTION manage_updated_at(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER set_updated_at BEFORE UPDATE ON %s
                    FOR EACH ROW EXECUTE FUNCTION set_updated_at()', tbl);
END $$;

-- The organization and user of the current transaction ('' or unset means none).
CREATE FUNCTION app_current_org() RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('app.org_id', true), '')::uuid
$$;
CREATE FUNCTION app_current_user() RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('app.user_id', true), '')::uuid
$$;

-- ───────────────────────────── identity ─────────────────────────────
CREATE TABLE users (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email          text NOT NULL CHECK (email = lower(email) AND position('@' in email) > 1),
    full_name      text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    password_hash  text,                      -- argon2id PHC string; NULL for OAuth-only users
    auth_provider  text NOT NULL DEFAULT 'password' CHECK (auth_provider IN ('password', 'supabase')),
    external_id    text,                      -- the identity provider's user id
    is_active      boolean NOT NULL DEFAULT true,
    last_login_at  timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE UNIQUE INDEX users_external_id_key ON users (auth_provider, external_id) WHERE external_id IS NOT NULL;
SELECT manage_updated_at('users');

CREATE TABLE organizations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    timezone    text NOT NULL DEFAULT 'America/New_York',
    currency    char(3) NOT NULL DEFAULT 'USD',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
SELECT manage_updated_at('organizations');

CREATE TABLE user_organizations (
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role             text NOT NULL CHECK (role IN ('admin', 'attorney', 'staff', 'billing')),
    permissions      jsonb NOT NULL DEFAULT '{}'::jsonb,
    is_default       boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX user_organizations_user_idx ON user_organizations (user_id);
SELECT manage_updated_at('user_organizations');

-- ───────────────────────────── clients ─────────────────────────────
CREATE TABLE clients (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_type      text NOT NULL CHECK (client_type IN ('person', 'company')),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'prospect')),
    notes            text NOT NULL DEFAULT '' CHECK (length(notes) <= 5000),
    created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    search           tsvector GENERATED ALWAYS AS (to_tsvector('simple', name)) STORED,
    UNIQUE (organization_id, id)
);
CREATE INDEX clients_org_name_idx ON clients (organization_id, lower(name));
CREATE INDEX clients_org_status_idx ON clients (organization_id, status);
CREATE INDEX clients_search_idx ON clients USING gin (search);
SELECT manage_updated_at('clients');

CREATE TABLE client_contacts (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    client_id        uuid NOT NULL,
    contact_type     text NOT NULL CHECK (contact_type IN ('email', 'phone', 'address', 'website')),
    label            text NOT NULL DEFAULT '' CHECK (length(label) <= 60),
    value            text NOT NULL CHECK (length(value) BETWEEN 1 AND 500),
    is_primary       boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, client_id) REFERENCES clients (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX client_contacts_client_idx ON client_contacts (client_id);
CREATE UNIQUE INDEX client_contacts_one_primary ON client_contacts (client_id, contact_type) WHERE is_primary;
SELECT manage_updated_at('client_contacts');

-- ───────────────────────────── matters ─────────────────────────────
CREATE TABLE matters (
    id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id          uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_id                uuid NOT NULL,
    matter_number            text NOT NULL CHECK (length(matter_number) BETWEEN 1 AND 40),
    title                    text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description              text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    status                   text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'on_hold', 'closed')),
    priority                 text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    stage                    text NOT NULL DEFAULT 'intake' CHECK (stage IN ('intake', 'investigation', 'discovery', 'negotiation', 'trial', 'appeal', 'resolution')),
    practice_area            text NOT NULL CHECK (practice_area IN ('litigation', 'corporate', 'real_estate', 'family', 'employment', 'intellectual_property', 'estate_planning', 'criminal', 'immigration', 'tax', 'other')),
    responsible_attorney_id  uuid,
    originating_attorney_id  uuid,
    billing_type             text NOT NULL DEFAULT 'hourly' CHECK (billing_type IN ('hourly', 'flat_fee', 'contingency')),
    hourly_rate              numeric(12, 2) CHECK (hourly_rate >= 0),
    date_opened              date NOT NULL DEFAULT CURRENT_DATE,
    date_closed              date,
    created_by               uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    search                   tsvector GENERATED ALWAYS AS
                                 (to_tsvector('english', title || ' ' || description)) STORED,
    UNIQUE (organization_id, id),
    UNIQUE (organization_id, matter_number),
    CHECK ((status = 'closed') = (date_closed IS NOT NULL)),
    CHECK (date_closed IS NULL OR date_closed >= date_opened),
    FOREIGN KEY (organization_id, client_id) REFERENCES clients (organization_id, id),
    FOREIGN KEY (organization_id, responsible_attorney_id) REFERENCES user_organizations (organization_id, user_id),
    FOREIGN KEY (organization_id, originating_attorney_id) REFERENCES user_organizations (organization_id, user_id)
);
CREATE INDEX matters_org_status_idx ON matters (organization_id, status, date_opened DESC);
CREATE INDEX matters_org_client_idx ON matters (organization_id, client_id);
CREATE INDEX matters_org_practice_idx ON matters (organization_id, practice_area);
CREATE INDEX matters_org_responsible_idx ON matters (organization_id, responsible_attorney_id);
CREATE INDEX matters_org_opened_idx ON matters (organization_id, date_opened DESC, id);
CREATE INDEX matters_org_updated_idx ON matters (organization_id, updated_at DESC);
CREATE INDEX matters_search_idx ON matters USING gin (search);
SELECT manage_updated_at('matters');

-- ───────────────────────────── time and money ─────────────────────────────
CREATE TABLE invoices (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_id        uuid NOT NULL,
    matter_id        uuid,
    invoice_number   text NOT NULL,
    status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'issued', 'paid', 'overdue', 'void')),
    currency         char(3) NOT NULL DEFAULT 'USD',
    issue_date       date,
    due_date         date,
    subtotal         numeric(14, 2) NOT NULL DEFAULT 0,
    tax_total        numeric(14, 2) NOT NULL DEFAULT 0,
    total            numeric(14, 2) NOT NULL DEFAULT 0,
    amount_paid      numeric(14, 2) NOT NULL DEFAULT 0 CHECK (amount_paid >= 0),
    notes            text NOT NULL DEFAULT '',
    issued_at        timestamptz,
    paid_at          timestamptz,
    created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    UNIQUE (organization_id, invoice_number),
    FOREIGN KEY (organization_id, client_id) REFERENCES clients (organization_id, id),
    FOREIGN KEY (organization_id, matter_id) REFERENCES matters (organization_id, id)
);
CREATE INDEX invoices_org_status_idx ON invoices (organization_id, status, due_date);
CREATE INDEX invoices_org_client_idx ON invoices (organization_id, client_id);
SELECT manage_updated_at('invoices');

CREATE TABLE time_entries (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    matter_id        uuid NOT NULL,
    user_id          uuid NOT NULL,
    work_date        date NOT NULL,
    minutes          integer NOT NULL CHECK (minutes > 0 AND minutes <= 1440),  -- raw minutes worked
    description      text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    hourly_rate      numeric(12, 2) NOT NULL CHECK (hourly_rate >= 0),
    billable         boolean NOT NULL DEFAULT true,
    status           text NOT NULL DEFAULT 'unbilled' CHECK (status IN ('unbilled', 'billed', 'written_off')),
    invoice_id       uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, matter_id) REFERENCES matters (organization_id, id),
    FOREIGN KEY (organization_id, user_id) REFERENCES user_organizations (organization_id, user_id),
    FOREIGN KEY (organization_id, invoice_id) REFERENCES invoices (organization_id, id)
);
CREATE INDEX time_entries_org_matter_idx ON time_entries (organization_id, matter_id, work_date DESC);
CREATE INDEX time_entries_org_user_idx ON time_entries (organization_id, user_id, work_date DESC);
CREATE INDEX time_entries_unbilled_idx ON time_entries (organization_id, matter_id) WHERE status = 'unbilled';
SELECT manage_updated_at('time_entries');

CREATE TABLE expenses (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    matter_id        uuid NOT NULL,
    user_id          uuid NOT NULL,
    incurred_on      date NOT NULL,
    category         text NOT NULL DEFAULT 'other',
    description      text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    amount           numeric(14, 2) NOT NULL CHECK (amount >= 0),
    billable         boolean NOT NULL DEFAULT true,
    status           text NOT NULL DEFAULT 'unbilled' CHECK (status IN ('unbilled', 'billed', 'written_off')),
    invoice_id       uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, matter_id) REFERENCES matters (organization_id, id),
    FOREIGN KEY (organization_id, user_id) REFERENCES user_organizations (organization_id, user_id),
    FOREIGN KEY (organization_id, invoice_id) REFERENCES invoices (organization_id, id)
);
CREATE INDEX expenses_org_matter_idx ON expenses (organization_id, matter_id, incurred_on DESC);
SELECT manage_updated_at('expenses');

CREATE TABLE invoice_lines (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    invoice_id       uuid NOT NULL,
    line_type        text NOT NULL CHECK (line_type IN ('time', 'expense', 'adjustment')),
    time_entry_id    uuid,
    expense_id       uuid,
    position         integer NOT NULL,
    description      text NOT NULL,
    quantity         numeric(12, 2) NOT NULL,     -- billed hours for time lines
    unit_price       numeric(12, 2) NOT NULL,
    amount           numeric(14, 2) NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, invoice_id) REFERENCES invoices (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, time_entry_id) REFERENCES time_entries (organization_id, id),
    FOREIGN KEY (organization_id, expense_id) REFERENCES expenses (organization_id, id)
);
CREATE INDEX invoice_lines_invoice_idx ON invoice_lines (invoice_id, position);
SELECT manage_updated_at('invoice_lines');

-- Client trust (IOLTA) ledger: append-only; a client's balance is the sum of its rows.
CREATE TABLE trust_transactions (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_id        uuid NOT NULL,
    matter_id        uuid,
    kind             text NOT NULL CHECK (kind IN ('deposit', 'disbursement', 'transfer_to_operating', 'refund')),
    amount           numeric(14, 2) NOT NULL CHECK (amount > 0),
    occurred_on      date NOT NULL,
    reference        text NOT NULL DEFAULT '',
    description      text NOT NULL DEFAULT '',
    invoice_id       uuid,
    created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, client_id) REFERENCES clients (organization_id, id),
    FOREIGN KEY (organization_id, matter_id) REFERENCES matters (organization_id, id),
    FOREIGN KEY (organization_id, invoice_id) REFERENCES invoices (organization_id, id)
);
CREATE INDEX trust_transactions_org_client_idx ON trust_transactions (organization_id, client_id, occurred_on);

-- ───────────────────────────── documents ─────────────────────────────
CREATE TABLE documents (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    matter_id        uuid NOT NULL,
    filename         text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    content_type     text NOT NULL,
    size_bytes       bigint NOT NULL CHECK (size_bytes >= 0),
    storage_key      text NOT NULL,
    sha256           text NOT NULL,
    uploaded_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, matter_id) REFERENCES matters (organization_id, id)
);
CREATE INDEX documents_org_matter_idx ON documents (organization_id, matter_id, created_at DESC);
SELECT manage_updated_at('documents');

-- ───────────────────────────── audit ─────────────────────────────
CREATE TABLE activity_logs (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id          uuid REFERENCES users (id) ON DELETE SET NULL,
    action           text NOT NULL,          -- e.g. client.create, matter.update
    resource_type    text NOT NULL,
    resource_id      uuid,
    summary          text NOT NULL DEFAULT '',
    changes          jsonb NOT NULL DEFAULT '{}'::jsonb,   -- {field: {"from": …, "to": …}}
    ip_address       inet,
    user_agent       text,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activity_logs_resource_idx ON activity_logs (organization_id, resource_type, resource_id, created_at DESC);
CREATE INDEX activity_logs_org_created_idx ON activity_logs (organization_id, created_at DESC);

-- ───────────────────────────── row-level security ─────────────────────────────
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['clients', 'client_contacts', 'matters', 'time_entries', 'expenses',
                             'invoices', 'invoice_lines', 'trust_transactions', 'documents',
                             'activity_logs']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
                          USING (organization_id = app_current_org())
                          WITH CHECK (organization_id = app_current_org())', t);
    END LOOP;
END $$;

-- Memberships: those of the active firm, and the caller's own (for the firm switcher).
ALTER TABLE user_organizations ENABLE ROW LEVEL SECURITY;
CREATE POLICY membership_visibility ON user_organizations
    USING (organization_id = app_current_org() OR user_id = app_current_user())
    WITH CHECK (organization_id = app_current_org());

-- Firms: the active one and the ones the caller belongs to.
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
CREATE POLICY organization_visibility ON organizations
    USING (id = app_current_org()
           OR id IN (SELECT organization_id FROM user_organizations WHERE user_id = app_current_user()));

-- People: oneself and the members of the active firm.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_visibility ON users
    USING (id = app_current_user()
           OR id IN (SELECT user_id FROM user_organizations WHERE organization_id = app_current_org()));

-- Sign-in happens before any firm or user is known: this one function, owned by the migrating
-- role, looks a user up by e-mail and is the only way the app role can read a password hash.
CREATE FUNCTION auth_find_user(p_email text)
RETURNS TABLE (id uuid, password_hash text, is_active boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT u.id, u.password_hash, u.is_active FROM users u WHERE u.email = lower(p_email)
$$;
REVOKE ALL ON FUNCTION auth_find_user(text) FROM PUBLIC;

-- ───────────────────────────── privileges ─────────────────────────────
GRANT USAGE ON SCHEMA public TO docket_app;
GRANT EXECUTE ON FUNCTION auth_find_user(text) TO docket_app;
GRANT SELECT (id, email, full_name, auth_provider, is_active, last_login_at, created_at, updated_at),
      UPDATE (full_name, last_login_at) ON users TO docket_app;
GRANT SELECT, UPDATE ON organizations TO docket_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON user_organizations, clients, client_contacts, matters,
      time_entries, expenses, invoices, invoice_lines, documents TO docket_app;
GRANT SELECT, INSERT ON trust_transactions TO docket_app;   -- the ledger is append-only
GRANT SELECT, INSERT ON activity_logs TO docket_app;        -- the audit trail is append-only
