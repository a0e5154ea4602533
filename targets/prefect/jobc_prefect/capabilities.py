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
    },
    "workarounds": {
        "catchup": "Prefect schedules do not catch up missed runs: run each past day with "
                   "`prefect deployment run FLOW/DEPLOYMENT --param logical_date=YYYY-MM-DD`",
    },
}
