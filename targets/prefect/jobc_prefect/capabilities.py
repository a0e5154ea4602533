"""What the Prefect target can express and the names it keeps, in the words of `jobc targets`
(docs/plugins.md, the answer to ``--capabilities``)."""

from __future__ import annotations

import sys
from collections.abc import Mapping

PROTOCOL_VERSION = 2

# The feature names of protocol version 2 as first published: all that a jobc which does not list
# the names it knows (no JOBC_FEATURES in the environment) accepts.
FIRST_FEATURES = frozenset({"cron-schedule", "catchup", "retries", "retry-delay", "task-timeout", "tags", "secrets",
                            "run-params", "failure-alerts", "trigger-rules", "task-groups", "fan-out"})

# What the generated `<job_id>.py` and the runtime import: a job id of that name would shadow it for
# every module in the flows' folder. The standard library is declared apart.
IMPORTED_MODULES = ("function_abstract", "jobc_prefect", "jobc_runtime", "prefect", "psycopg2")

CAPABILITIES = {
    "protocolVersion": PROTOCOL_VERSION,
    "summary": "Prefect 3 flows (one Python module per job, a task per jobc task)",
    "supported": {
        "cron-schedule": "Cron schedule in UTC on the deployment the module's `serve` creates; "
                         "scheduled runs before start_date finish as Skipped",
        "start-date": "scheduled runs before start_date finish as Skipped, however early the deployment is served",
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
    # None: the module renames its own names around task keys and run parameters, and the one name
    # a run parameter cannot take here (logical_date, the flow's own parameter) jobc reserves for
    # every target.
    "reservedIdentifiers": [],
    "jobModule": {
        "language": "Python",
        "fileExtension": ".py",
        "importedModules": list(IMPORTED_MODULES),
        # Of the Python that runs the plugin: the flows should run on the same version.
        "standardLibrary": sorted(name for name in sys.stdlib_module_names if not name.startswith("_")),
    },
    "options": [],
}


def capabilities_for(environment: Mapping[str, str]) -> dict:
    """CAPABILITIES as the jobc that runs the plugin reads them: jobc refuses a feature name it does
    not know, so only the features it lists in JOBC_FEATURES (comma-separated; FIRST_FEATURES when
    it lists none) are declared. A feature jobc does not know is one it never reports."""
    listed = environment.get("JOBC_FEATURES")
    known = FIRST_FEATURES if listed is None else frozenset(listed.split(","))
    answer = dict(CAPABILITIES)
    for field in ("supported", "workarounds"):
        answer[field] = {feature: note for feature, note in CAPABILITIES[field].items() if feature in known}
    return answer
