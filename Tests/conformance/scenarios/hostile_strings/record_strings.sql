-- Stores every hostile kwarg as a row, through bind parameters (never spliced into the SQL).
CREATE TABLE conformance_strings (name text PRIMARY KEY, value text NOT NULL);
INSERT INTO conformance_strings (name, value) VALUES
    ('quotes', %(quotes)s),
    ('template', %(template)s),
    ('pyformat', %(pyformat)s),
    ('backslashes', %(backslashes)s),
    ('newlines', %(newlines)s),
    ('unicode', %(unicode)s),
    ('sql_injection', %(sql_injection)s),
    ('python_code', %(python_code)s);
