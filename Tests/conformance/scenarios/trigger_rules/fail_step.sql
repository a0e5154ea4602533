-- Logs itself, then fails: the log row is rolled back with the rest of the transaction.
INSERT INTO trigger_log (step) VALUES (%(step)s);
SELECT 1 / 0;
