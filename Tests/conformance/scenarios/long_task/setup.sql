-- A sequence counts attempts across rolled-back transactions (nextval is never rolled back).
DROP SEQUENCE IF EXISTS conformance_long_attempt;
CREATE SEQUENCE conformance_long_attempt;
CREATE TABLE conformance_long_log (step text NOT NULL);
