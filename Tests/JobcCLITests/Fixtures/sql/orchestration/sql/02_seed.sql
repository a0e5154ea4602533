-- A day of source data; ON CONFLICT keeps reruns idempotent.
INSERT INTO staging.customers (id, name, country) VALUES
    (1, 'Ada', 'UK'), (2, 'Alan', 'UK'), (3, 'Grace', 'US')
ON CONFLICT (id) DO NOTHING;
INSERT INTO staging.suppliers (id, name) VALUES (1, 'Acme'), (2, 'Ada')
ON CONFLICT (id) DO NOTHING;
INSERT INTO staging.orders (id, customer_id, amount, note, day) VALUES
    (1, 1, 120.00, 'rush', %(execution_date)s),
    (2, 2, 35.50, NULL, %(execution_date)s),
    (3, 3, 310.00, '100%% prepaid', %(execution_date)s)
ON CONFLICT (id) DO NOTHING;
INSERT INTO marts.customer_totals (customer_id)
SELECT id FROM staging.customers
ON CONFLICT (customer_id) DO NOTHING;
