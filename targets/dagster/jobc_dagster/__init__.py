"""Dagster adapter for jobc."""

from .logical_date import LOGICAL_DATE_TAG
from .op import jobc_op
from .schedule import not_before

__all__ = ["LOGICAL_DATE_TAG", "jobc_op", "not_before"]

__version__ = "0.1.0"
