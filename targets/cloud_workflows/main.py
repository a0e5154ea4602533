"""Entry point for Cloud Run functions / functions-framework: ``--target jobc_executor``."""

from jobc_cloud_workflows import jobc_executor

__all__ = ["jobc_executor"]
