-- Docket schema, step 11: time entries and expenses get time-ordered ids (UUID version 7), so
-- rows of one day list newest first, and a keyset page never puts a just-recorded entry behind
-- older ones of the same date. Existing rows keep their ids (ordered arbitrarily among
-- themselves, as before).
--
-- uuid_v7(): the first 48 bits are the Unix time in milliseconds, then the version (7), then
-- random bits from gen_random_uuid() (whose variant bits are already right).
CREATE FUNCTION uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
    SELECT encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                    FROM 1 FOR 6),
            52, 1), 53, 1),
        'hex')::uuid
$$;
ALTER TABLE time_entries ALTER COLUMN id SET DEFAULT uuid_v7();
ALTER TABLE expenses ALTER COLUMN id SET DEFAULT uuid_v7();
