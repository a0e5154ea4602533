-- The task ran: log it (once: a second run of the same step would violate the primary key).
INSERT INTO trigger_log (step) VALUES (%(step)s);
