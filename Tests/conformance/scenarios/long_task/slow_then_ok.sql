-- Slow, and fails on its first attempt only: the retry must start again after the long first attempt.
SELECT pg_sleep(6);
SELECT CASE WHEN nextval('conformance_long_attempt') = 1 THEN 1 / 0 ELSE 1 END;
INSERT INTO conformance_long_log (step) VALUES (%(step)s);
