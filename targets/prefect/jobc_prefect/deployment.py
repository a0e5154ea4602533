"""The generated flow as a Prefect deployment: its schedule in UTC and the job's tags.

``python <job_id>.py`` calls ``serve``, which runs until stopped and starts the flow at every tick
(Prefect's scheduler service creates the runs, so the server must run it; ``prefect server start``
does). ``deployment`` builds the same deployment without serving it, for ``prefect deploy``-style
setups and for tests.
"""

from __future__ import annotations

from collections.abc import Sequence

from prefect import Flow
from prefect import serve as prefect_serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron


def deployment(flow: Flow, *, cron: str | None, tags: Sequence[str]) -> RunnerDeployment:
    """The flow's deployment, named after the flow (the job id): ``prefect deployment run JOB/JOB``."""
    schedules = [Cron(cron, timezone="UTC")] if cron is not None else []
    return flow.to_deployment(name=flow.name, schedules=schedules, tags=list(tags))


def serve(flow: Flow, *, cron: str | None, tags: Sequence[str]) -> None:
    """Serve the flow's deployment until stopped."""
    prefect_serve(deployment(flow, cron=cron, tags=tags))
