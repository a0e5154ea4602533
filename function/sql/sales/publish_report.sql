-- Publish: one report row per date, combining both totals. Bind parameters: %(execution_date)s.
CREATE TABLE IF NOT EXISTS sales_report (ds date PRIMARY KEY, regions integer NOT NULL, products integer NOT NULL, total numeric(12, 2) NOT NULL);
DELETE FROM sales_report WHERE ds = %(execution_date)s;
INSERT INTO sales_report (ds, regions, products, total)
SELECT %(execution_date)s::date,
       (SELECT count(*) FROM sales_by_region WHERE ds = %(execution_date)s),
       (SELECT count(*) FROM sales_by_product WHERE ds = %(execution_date)s),
       (SELECT coalesce(sum(total), 0) FROM sales_by_region WHERE ds = %(execution_date)s);
