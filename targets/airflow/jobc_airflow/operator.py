"""JobcFunctionOperator: runs a jobc function as an Airflow 3 task."""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import jobc_runtime
from airflow.sdk import BaseOperator


class JobcFunctionOperator(BaseOperator):
    """Run ``function_module.function_class(**function_kwargs)`` via jobc_runtime.

    Nothing is templated: kwargs come from the user's job definition and must
    reach the function verbatim, even when they contain ``{{ }}``. The return
    value is not pushed to XCom unless ``do_xcom_push=True`` is passed.
    """

    template_fields: Sequence[str] = ()
    ui_color = "#d9ecf2"

    def __init__(
        self,
        *,
        job_id: str,
        function_module: str,
        function_class: str,
        function_kwargs: Mapping[str, Any] | None = None,
        secret_key: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("do_xcom_push", False)
        super().__init__(**kwargs)
        # Cheap checks only: a bad DAG should fail at parse time, but the
        # function itself is imported at run time (the DAG processor need not
        # have the function's dependencies, e.g. psycopg2).
        required = {"job_id": job_id, "function_module": function_module, "function_class": function_class}
        for name, value in required.items():
            if not isinstance(value, str) or not value:
                raise ValueError(f"{name} must be a non-empty string, got {value!r}")
        if secret_key is not None and (not isinstance(secret_key, str) or not secret_key):
            raise ValueError(f"secret_key must be a non-empty string or None, got {secret_key!r}")
        if function_kwargs is not None and not isinstance(function_kwargs, Mapping):
            raise TypeError(f"function_kwargs must be a mapping, got {type(function_kwargs).__name__}")
        self.job_id = job_id
        self.function_module = function_module
        self.function_class = function_class
        # Deep copy: the operator must not share mutable state with the DAG file.
        self.function_kwargs: dict[str, Any] = copy.deepcopy(dict(function_kwargs or {}))
        self.secret_key = secret_key

    def execute(self, context: Mapping[str, Any]) -> Any:
        # Manual runs in Airflow 3 may have no logical date: the run's
        # run_after is then the best "date this run is for".
        logical_date = context.get("logical_date") or context["dag_run"].run_after
        params = context.get("params") or {}
        return jobc_runtime.run_task(
            job_id=self.job_id,
            task_id=self.task_id,
            run_id=context["run_id"],
            execution_date=logical_date,
            attempt=context["ti"].try_number,
            max_attempts=int(self.retries or 0) + 1,
            module=self.function_module,
            class_name=self.function_class,
            kwargs=self.function_kwargs,
            secret_key=self.secret_key,
            params=dict(params),
            logger=logging.getLogger(f"jobc.task.{self.job_id}.{self.task_id}"),
            project_root=jobc_runtime.project_root_for_generated_code(self.dag.fileloc if self.has_dag() else None),
        )

