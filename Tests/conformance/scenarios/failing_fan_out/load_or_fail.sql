-- One run per item; the run whose item is the run parameter bad_item divides by zero at every
-- attempt (rolled back).
INSERT INTO mixed_log (step, ds) VALUES (%(step)s, %(execution_date)s);
SELECT 1 / (CASE WHEN %(step)s = %(bad_item)s THEN 0 ELSE 1 END);
