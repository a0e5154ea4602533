-- Rerunnable day load: delete the day, then insert it again from a CTE over a join.
DELETE FROM marts.daily_orders WHERE day = %(execution_date)s;

WITH day_orders AS (
    SELECT o.customer_id, o.amount
    FROM staging.orders AS o
    WHERE o.day = %(execution_date)s
      AND o.amount >= %(min_amount)s
),
named AS (
    SELECT c.name AS customer, d.amount
    FROM day_orders d
    JOIN staging.customers c ON c.id = d.customer_id
)
INSERT INTO marts.daily_orders (day, customer, orders, amount)
SELECT %(execution_date)s::date, customer, count(*), sum(amount)
FROM named
GROUP BY customer;
