"""Test fixture stand-in for postgres_sql_function.py: jobc only checks that the module file exists."""


class PostgreSQLFunction:
    pass
