"""Prefect 3 target for jobc.

Two halves that never import each other: the plugin (``plugin``, ``ir``, ``ir_json``,
``refusals``, ``flow_module``, ``python_literal``, ``python_names``, ``capabilities``: standard
library only, so ``jobc-emit-prefect`` starts fast and runs without Prefect) and ``runtime``,
which the generated flows import and which imports Prefect. This file imports neither.
"""

__version__ = "0.1.0"
