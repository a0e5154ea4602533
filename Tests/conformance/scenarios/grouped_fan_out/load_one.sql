-- One run per item; the item load_bad divides by zero at every attempt (rolled back).
INSERT INTO mixed_log (step, ds) VALUES (%(step)s, %(execution_date)s);
SELECT 1 / (CASE WHEN %(step)s = 'load_bad' THEN 0 ELSE 1 END);
