-- Every task (and every run of load_each) that succeeded logs itself once.
CREATE TABLE mixed_log (step text PRIMARY KEY, ds date NOT NULL);
