CREATE TABLE trigger_log (step text PRIMARY KEY);
