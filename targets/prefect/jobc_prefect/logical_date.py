"""Which logical date ("the date this run is for") a Prefect flow run has.

Prefect has no logical date of its own, so the flow derives it, in order:

1. the flow parameter ``logical_date`` (ISO 8601 date or date-time; set by manual runs and
   re-runs for a given day: ``prefect deployment run FLOW/DEPLOYMENT --param logical_date=2024-03-01``);
2. otherwise the time the run was scheduled for (Prefect's expected start time): the tick time
   of a scheduled run, as on Airflow 3 and Dagster, and the creation time of a manual run — the
   same for every task and every retry of the run.

The result is always timezone-aware UTC; a value without an offset is UTC, like jobc's own
``start_date``. An unparsable parameter fails the run rather than silently running for another day.
"""

from __future__ import annotations

import datetime

import jobc_runtime
from prefect import get_run_logger
from prefect.client.schemas.objects import FlowRun
from prefect.context import FlowRunContext
from prefect.states import Completed, State


def parse_logical_date(value: str) -> datetime.datetime:
    """An ISO 8601 date or date-time as UTC; a value without an offset is UTC."""
    try:
        return jobc_runtime.parse_logical_date(value)
    except ValueError as error:
        raise ValueError(f"logical_date {error}") from None


def run_logical_date(requested: str | None) -> datetime.datetime:
    """The logical date of the current flow run: ``requested``, else its scheduled time."""
    if requested:
        logical_date, source = parse_logical_date(requested), "the logical_date parameter"
    else:
        logical_date, source = _scheduled_time(_flow_run()), "the run's scheduled time"
    get_run_logger().info("logical date %s (from %s)", logical_date.isoformat(), source)
    return logical_date


def is_scheduled_before(start: datetime.datetime) -> bool:
    """True for a run the schedule created for a time before ``start`` (the job's start_date):
    Prefect schedules have no start date."""
    flow_run = _flow_run()
    return bool(flow_run.auto_scheduled) and _scheduled_time(flow_run) < start


def skipped_before(start: datetime.datetime) -> State:
    """The final state of a held-back run: completed, named Skipped, with nothing run."""
    scheduled = _scheduled_time(_flow_run())
    message = f"scheduled for {scheduled.isoformat()}, before the job's start_date {start.isoformat()}: no task ran"
    get_run_logger().info(message)
    return Completed(name="Skipped", message=message)


def _flow_run() -> FlowRun:
    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        raise RuntimeError("jobc_prefect: the logical date is only known inside a flow run")
    return context.flow_run


def _scheduled_time(flow_run: FlowRun) -> datetime.datetime:
    moment = flow_run.expected_start_time or flow_run.created
    if moment is None:
        raise RuntimeError(f"flow run {flow_run.id} has neither an expected start time nor a creation time")
    return jobc_runtime.as_utc(moment)
