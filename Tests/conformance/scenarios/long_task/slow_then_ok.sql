-- Slow, and fails on its first attempt only: the retry must start again after the long first attempt.
SELECT pg_sleep(6);
-- (Not CASE … THEN 1 / 0: PostgreSQL folds that constant and fails every attempt.)
SELECT 1 / (nextval('conformance_long_attempt') - 1);
INSERT INTO conformance_long_log (step) VALUES (%(step)s);
