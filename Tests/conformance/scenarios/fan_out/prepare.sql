CREATE TABLE fan_rows (ds date NOT NULL, item text PRIMARY KEY, weight integer NOT NULL);
