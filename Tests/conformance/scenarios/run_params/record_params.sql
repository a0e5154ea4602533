-- Stores every run parameter and, for the non-string ones, the SQL type psycopg2 bound it as: an
-- integer must arrive as an integer (not "3" or 3.0), a number as a numeric, a boolean as a boolean.
CREATE TABLE params_seen (
  ds date NOT NULL,
  region text NOT NULL,
  label text NOT NULL,
  min_quantity integer NOT NULL,
  min_quantity_type text NOT NULL,
  ratio numeric NOT NULL,
  ratio_type text NOT NULL,
  dry_run boolean NOT NULL,
  dry_run_type text NOT NULL,
  currency text NOT NULL
);
INSERT INTO params_seen VALUES (
  %(execution_date)s, %(region)s, %(label)s,
  %(min_quantity)s, pg_typeof(%(min_quantity)s)::text,
  %(ratio)s, pg_typeof(%(ratio)s)::text,
  %(dry_run)s, pg_typeof(%(dry_run)s)::text,
  %(currency)s
);
