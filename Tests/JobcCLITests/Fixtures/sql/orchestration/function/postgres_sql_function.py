"""Run one SQL file against PostgreSQL in a single transaction.

Task kwargs:

``sql_file_path`` (required)
    Path of the SQL file, relative to the project root. Absolute paths and
    paths that escape the project root are refused.
``use_dict_cursor`` (optional, default ``True``)
    Use a ``RealDictCursor`` (rows as dicts) instead of the tuple cursor.
any other kwarg
    A bind parameter for the SQL file.

The runtime adds the bind parameter ``execution_date`` (the run's logical date
as ``YYYY-MM-DD``), and one bind parameter per run parameter (the job's
``params:``, as resolved for this run: ``ctx.params``). A task may not set
``execution_date`` in its kwargs, and a kwarg named like a run parameter fails
the attempt: which of the two values ``%(name)s`` means would be ambiguous.

Placeholders use psycopg2's *pyformat* style: ``%(name)s``. Because the file is
always executed with parameters, every literal percent sign in the SQL must be
doubled: write ``LIKE 'a%%'`` for ``LIKE 'a%'``.

The whole file runs in ONE transaction: it is committed only if every statement
succeeded and rolled back on any error, so a failed attempt leaves nothing
half-written. The connection is always closed. For the same reason the file
must not contain transaction control (BEGIN/COMMIT/ROLLBACK) of its own.

The secret must be a mapping with the keys ``host``, ``user``, ``password`` and
the database name as ``database`` or ``dbname`` (both may be present only if
they agree). ``port`` is optional: without it libpq's default applies, 5432
(or ``PGPORT`` when the worker sets it). ``sslmode`` and ``connect_timeout``
are optional too. Errors name keys, never values.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping
from typing import Any

import psycopg2
import psycopg2.extras
from function_abstract import ExecutionContext, Function, FunctionConfigurationError, FunctionParameterError

__all__ = ["PostgreSQLFunction"]

_REQUIRED_SECRET_KEYS = ("host", "user", "password")
_DATABASE_KEYS = ("database", "dbname")
_DEFAULT_CONNECT_TIMEOUT_SECONDS = 10
_RUNTIME_PARAMS = ("execution_date",)


class PostgreSQLFunction(Function):
    required_params = ("sql_file_path",)
    requires_secret = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        params = dict(kwargs)
        self.sql_file_path = str(params.pop("sql_file_path"))
        self.use_dict_cursor = params.pop("use_dict_cursor", True)
        if not isinstance(self.use_dict_cursor, bool):
            raise FunctionParameterError(
                f"use_dict_cursor must be a boolean, got {type(self.use_dict_cursor).__name__}"
            )
        clashes = [name for name in _RUNTIME_PARAMS if name in params]
        if clashes:
            raise FunctionParameterError(
                f"parameter(s) {', '.join(clashes)} are supplied by the runtime and cannot be set in kwargs"
            )
        # Everything left over is a SQL bind parameter.
        self.sql_params: dict[str, Any] = params

    def execute(self, ctx: ExecutionContext) -> dict[str, Any]:
        params = self.bind_parameters(ctx)
        sql = _read_sql(self.resolve_sql_path(ctx.project_root))
        ctx.logger.info(
            "Running SQL file %s for %s (job %s, task %s, attempt %d/%d, parameters: %s)",
            self.sql_file_path,
            ctx.execution_date_str,
            ctx.job_id,
            ctx.task_id,
            ctx.attempt,
            ctx.max_attempts,
            ", ".join(sorted(params)),
        )
        connection = psycopg2.connect(**_connect_kwargs(ctx.secret), application_name=_application_name(ctx))
        try:
            cursor_factory = psycopg2.extras.RealDictCursor if self.use_dict_cursor else None
            with connection.cursor(cursor_factory=cursor_factory) as cursor:
                # psycopg2 opens a transaction implicitly (autocommit is off),
                # so every statement of the file shares it.
                cursor.execute(sql, params)
                rowcount = cursor.rowcount
            connection.commit()
        except BaseException:
            _rollback_quietly(connection, ctx)
            raise
        finally:
            connection.close()
        ctx.logger.info("SQL file %s committed (rowcount %d)", self.sql_file_path, rowcount)
        return {"rowcount": rowcount}

    def bind_parameters(self, ctx: ExecutionContext) -> dict[str, Any]:
        """The kwargs' bind parameters, the run parameters and ``execution_date``."""
        reserved = sorted(name for name in ctx.params if name in _RUNTIME_PARAMS)
        if reserved:
            raise FunctionParameterError(
                f"run parameter(s) {', '.join(reserved)} are supplied by the runtime and cannot be run parameters"
            )
        clashes = sorted(name for name in ctx.params if name in self.sql_params)
        if clashes:
            raise FunctionParameterError(
                f"kwarg(s) {', '.join(clashes)} have the name of a run parameter: %(name)s would be ambiguous; "
                "rename the kwarg or use the run parameter"
            )
        return {**self.sql_params, **ctx.params, "execution_date": ctx.execution_date_str}

    def resolve_sql_path(self, project_root: pathlib.Path) -> pathlib.Path:
        """Absolute path of the SQL file, refusing anything outside the root."""
        relative = pathlib.PurePath(self.sql_file_path)
        if relative.is_absolute():
            raise FunctionParameterError(
                f"sql_file_path must be relative to the project root, got absolute path {self.sql_file_path!r}"
            )
        root = pathlib.Path(project_root).resolve()
        candidate = (root / relative).resolve()
        if not candidate.is_relative_to(root):
            raise FunctionParameterError(
                f"sql_file_path {self.sql_file_path!r} escapes the project root {str(root)!r}"
            )
        return candidate


