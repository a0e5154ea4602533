"""Engine-free base class for jobc task functions.

A *function* is the unit of work a jobc task runs. The same function class is
driven by every engine adapter (Airflow, Dagster, Cloud Workflows, Prefect)
through ``jobc_runtime.run_task``, so this module must never import engine
code: everything an engine knows about a run is handed over in an
:class:`ExecutionContext`, including the run's parameters (``ctx.params``).

Lifecycle driven by :meth:`Function.run`::

    pre_execute -> execute -> post_execute -> on_success      (happy path)
                                  |
                        any of these raises
                                  v
        on_retry   (another attempt will follow)   or
        on_failure (this was the last attempt)
        ... then the original exception is re-raised, so the engine still sees
        the real error and applies its own retry policy.

After a failed last attempt ``run_task`` also sends the job's failure alerts
(``on_failure:`` in the job file), with ``"<ExceptionType>: <message>"`` of the
error: never put a secret into an exception's message.
"""

from __future__ import annotations

import abc
import dataclasses
import datetime
import logging
import pathlib
import types
from collections.abc import Mapping
from typing import Any, ClassVar

__all__ = [
    "ExecutionContext",
    "Function",
    "FunctionConfigurationError",
    "FunctionParameterError",
]


class FunctionParameterError(ValueError):
    """A function was constructed with missing or invalid kwargs."""


class FunctionConfigurationError(RuntimeError):
    """A function cannot run with the context it was given (e.g. no secret)."""


def _empty_params() -> Mapping[str, Any]:
    return types.MappingProxyType({})


def _default_logger() -> logging.Logger:
    return logging.getLogger("jobc.function")


@dataclasses.dataclass(frozen=True)
class ExecutionContext:
    """Everything a function may know about the run it belongs to.

    ``secret`` holds the resolved secret *value*; it is excluded from ``repr``
    so that logging a context (or an exception that embeds one) cannot leak it.
    """

    job_id: str
    task_id: str
    run_id: str
    # The logical date of the run (what Airflow calls ``logical_date``); must
    # be timezone-aware so that "which day is this run for" is unambiguous.
    execution_date: datetime.datetime
    attempt: int  # 1-based
    max_attempts: int
    # Root of the jobc project; relative paths in task kwargs (e.g. SQL files)
    # are resolved against it so that functions never depend on the cwd.
    project_root: pathlib.Path
    secret: Mapping[str, Any] | None = dataclasses.field(default=None, repr=False)
    # The run's parameters (the job's ``params:``, with this run's overrides applied): every
    # declared name with its value. Read-only, so one task cannot change what later tasks see.
    params: Mapping[str, Any] = dataclasses.field(default_factory=_empty_params)
    logger: logging.Logger = dataclasses.field(default_factory=_default_logger, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.execution_date, datetime.datetime):
            raise TypeError(
                f"execution_date must be a datetime.datetime, got {type(self.execution_date).__name__}"
            )
        if self.execution_date.tzinfo is None or self.execution_date.utcoffset() is None:
            raise ValueError(f"execution_date must be timezone-aware, got naive {self.execution_date!r}")
        if self.attempt < 1:
            raise ValueError(f"attempt is 1-based, got {self.attempt}")
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts}")
        # Engines may legitimately report attempt > max_attempts (e.g. a task
        # cleared and re-run by hand), so that is not rejected here.
        object.__setattr__(self, "project_root", pathlib.Path(self.project_root))
        if not isinstance(self.params, Mapping):
            raise TypeError(f"params must be a mapping, got {type(self.params).__name__}")
        object.__setattr__(self, "params", types.MappingProxyType(dict(self.params)))

    @property
    def execution_date_str(self) -> str:
        """The logical date as ``YYYY-MM-DD`` (in the date's own timezone)."""
        # date.isoformat always zero-pads the year; strftime("%Y") does not on glibc.
        return self.execution_date.date().isoformat()

    @property
    def is_last_attempt(self) -> bool:
        """True when a failure now will not be retried by the engine."""
        return self.attempt >= self.max_attempts


# Exceptions that mean "stop the process now": no user hook runs for them.
# Everything else, including BaseException subclasses that engines use for
# task timeouts/termination, counts as a failed attempt.
_NO_HOOK_EXCEPTIONS = (KeyboardInterrupt, SystemExit, GeneratorExit)


class Function(abc.ABC):
    """Base class of every jobc task function.

    Subclasses declare ``required_params`` (kwargs that must be present and not
    None) and ``requires_secret``, implement :meth:`execute`, and may override
    any lifecycle hook. The task's kwargs are available as ``self.kwargs``.
    """

    required_params: ClassVar[tuple[str, ...]] = ()
    requires_secret: ClassVar[bool] = False

    def __init__(self, **kwargs: Any) -> None:
        missing = [name for name in self.required_params if kwargs.get(name) is None]
        if missing:
            raise FunctionParameterError(
                f"{type(self).__name__} is missing required parameter(s): {', '.join(missing)}"
            )
        self.kwargs: dict[str, Any] = dict(kwargs)

    # -- lifecycle hooks ---------------------------------------------------

    def pre_execute(self, ctx: ExecutionContext) -> None:
        """Runs before :meth:`execute`; a failure here fails the attempt."""

    @abc.abstractmethod
    def execute(self, ctx: ExecutionContext) -> Any:
        """Do the work; the return value should be JSON-friendly."""

    def post_execute(self, ctx: ExecutionContext, result: Any) -> None:
        """Runs after :meth:`execute`; a failure here fails the attempt."""

    def on_success(self, ctx: ExecutionContext, result: Any) -> None:
        """Runs once the attempt has succeeded."""

    def on_failure(self, ctx: ExecutionContext, error: BaseException) -> None:
        """Runs when the last attempt failed (no retry will follow)."""

    def on_retry(self, ctx: ExecutionContext, error: BaseException) -> None:
        """Runs when an attempt failed and the engine will retry."""

    # -- driver ------------------------------------------------------------

    def run(self, ctx: ExecutionContext) -> Any:
        """Drive the lifecycle for one attempt and return ``execute``'s result.

        The original exception is always re-raised after the failure hook so
        the engine records the real cause. An exception raised by
        ``on_success`` propagates as is (the failure hooks are not called: the
        work itself completed).
        """
        if self.requires_secret and ctx.secret is None:
            raise FunctionConfigurationError(
                f"{type(self).__name__} requires a secret but the task has no secret configured "
                f"(job {ctx.job_id!r}, task {ctx.task_id!r})"
            )
        try:
            self.pre_execute(ctx)
            result = self.execute(ctx)
            self.post_execute(ctx, result)
        except _NO_HOOK_EXCEPTIONS:
            raise
        except BaseException as error:
            self._run_failure_hook(ctx, error)
            raise
        self.on_success(ctx, result)
        return result

    def _run_failure_hook(self, ctx: ExecutionContext, error: BaseException) -> None:
        hook_name = "on_failure" if ctx.is_last_attempt else "on_retry"
        hook = self.on_failure if ctx.is_last_attempt else self.on_retry
        try:
            hook(ctx, error)
        except Exception:
            # A broken hook must not mask the error that actually failed the
            # attempt; log it and let the caller re-raise the original.
            ctx.logger.exception(
                "%s.%s raised while handling %s; re-raising the original error",
                type(self).__name__,
                hook_name,
                type(error).__name__,
            )
