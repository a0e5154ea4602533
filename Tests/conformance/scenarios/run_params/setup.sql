CREATE TABLE params_orders (region text NOT NULL, item text NOT NULL, quantity integer NOT NULL, price numeric(10, 2) NOT NULL);
INSERT INTO params_orders (region, item, quantity, price) VALUES
  ('south', 'widget', 1, 10.00),
  ('south', 'gadget', 4, 2.50),
  ('north', 'widget', 2, 10.00),
  ('north', 'gizmo', 3, 7.00),
  ('north', 'gadget', 5, 2.50);
