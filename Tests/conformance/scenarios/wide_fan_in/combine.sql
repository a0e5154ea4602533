-- Runs once, after every partition: the count must be all of them.
INSERT INTO conformance_partition_summary (ds, partitions)
SELECT %(execution_date)s, count(*) FROM conformance_partitions;
