"""Errors raised by the jobc runtime; all derive from JobcRuntimeError."""

from __future__ import annotations


class JobcRuntimeError(Exception):
    """Base class of every error raised by jobc_runtime itself."""


class ProjectRootNotFoundError(JobcRuntimeError):
    """The jobc project root could not be determined."""


class FunctionLoadError(JobcRuntimeError):
    """A task's function class could not be imported or is not a Function."""


class SecretError(JobcRuntimeError):
    """A secret could not be resolved. Messages never contain secret values."""


class TaskConfigurationError(JobcRuntimeError):
    """run_task was called with arguments that cannot describe a valid run."""


class TaskDefinitionError(TaskConfigurationError, ValueError, TypeError):
    """A task definition (TaskDefinition, built when the generated file is loaded) is invalid.

    Also a ValueError and a TypeError: each adapter raised one or the other for these checks before
    they moved into the runtime, and code catching either must keep catching them."""
