"""jobc_items: the source of a fan-out task's runs (``for_each``).

Dagster's dynamic mapping: this op yields one ``DynamicOutput`` per item on its output
``items_`` (mapping keys ``item_0``, ``item_1``, ... so step keys are ``<task>[item_0]``...),
the task's op is ``.map()``-ed over it, and tasks waiting for the fan-out task take
``.collect()`` of the mapped outputs.

Dagster refuses an op that is both mapped over one dynamic output and collects another, so
when a fan-out task waits for another fan-out task, the items op collects it instead
(``collects``): it takes the collected outputs as inputs and passes each on as an output
named after the upstream task, which the mapped op takes like any other upstream output.
With ``outcomes`` (a job with trigger rules), that output is the upstream task's state
(failed if any of its runs failed, see ``outcomes.task_state``); otherwise ``Nothing``.
"""

from __future__ import annotations

import copy
import keyword
from collections.abc import Sequence
from typing import Any

import dagster as dg

from .outcomes import task_state

# Op names of jobc's helper ops end with "_", which no task id does (ids end with a letter or digit).
ITEMS_OP_SUFFIX = "_items_"
ITEMS_OUTPUT = "items_"


def jobc_items(*, task: str, items: Sequence[Any], collects: Sequence[str] = (),
               outcomes: bool = False) -> dg.OpDefinition:
    """The op ``<task>_items_`` that yields ``items`` as dynamic outputs, in order."""
    if not isinstance(task, str) or not task:
        raise ValueError(f"task must be a non-empty string, got {task!r}")
    if isinstance(items, (str, bytes)) or not isinstance(items, Sequence) or not items:
        raise ValueError(f"items must be a non-empty list, got {items!r}")
    if isinstance(collects, (str, bytes)) or not all(
            isinstance(key, str) and key.isidentifier() and not keyword.iskeyword(key) for key in collects):
        raise ValueError(f"collects must be a list of task keys, got {collects!r}")
    snapshot = copy.deepcopy(list(items))
    passed_type = dg.String if outcomes else dg.Nothing
    upstream_type = dg.Any if outcomes else dg.Nothing

    @dg.op(
        name=task + ITEMS_OP_SUFFIX,
        description=f"The items jobc task {task} runs for (for_each)",
        ins={key: dg.In(upstream_type) for key in collects},
        out={ITEMS_OUTPUT: dg.DynamicOut(dg.Any), **{key: dg.Out(passed_type) for key in collects}},
    )
    def _items(**upstream):
        for key in collects:
            yield dg.Output(task_state(upstream[key]) if outcomes else None, output_name=key)
        for index, item in enumerate(snapshot):
            yield dg.DynamicOutput(copy.deepcopy(item), mapping_key=f"item_{index}", output_name=ITEMS_OUTPUT)

    return _items
