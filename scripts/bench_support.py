"""What the benchmarks in benchmarks/ share."""

import subprocess


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def stop(proc: subprocess.Popen) -> None:
    """Terminate a server the benchmark started, killing it if it does not stop in 15 s."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
