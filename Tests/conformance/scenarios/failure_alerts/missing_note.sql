-- Fails at its only attempt: a NOT NULL column without a value.
INSERT INTO alerts_loaded (ds, note) VALUES (%(execution_date)s, NULL);
