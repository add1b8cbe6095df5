-- Docket schema, step 10: administrators set a person's rate on one matter (the most specific
-- rate an entry resolves to). Until now the table was read-only to the application.
GRANT INSERT, UPDATE, DELETE ON matter_rates TO docket_app;
