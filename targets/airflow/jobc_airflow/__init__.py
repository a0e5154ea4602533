"""Airflow 3 adapter for jobc."""

from .operator import JobcFunctionOperator

__all__ = ["JobcFunctionOperator"]

__version__ = "0.1.0"
