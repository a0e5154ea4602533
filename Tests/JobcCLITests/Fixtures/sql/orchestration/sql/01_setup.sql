-- Schemas and source tables (idempotent).
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS marts;
CREATE TABLE IF NOT EXISTS staging.customers (id integer PRIMARY KEY, name text NOT NULL, country text);
CREATE TABLE IF NOT EXISTS staging.suppliers (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE IF NOT EXISTS staging.orders (
    id integer PRIMARY KEY,
    customer_id integer REFERENCES staging.customers (id),
    amount numeric(12, 2) NOT NULL,
    note text,
    day date NOT NULL
);
CREATE TABLE IF NOT EXISTS marts.daily_orders (day date, customer text, orders integer, amount numeric(12, 2));
CREATE TABLE IF NOT EXISTS marts.customer_totals (customer_id integer PRIMARY KEY, total numeric(12, 2) NOT NULL DEFAULT 0);
CREATE SCHEMA IF NOT EXISTS "Reporting";
CREATE TABLE IF NOT EXISTS "Reporting"."Q1 Summary" (label text);
