"""What every table of the benchmark shares: section titles, goals, and checks (a failed check makes
bench.py exit 1: it marks a figure that no longer measures what it says, not a goal missed)."""

from __future__ import annotations

failures: list[str] = []
checks_run = 0


def check(condition: bool, message: str) -> None:
    global checks_run
    checks_run += 1
    if not condition:
        failures.append(message)
        print(f"CHECK FAILED: {message}", flush=True)


def section(title: str) -> None:
    print(f"\n## {title}\n", flush=True)


def met(condition: bool) -> str:
    return "met" if condition else "NOT met"
