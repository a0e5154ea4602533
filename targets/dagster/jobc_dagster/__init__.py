"""Dagster adapter for jobc."""

from .fan_out import jobc_items
from .logical_date import LOGICAL_DATE_TAG
from .op import jobc_op
from .outcomes import jobc_run_outcome_op
from .run_params import jobc_params_resource
from .schedule import not_before

__all__ = ["LOGICAL_DATE_TAG", "jobc_items", "jobc_op", "jobc_params_resource", "jobc_run_outcome_op", "not_before"]

__version__ = "0.1.0"
