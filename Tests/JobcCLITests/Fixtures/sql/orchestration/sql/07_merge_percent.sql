-- Temporary work table: session-local, not lineage.
CREATE TEMP TABLE uk_customers ON COMMIT DROP AS
SELECT id, name FROM staging.customers WHERE country = 'UK' AND name LIKE 'A%%';

MERGE INTO marts.customer_totals AS t
USING uk_customers AS u ON t.customer_id = u.id
WHEN MATCHED THEN UPDATE SET total = t.total
WHEN NOT MATCHED THEN INSERT (customer_id, total) VALUES (u.id, 0);

TRUNCATE "Reporting"."Q1 Summary";
INSERT INTO "Reporting"."Q1 Summary" (label)
SELECT marts.order_band(amount) || ' (' || round(100.0 * amount / sum(amount) OVER (), 1) || '%%)'
FROM marts.big_orders;
