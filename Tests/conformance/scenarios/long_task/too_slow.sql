-- Outlives its task's timeout on every attempt: killed, retried once, failed; nothing committed.
SELECT pg_sleep(8);
INSERT INTO conformance_long_log (step) VALUES (%(step)s);
