-- Totals per region for the run's date. Bind parameters: %(execution_date)s.
CREATE TABLE IF NOT EXISTS sales_by_region (ds date NOT NULL, region text NOT NULL, total numeric(12, 2) NOT NULL);
DELETE FROM sales_by_region WHERE ds = %(execution_date)s;
INSERT INTO sales_by_region (ds, region, total)
SELECT ds, region, sum(amount) FROM sales_orders WHERE ds = %(execution_date)s GROUP BY ds, region;
