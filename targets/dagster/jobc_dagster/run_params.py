"""jobc_params_resource: a job's run parameters as a Dagster resource with a typed config schema.

One ``Field`` per declared parameter (type, default, description), so a run overrides
parameters with run config ``{"resources": {"jobc_params": {"config": {NAME: VALUE}}}}``
and Dagster checks names and types before any op starts (Launchpad shows the fields
with their defaults). Ops of a job with parameters require the resource and pass the
run's values through ``jobc_runtime.resolve_params`` so every target applies the same
checks.

The values come from the run config as the run was given it, not from the resource's
processed config: Dagster's ``Float`` turns an integer into a float (``2`` → ``2.0``),
and a ``number`` parameter must reach the function as given, as on every other target.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
import jobc_runtime

RUN_PARAMS_RESOURCE_KEY = "jobc_params"

# jobc's parameter types as Dagster config types: Dagster's Float accepts ints too, like "number".
_CONFIG_TYPES = {"string": dg.String, "integer": dg.Int, "number": dg.Float, "boolean": dg.Bool}


def jobc_params_resource(declared: Sequence[Mapping[str, Any]]) -> dg.ResourceDefinition:
    """The ``jobc_params`` resource for the IR's ``job.params`` list.

    The resource's value is the declarations, which ops hand to ``jobc_runtime.resolve_params``
    with the run's overrides (:func:`run_param_values`).
    """
    declared = [dict(parameter) for parameter in declared]
    # Check the declarations now, so a broken definition fails when Dagster loads it.
    try:
        jobc_runtime.resolve_params(declared, None)
    except jobc_runtime.RunParameterError as error:
        raise ValueError(f"invalid run parameter declarations: {error}") from None
    schema = {
        parameter["name"]: dg.Field(
            _CONFIG_TYPES[parameter["type"]],
            default_value=parameter["default"],
            is_required=False,
            description=parameter.get("description"),
        )
        for parameter in declared
    }

    @dg.resource(config_schema=schema, description="jobc run parameters (override in run config)")
    def jobc_params(init_context) -> list[dict[str, Any]]:
        return declared

    return jobc_params


def run_param_values(context) -> dict[str, Any]:
    """The run's value of every parameter: its run config overrides (unprocessed), else the defaults."""
    declared = getattr(context.resources, RUN_PARAMS_RESOURCE_KEY)
    resources = context.run_config.get("resources") or {}
    overrides = (resources.get(RUN_PARAMS_RESOURCE_KEY) or {}).get("config")
    return jobc_runtime.resolve_params(declared, overrides)
