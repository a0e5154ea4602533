"""Run jobc-generated Prefect 3 flows for real, offline, against one Prefect server per session.

Prefect lives in its own virtualenv (JOBC_PREFECT_VENV, see requirements-prefect.txt, default
<repo>/.venv/prefect), not in the Airflow venv that runs pytest, so every Prefect action is a
subprocess of that venv (see prefect_flow_runner.py). A Prefect flow needs an API server; letting
each run start its own temporary one costs ~10 s a run, so the harness starts `prefect server
start` once (SQLite in a private PREFECT_HOME, on a free port of 127.0.0.1) and points every run at
it. Each run is still a fresh interpreter with exactly the environment built here.

Environment given to Prefect (every inherited PREFECT_* variable is dropped):

    PREFECT_HOME                          the harness's private home: the SQLite database, profiles
    PREFECT_API_URL                       the harness's server (runs only)
    PREFECT_SERVER_ALLOW_EPHEMERAL_MODE   false: a run without the server fails, never starts its own
    PREFECT_SERVER_ANALYTICS_ENABLED, DO_NOT_TRACK   no telemetry (the machine has no network anyway)
    PREFECT_SERVER_UI_ENABLED, PREFECT_SERVER_SERVICES_*_ENABLED   no UI, and no server services but
                                          the task run recorder: nothing is scheduled behind the tests' back
    cwd                                   the home too: outside the project, so the runtime must find
                                          the project root from JOBC_PROJECT_ROOT or the module's file

Anything missing fails loudly, never skips.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import pathlib
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping

from jobc_test_support import REPO_ROOT

RUNNER = pathlib.Path(__file__).resolve().with_name("prefect_flow_runner.py")
RESULT_PREFIX = "JOBC_PREFECT_RESULT "
VENV_ENV = "JOBC_PREFECT_VENV"
# Server services the tests must not have running: they would schedule, cancel or mark runs late.
STOPPED_SERVICES = ("SCHEDULER", "LATE_RUNS", "FOREMAN", "PAUSE_EXPIRATIONS", "CANCELLATION_CLEANUP",
                    "TRIGGERS", "EVENT_LOGGER", "EVENT_PERSISTER")


def venv() -> pathlib.Path:
    return pathlib.Path(os.environ.get(VENV_ENV) or REPO_ROOT / ".venv" / "prefect")


class PrefectHarnessError(AssertionError):
    """The server or a run could not do its job; the message carries the output."""


def _venv_tool(name: str) -> pathlib.Path:
    tool = venv() / "bin" / name
    if not tool.is_file():
        raise PrefectHarnessError(
            f"{tool} not found: create the venv with Tests/integration/setup_venv.sh {venv()} "
            f"Tests/integration/requirements-prefect.txt targets/runtime targets/prefect, or set {VENV_ENV}")
    return tool


def plugin_command() -> pathlib.Path:
    """The venv's jobc-emit-prefect (the plugin needs no server)."""
    return _venv_tool("jobc-emit-prefect")


def plugin_path_env() -> dict[str, str]:
    """For jobc: a PATH on which it discovers the venv's jobc-emit-prefect first."""
    return {"PATH": f"{plugin_command().parent}{os.pathsep}{os.environ.get('PATH', '')}"}


@dataclasses.dataclass(frozen=True)
class TaskRunReport:
    name: str
    state_type: str | None  # COMPLETED, FAILED, PENDING (NotReady: never started), ...
    state_name: str | None
    run_count: int
    tags: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class FlowRunReport:
    flow_run_id: str
    state_type: str
    state_name: str
    message: str | None
    task_runs: list[TaskRunReport]
    output: str  # the subprocess's combined output

    def tail(self, lines: int = 80) -> str:
        return _tail(self.output, lines)


