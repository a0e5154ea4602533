-- seen = how many of the steps a task must wait for had logged themselves when it ran.
CREATE TABLE group_log (step text PRIMARY KEY, seen integer NOT NULL, expected integer NOT NULL, CHECK (seen = expected));
