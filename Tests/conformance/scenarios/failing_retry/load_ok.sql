-- Succeeds: one row per logical date. Bind parameters: %(execution_date)s.
CREATE TABLE IF NOT EXISTS conformance_loaded (ds date PRIMARY KEY, note text NOT NULL);
INSERT INTO conformance_loaded (ds, note) VALUES (%(execution_date)s, 'loaded')
ON CONFLICT (ds) DO UPDATE SET note = conformance_loaded.note || ' again';
