"""What the Prefect target can express, in the words of `jobc targets` (docs/plugins.md)."""

from __future__ import annotations

PROTOCOL_VERSION = 1

CAPABILITIES = {
    "protocolVersion": PROTOCOL_VERSION,
    "summary": "Prefect 3 flows (one Python module per job, a task per jobc task)",
    "supported": {
        "cron-schedule": "Cron schedule in UTC on the deployment the module's `serve` creates; "
                         "scheduled runs before start_date finish as Skipped",
        "retries": "task retries",
        "retry-delay": "task retry_delay_seconds",
        "task-timeout": "task timeout_seconds (in a worker thread Prefect interrupts Python code, "
                        "not a blocking call: set server-side limits too)",
        "tags": "tags of every task run and of the served deployment",
        "secrets": "resolved by name at run time by jobc_task",
        "run-params": "typed flow parameters with the declared defaults (`prefect deployment run JOB/JOB "
                      "--param NAME=VALUE`); jobc_runtime checks each run's values and passes them to every task",
        "failure-alerts": "sent by jobc_runtime when a task's last attempt fails",
        "task-groups": "Prefect has no task groups: each task run is tagged `jobc/group:NAME` for its group and "
                       "every enclosing group (groups never change what runs)",
        "fan-out": "the task's `map` over its items: one task run per item, each retried on its own; "
                   "a task after it waits for every run",
    },
    "workarounds": {
        "trigger-rules": "not expressible (a Prefect task runs only when all its upstream tasks completed): "
                         "compile jobs with trigger_rule for airflow, dagster or cloud-workflows",
        "catchup": "Prefect schedules do not catch up missed runs: run each past day with "
                   "`prefect deployment run FLOW/DEPLOYMENT --param logical_date=YYYY-MM-DD`",
    },
}
