CREATE OR REPLACE VIEW marts.big_orders AS
SELECT o.id, o.amount, c.name
FROM staging.orders o
LEFT JOIN staging.customers c ON c.id = o.customer_id
WHERE o.amount > (SELECT avg(amount) FROM staging.orders);

-- A dollar-quoted body: jobc does not look into it, PostgreSQL runs it.
CREATE OR REPLACE FUNCTION marts.order_band(amount numeric) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $body$
BEGIN
    IF amount > 100 THEN
        RETURN 'big';  -- no percent sign here: psycopg2 would see it
    END IF;
    RETURN 'small';
END
$body$;
