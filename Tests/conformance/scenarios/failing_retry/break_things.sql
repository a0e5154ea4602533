-- Creates a table, writes a row, then divides by zero: the whole transaction must roll back.
CREATE TABLE conformance_partial (ds date NOT NULL);
INSERT INTO conformance_partial (ds) VALUES (%(execution_date)s);
SELECT 1 / 0;
