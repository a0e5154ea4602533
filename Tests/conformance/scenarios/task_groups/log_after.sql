-- Logs this step with how many of the steps it must follow (comma-separated in %(after)s) are
-- already logged; the CHECK constraint fails the task if one is missing (it ran too early).
INSERT INTO group_log (step, seen, expected)
SELECT %(step)s, count(*), cardinality(string_to_array(%(after)s, ','))
FROM group_log
WHERE step = ANY (string_to_array(%(after)s, ','));
