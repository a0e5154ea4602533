INSERT INTO mixed_log (step, ds) VALUES (%(step)s, %(execution_date)s);
