UPDATE marts.customer_totals AS t
SET total = s.total
FROM (
    SELECT customer_id, sum(amount) AS total
    FROM staging.orders
    GROUP BY customer_id
) AS s
WHERE t.customer_id = s.customer_id;
