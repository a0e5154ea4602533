"""JobcFunctionOperator: runs a jobc function as an Airflow 3 task."""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import jobc_runtime
from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException


class JobcFunctionOperator(BaseOperator):
    """Run ``function_module.function_class(**function_kwargs)`` via jobc_runtime.

    Nothing is templated: kwargs come from the user's job definition and must
    reach the function verbatim, even when they contain ``{{ }}``. The return
    value is not pushed to XCom unless ``do_xcom_push=True`` is passed.

    ``run_params`` are the job's declared run parameters (IR ``job.params``):
    each attempt resolves the run's values from ``context["params"]`` (the DAG's
    ``Param`` defaults, overridden by the run's conf). ``on_failure`` is handed
    to the runtime, which alerts when the last attempt fails. A fan-out task is
    mapped over ``fan_out_item`` (``.partial(...).expand(fan_out_item=[...])``):
    each mapped instance gets its item as the kwarg ``fan_out_parameter``.
    ``function_folder`` and ``secret_folder`` are the project's when its jobc.yaml
    names other folders than the standard ones. The
    arguments every target shares become a ``jobc_runtime.TaskDefinition``
    (``self.definition``), checked when the DAG file is parsed.
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
        run_params: Sequence[Mapping[str, Any]] | None = None,
        on_failure: Mapping[str, Sequence[str]] | None = None,
        fan_out_parameter: str | None = None,
        fan_out_item: Any = None,
        function_folder: str | None = None,
        secret_folder: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("do_xcom_push", False)
        super().__init__(**kwargs)
        # Airflow itself applies the retry delay, the timeout (execution_timeout) and the trigger
        # rule; the definition needs the retries (the runtime alerts at the last attempt).
        self.definition = jobc_runtime.TaskDefinition(
            job_id=job_id,
            task_id=self.task_id,
            function_module=function_module,
            function_class=function_class,
            function_kwargs=function_kwargs,
            secret_key=secret_key,
            retries=int(self.retries or 0),
            on_failure=on_failure,
            for_each=fan_out_parameter,
        )
        # Deep copies: the operator must not share mutable state with the DAG file.
        self.run_params: list[dict[str, Any]] = copy.deepcopy([dict(param) for param in run_params or ()])
        self.fan_out_item = copy.deepcopy(fan_out_item)
        # The project's folders when its jobc.yaml names others than the standard ones (None: standard).
        self.function_folder = function_folder
        self.secret_folder = secret_folder

    def execute(self, context: Mapping[str, Any]) -> Any:
        # Manual runs in Airflow 3 may have no logical date: the run's
        # run_after is then the best "date this run is for".
        logical_date = context.get("logical_date") or context["dag_run"].run_after
        ti = context["ti"]
        attempt, _ = attempt_in_round(ti.try_number, getattr(ti, "max_tries", 0), self.definition.retries)
        return jobc_runtime.run_task(
            self.definition,
            run_id=context["run_id"],
            execution_date=logical_date,
            attempt=attempt,
            params=self._resolved_params(context),
            item=self.fan_out_item,
            logger=logging.getLogger(f"jobc.task.{self.definition.job_id}.{self.task_id}"),
            project_root=jobc_runtime.project_root_for_generated_code(
                self.dag.fileloc if self.has_dag() else None, function_folder=self.function_folder
            ),
            function_folder=self.function_folder,
            secret_folder=self.secret_folder,
        )

    def _resolved_params(self, context: Mapping[str, Any]) -> dict[str, Any]:
        # context["params"] holds the DAG's Param values with the run's conf
        # merged in, unknown names included: resolve_params refuses those. The
        # conf is merged again because a deployment may turn Airflow's merge off
        # (core.dag_run_conf_overrides_params), and a run's overrides must win.
        dag_run = context.get("dag_run")
        conf = getattr(dag_run, "conf", None) or {}
        overrides = {**(context.get("params") or {}), **conf}
        try:
            return jobc_runtime.resolve_params(self.run_params, overrides)
        except jobc_runtime.RunParameterError as error:
            # The run's parameters are wrong: another attempt cannot help.
            raise AirflowFailException(str(error)) from error


def attempt_in_round(try_number: int, max_tries: int, retries: int) -> tuple[int, int]:
    """(attempt, max_attempts) of the current round of tries, as the runtime counts them (it alerts
    at the last). Clearing a task keeps counting ``try_number`` and sets ``max_tries`` to
    ``try_number + retries``: the round starts at try ``max_tries - retries + 1``, as Airflow's own
    reschedule lookup computes it. Before any clear ``max_tries`` is ``retries`` (0 where the
    context does not carry it): the round starts at try 1."""
    first_try = max(0, max_tries - retries) + 1
    return max(1, try_number - first_try + 1), retries + 1
