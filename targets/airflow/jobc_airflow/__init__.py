"""Airflow 3 adapter for jobc."""

from .operator import JobcFunctionOperator
from .run_outcome import RUN_OUTCOME_TASK_ID, JobcRunOutcomeOperator

__all__ = ["RUN_OUTCOME_TASK_ID", "JobcFunctionOperator", "JobcRunOutcomeOperator"]

__version__ = "0.1.0"
