-- The parameters used as values in a query: which orders are selected and what they are worth.
CREATE TABLE params_selected (ds date NOT NULL, item text NOT NULL, amount numeric NOT NULL, currency text NOT NULL, dry_run boolean NOT NULL);
INSERT INTO params_selected (ds, item, amount, currency, dry_run)
SELECT %(execution_date)s, item, round(quantity * price * %(ratio)s, 2), %(currency)s, %(dry_run)s
FROM params_orders
WHERE region = %(region)s AND quantity >= %(min_quantity)s;
