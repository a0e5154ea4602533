-- Succeeds: one row per task that ran it.
INSERT INTO alerts_loaded (ds, note) VALUES (%(execution_date)s, 'loaded');
