-- Extract: (re)build the staging table of orders for the run's date from a fixed sample.
-- Bind parameters: %(execution_date)s (YYYY-MM-DD).
CREATE TABLE IF NOT EXISTS sales_orders (
    ds date NOT NULL,
    region text NOT NULL,
    product text NOT NULL,
    quantity integer NOT NULL,
    amount numeric(12, 2) NOT NULL
);
DELETE FROM sales_orders WHERE ds = %(execution_date)s;
INSERT INTO sales_orders (ds, region, product, quantity, amount)
SELECT %(execution_date)s::date, region, product, quantity, amount
FROM (VALUES
    ('north', 'widget', 3, 30.00),
    ('north', 'gadget', 1, 25.50),
    ('south', 'widget', 5, 50.00),
    ('south', 'gizmo', 0, 0.00),
    ('west', 'gadget', 2, 51.00)
) AS sample(region, product, quantity, amount);
