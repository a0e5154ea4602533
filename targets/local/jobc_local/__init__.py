"""The local executor behind `jobc run`: one job, run on this machine with the engines' semantics.

`jobc run` starts ``python -m jobc_local``, sends the plan (protocol.py) as one JSON line on stdin and
reads JSON-lines events on stdout. Run semantics (trigger rules, retries, timeouts, fan-out, run
parameters, failure alerts) come from jobc_runtime, as on every engine.
"""

from .protocol import PROTOCOL_VERSION

__all__ = ["PROTOCOL_VERSION"]