class PrefectHarness:
    def __init__(self, home: pathlib.Path, timeout_seconds: float = 600.0) -> None:
        self.home = home
        self.bin = venv() / "bin"
        self.timeout_seconds = timeout_seconds
        self.api_url: str | None = None
        self._server: subprocess.Popen | None = None
        for tool in ("python", "prefect", "jobc-emit-prefect"):
            _venv_tool(tool)
        self.home.mkdir(parents=True, exist_ok=True)

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
        env.update({
            "PREFECT_HOME": str(self.home),
            "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE": "false",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_UI_ENABLED": "false",
            "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false",
            "PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS": "false",
            "PYTHONUNBUFFERED": "1",
            # The server is on 127.0.0.1: never through a proxy from the caller's environment.
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            **{f"PREFECT_SERVER_SERVICES_{service}_ENABLED": "false" for service in STOPPED_SERVICES},
        })
        if self.api_url is not None:
            env["PREFECT_API_URL"] = self.api_url
        env.update(extra or {})
        return env

    def start_server(self, timeout: float = 120.0) -> None:
        port = _free_port()
        self.server_log = self.home / "server.log"
        with open(self.server_log, "w", encoding="utf-8") as log:
            # A session of its own: stop_server ends the server and whatever it started, and only that.
            self._server = subprocess.Popen(
                [str(self.bin / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                cwd=self.home, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}/api"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._server.poll() is not None:
                raise PrefectHarnessError(f"prefect server exited with {self._server.returncode}:\n{self._log_tail()}")
            if _healthy(url):
                self.api_url = url
                return
            time.sleep(0.2)
        self.stop_server()
        raise PrefectHarnessError(f"prefect server was not healthy at {url} within {timeout}s:\n{self._log_tail()}")

    def stop_server(self) -> None:
        if self._server is None or self._server.poll() is not None:
            return
        os.killpg(self._server.pid, signal.SIGTERM)
        try:
            self._server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self._server.pid, signal.SIGKILL)
            self._server.wait()

    def run_flow(
        self,
        module_path: pathlib.Path,
        flow_name: str,
        task_count: int,
        logical_date: datetime.datetime | str | None,
        extra_env: Mapping[str, str] | None = None,
        params: Mapping[str, object] | None = None,
    ) -> FlowRunReport:
        """Run the flow ``flow_name`` of ``module_path`` once, with the run parameter overrides
        ``params`` (None: the defaults); a failed run is reported, not raised."""
        if self.api_url is None:
            raise PrefectHarnessError("start_server() first")
        argv = [str(self.bin / "python"), str(RUNNER), "--module", str(module_path), "--flow", flow_name,
                "--tasks", str(task_count)]
        if logical_date is not None:
            argv += ["--logical-date", logical_date if isinstance(logical_date, str) else logical_date.isoformat()]
        if params is not None:
            argv += ["--params", json.dumps(dict(params))]
        what = f"{RUNNER.name} {module_path.name} {flow_name}"
        try:
            completed = subprocess.run(
                argv, env=self.env(extra_env), cwd=self.home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, timeout=self.timeout_seconds, check=False)
        except subprocess.TimeoutExpired as error:
            raise PrefectHarnessError(f"{what} timed out after {self.timeout_seconds}s\n{_tail(error.output or '')}") from None
        if completed.returncode != 0:
            raise PrefectHarnessError(f"{what} exited with {completed.returncode}\n{_tail(completed.stdout)}")
        result = _result_line(completed.stdout, what)
        return FlowRunReport(
            flow_run_id=result["flow_run_id"],
            state_type=result["state_type"],
            state_name=result["state_name"],
            message=result["message"],
            task_runs=[TaskRunReport(**{**run, "tags": tuple(run["tags"])}) for run in result["task_runs"]],
            output=completed.stdout,
        )

    def _log_tail(self) -> str:
        return _tail(self.server_log.read_text(encoding="utf-8", errors="replace"))


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _healthy(api_url: str) -> bool:
    try:
        with _DIRECT.open(f"{api_url}/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _result_line(output: str, what: str) -> dict:
    for line in reversed(output.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX):])
    raise PrefectHarnessError(f"{what} printed no result line\n{_tail(output)}")


def _tail(text: str | bytes, lines: int = 80) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return "\n".join(text.splitlines()[-lines:])
