-- (Re)creates and fills table "source" with a few deterministic rows so that a
-- sample job can run against an empty database.
--
-- Schema:
--   source(id integer primary key, name text not null, amount numeric(12,2) not null)
--
-- Expected aggregate per name: alpha = 30.00, beta = 7.50, gamma = 100.25.
DROP TABLE IF EXISTS source;

CREATE TABLE source (
    id     integer PRIMARY KEY,
    name   text NOT NULL,
    amount numeric(12, 2) NOT NULL
);

INSERT INTO source (id, name, amount) VALUES
    (1, 'alpha', 10.00),
    (2, 'alpha', 20.00),
    (3, 'beta', 2.50),
    (4, 'beta', 5.00),
    (5, 'gamma', 100.25);
