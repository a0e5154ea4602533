-- Everyone we deal with, rebuilt from scratch.
DROP TABLE IF EXISTS marts.all_parties;
CREATE TABLE marts.all_parties AS
SELECT name, 'customer' AS kind FROM staging.customers
UNION
SELECT name, 'supplier' FROM staging.suppliers;
