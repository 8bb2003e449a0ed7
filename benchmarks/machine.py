"""The machine a benchmark ran on, and the file its raw figures are written to.

Every benchmark run writes ``benchmarks/results/<date>-<name>.json``: the figures it
measured beside :func:`machine` of its work folder, so a figure such as "an action durable
in 0.8 ms" can be read against what fsync alone costs on that disk, in the same run.

    python benchmarks/machine.py [FOLDER]    # print the machine record for FOLDER
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank; values unsorted)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or what the platform says)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _unescape(field: str) -> str:
    """A /proc/mounts field with its octal escapes (``\\040`` for a space) undone."""
    return field.encode().decode("unicode_escape")


def filesystem(folder: Path, mounts: str | None = None) -> dict[str, str]:
    """The mount holding ``folder`` (the longest mount point above it), from /proc/mounts
    (or ``mounts``, text in its format)."""
    target = str(Path(folder).resolve())
    best = {"mount": "", "type": "unknown", "device": "", "options": ""}
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text()
        except OSError:
            return best
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 4:
            continue
        device, mount, kind, options = (_unescape(p) for p in parts[:4])
        inside = target == mount or target.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) >= len(best["mount"]):
            best = {"mount": mount, "type": kind, "device": device, "options": options}
    return best


def fsync_cost(folder: Path, count: int = 200, size: int = 200) -> dict[str, float]:
    """Time ``count`` small appends each followed by os.fsync in ``folder``, as the
    journal does for one action: the disk's own floor for a durable action."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix="fsync-probe-", dir=folder)
    timings: list[float] = []
    try:
        line = b"x" * (size - 1) + b"\n"
        for _ in range(count):
            start = time.perf_counter()
            os.write(handle, line)
            os.fsync(handle)
            timings.append((time.perf_counter() - start) * 1e3)
    finally:
        os.close(handle)
        os.remove(name)
    return {"count": count, "bytes_each": size, "p50_ms": percentile(timings, 0.5),
            "p95_ms": percentile(timings, 0.95), "max_ms": max(timings)}


def machine(folder: Path) -> dict[str, Any]:
    """What a result needs to be read against: cores, CPU, the work folder's filesystem
    and that disk's fsync p50/p95."""
    return {
        "cores": os.cpu_count(),
        "cpu_model": cpu_model(),
        "python": platform.python_version(),
        "system": platform.platform(),
        "work_folder": str(folder),
        "filesystem": filesystem(folder),
        "fsync": fsync_cost(folder),
    }


def write_results(name: str, figures: dict[str, Any], folder: Path, *,
                  about: dict[str, Any] | None = None, results: Path = RESULTS) -> Path:
    """Write one run's raw figures with the machine record to ``<date>-<name>.json``.

    ``about``: the machine record when the run took it already (to set figures beside
    the fsync it measured); else it is taken now, in ``folder``.
    """
    now = dt.datetime.now(dt.UTC)
    report = {"name": name, "date": now.date().isoformat(),
              "finished_at": now.isoformat(timespec="seconds"), "command": sys.argv,
              "machine": about if about is not None else machine(folder), "figures": figures}
    results.mkdir(parents=True, exist_ok=True)
    out = results / f"{report['date']}-{name}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    return out


if __name__ == "__main__":
    print(json.dumps(machine(Path(sys.argv[1] if len(sys.argv) > 1 else ".")), indent=2))
