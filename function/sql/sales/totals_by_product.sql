-- Totals per product for the run's date, ignoring lines below a minimum quantity.
-- Bind parameters: %(execution_date)s, %(min_quantity)s.
CREATE TABLE IF NOT EXISTS sales_by_product (ds date NOT NULL, product text NOT NULL, quantity integer NOT NULL, total numeric(12, 2) NOT NULL);
DELETE FROM sales_by_product WHERE ds = %(execution_date)s;
INSERT INTO sales_by_product (ds, product, quantity, total)
SELECT ds, product, sum(quantity), sum(amount) FROM sales_orders
WHERE ds = %(execution_date)s AND quantity >= %(min_quantity)s
GROUP BY ds, product;
