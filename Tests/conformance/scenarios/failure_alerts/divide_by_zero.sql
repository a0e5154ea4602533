-- Writes a row, then divides by zero: every attempt fails and rolls back.
INSERT INTO alerts_loaded (ds, note) VALUES (%(execution_date)s, 'never committed');
SELECT 1 / 0;
