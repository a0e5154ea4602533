-- Fan-in: runs once, after every run of load_item; the CHECK fails it unless all 3 rows are there.
CREATE TABLE fan_summary (ds date NOT NULL, items integer NOT NULL CHECK (items = 3), total_weight integer NOT NULL);
INSERT INTO fan_summary (ds, items, total_weight)
SELECT %(execution_date)s, count(*), sum(weight) FROM fan_rows;
