"""File-based secret store: one JSON object per secret.

``resolve_secret("postgres_credentials")`` reads
``<JOBC_SECRET_DIR or <project root>/<secrets folder>>/postgres_credentials.json``, the secrets
folder being ``secret`` unless the project's jobc.yaml names another (generated code passes it).
Values are never logged and never put into error messages.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import types
from collections.abc import Mapping
from typing import Any

from .errors import SecretError
from .project import find_project_root

SECRET_DIR_ENV = "JOBC_SECRET_DIR"
DEFAULT_SECRET_DIR = "secret"
# Names become file names: allowing only these characters rules out path
# traversal ("../x"), absolute paths and hidden files. Used with fullmatch,
# not `^...$`: `$` would also accept a trailing newline.
_SECRET_NAME = re.compile(r"[A-Za-z0-9_-]+")


def secret_dir(project_root: pathlib.Path | None = None, secret_folder: str | None = None) -> pathlib.Path:
    configured = os.environ.get(SECRET_DIR_ENV)
    if configured:
        return pathlib.Path(configured).expanduser()
    root = find_project_root() if project_root is None else pathlib.Path(project_root)
    return root / (DEFAULT_SECRET_DIR if secret_folder is None else pathlib.PurePosixPath(secret_folder))


def resolve_secret(
    name: str, project_root: pathlib.Path | None = None, secret_folder: str | None = None
) -> Mapping[str, Any]:
    """Return the secret ``name`` as a read-only mapping."""
    if not isinstance(name, str) or not _SECRET_NAME.fullmatch(name):
        raise SecretError(f"invalid secret name {name!r}: only letters, digits, '_' and '-' are allowed")
    path = secret_dir(project_root, secret_folder) / f"{name}.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SecretError(f"secret {name!r} not found: {path} does not exist") from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise SecretError(f"secret {name!r} could not be read from {path}: {reason}") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        # `from None`: the decode error keeps the whole document in `.doc`.
        raise SecretError(
            f"secret {name!r} in {path} is not valid JSON (line {error.lineno}, column {error.colno})"
        ) from None
    if not isinstance(value, dict):
        raise SecretError(f"secret {name!r} in {path} must be a JSON object, got {type(value).__name__}")
    return types.MappingProxyType(value)