def _read_sql(path: pathlib.Path) -> str:
    try:
        sql = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FunctionParameterError(f"SQL file not found: {path}") from None
    except IsADirectoryError:
        raise FunctionParameterError(f"SQL file path is a directory: {path}") from None
    if not sql.strip():
        raise FunctionParameterError(f"SQL file is empty: {path}")
    return sql


def _connect_kwargs(secret: Mapping[str, Any] | None) -> dict[str, Any]:
    """psycopg2.connect kwargs from the secret; errors name keys, never values."""
    if not isinstance(secret, Mapping):
        raise FunctionConfigurationError("PostgreSQL secret must be a mapping of connection settings")
    missing = [key for key in _REQUIRED_SECRET_KEYS if secret.get(key) in (None, "")]
    database_keys = [key for key in _DATABASE_KEYS if secret.get(key) not in (None, "")]
    if not database_keys:
        missing.append(" or ".join(_DATABASE_KEYS))
    if missing:
        raise FunctionConfigurationError(f"PostgreSQL secret is missing key(s): {', '.join(missing)}")
    databases = {str(secret[key]) for key in database_keys}
    if len(databases) > 1:
        raise FunctionConfigurationError(
            "PostgreSQL secret names the database twice, as 'database' and 'dbname', with different values; keep one"
        )
    # Other keys are ignored: secret stores often carry metadata next to the
    # connection settings.
    kwargs: dict[str, Any] = {
        "host": str(secret["host"]),
        "dbname": databases.pop(),
        "user": str(secret["user"]),
        "password": str(secret["password"]),
        "connect_timeout": (
            _int_setting(secret, "connect_timeout") if "connect_timeout" in secret else _DEFAULT_CONNECT_TIMEOUT_SECONDS
        ),
    }
    if secret.get("port") not in (None, ""):
        kwargs["port"] = _int_setting(secret, "port")
    if "sslmode" in secret:
        kwargs["sslmode"] = str(secret["sslmode"])
    return kwargs


def _int_setting(secret: Mapping[str, Any], key: str) -> int:
    value = secret[key]
    if isinstance(value, bool):  # bool is an int subclass; True is no port
        raise FunctionConfigurationError(f"PostgreSQL secret key {key!r} must be an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise FunctionConfigurationError(f"PostgreSQL secret key {key!r} must be an integer") from None


def _rollback_quietly(connection: Any, ctx: ExecutionContext) -> None:
    # Called while an error is propagating: a failing rollback (e.g. the
    # server went away) must not replace that error. Closing the connection
    # discards the open transaction on the server anyway.
    try:
        connection.rollback()
    except psycopg2.Error as rollback_error:
        ctx.logger.warning("Rollback failed (%s); the connection is closed without commit", rollback_error)


def _application_name(ctx: ExecutionContext) -> str:
    # Shows up in pg_stat_activity, which makes a running task easy to find.
    # PostgreSQL truncates application_name to 63 bytes.
    return f"jobc:{ctx.job_id}:{ctx.task_id}"[:63]
