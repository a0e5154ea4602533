-- Materializes table "sink" from table "source" for one logical date.
--
-- Schema:
--   source(id integer primary key, name text not null, amount numeric(12,2) not null)
--   sink(ds date not null, name text not null, total numeric(14,2) not null,
--        row_count integer not null, primary key (ds, name))
--
-- One sink row per (logical date, name) with the sum and count of the source
-- amounts. Idempotent: re-running for the same date replaces that date's rows
-- and leaves other dates untouched. The runtime runs this file in a single
-- transaction and binds %(execution_date)s to the run's logical date
-- (YYYY-MM-DD).
CREATE TABLE IF NOT EXISTS sink (
    ds        date NOT NULL,
    name      text NOT NULL,
    total     numeric(14, 2) NOT NULL,
    row_count integer NOT NULL,
    PRIMARY KEY (ds, name)
);

DELETE FROM sink WHERE ds = %(execution_date)s::date;

INSERT INTO sink (ds, name, total, row_count)
SELECT %(execution_date)s::date, name, sum(amount), count(*)
FROM source
GROUP BY name;
