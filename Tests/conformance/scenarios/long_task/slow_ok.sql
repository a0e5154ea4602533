-- Longer than one executor call in the Cloud Workflows run (the suite compiles with http_timeout=5).
SELECT pg_sleep(7);
INSERT INTO conformance_long_log (step) VALUES (%(step)s);
