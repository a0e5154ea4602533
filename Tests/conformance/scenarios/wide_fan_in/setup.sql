CREATE TABLE conformance_partitions (partition_name text PRIMARY KEY);
CREATE TABLE conformance_partition_summary (ds date NOT NULL, partitions integer NOT NULL);
