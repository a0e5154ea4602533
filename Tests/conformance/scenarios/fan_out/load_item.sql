-- One run per item: the item is a bind parameter like any kwarg (a second run with the same item
-- would violate the primary key).
INSERT INTO fan_rows (ds, item, weight) VALUES (%(execution_date)s, %(item)s, %(weight)s);
