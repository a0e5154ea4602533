INSERT INTO conformance_partitions (partition_name) VALUES (%(partition_name)s);
