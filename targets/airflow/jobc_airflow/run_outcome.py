"""JobcRunOutcomeOperator: fails the run when any task of it failed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException

RUN_OUTCOME_TASK_ID = "jobc-run-outcome"


class JobcRunOutcomeOperator(BaseOperator):
    """The last task of a DAG whose job uses trigger rules; downstream of every task.

    A ``one_failed`` or ``all_done`` task that ran after a failure may succeed
    and leave Airflow with a successful run, but in jobc a run fails whenever
    any of its tasks failed. This task runs only then (trigger rule
    ``one_failed``) and fails, naming the failed tasks; when nothing failed it
    is skipped and leaves the run's state alone.
    """

    template_fields = ()
    ui_color = "#f2d9d9"

    def __init__(self, *, task_id: str = RUN_OUTCOME_TASK_ID, **kwargs: Any) -> None:
        if "trigger_rule" in kwargs:
            raise ValueError("JobcRunOutcomeOperator always uses the trigger rule one_failed")
        kwargs.setdefault("do_xcom_push", False)
        # One attempt: retrying cannot undo the failures it reports.
        super().__init__(task_id=task_id, trigger_rule="one_failed", retries=0, **kwargs)

    def execute(self, context: Mapping[str, Any]) -> None:
        failed = self._failed_tasks(context)
        listed = ", ".join(failed) if failed else "(none reported yet)"
        raise AirflowFailException(f"the run failed because these tasks failed: {listed}")

    def _failed_tasks(self, context: Mapping[str, Any]) -> list[str]:
        """Failed task ids, a mapped instance as ``<task_id>_<map_index>`` (Airflow's spelling).

        one_failed fires as soon as one upstream task failed, so tasks still
        running are not in the list.
        """
        run_id = context["run_id"]
        states = context["ti"].get_task_states(
            dag_id=self.dag_id, task_ids=sorted(self.upstream_task_ids), run_ids=[run_id]
        )
        return sorted(key for key, state in states.get(run_id, {}).items() if str(state) == "failed")
