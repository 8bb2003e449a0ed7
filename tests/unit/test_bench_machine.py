"""benchmarks/machine.py: each benchmark run records the machine, its disk's fsync and its
raw figures in benchmarks/results/<date>-<name>.json."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import machine  # noqa: E402  (benchmarks/ is a folder of scripts)


def test_the_machine_record_has_cores_cpu_filesystem_and_the_disks_fsync(tmp_path: Path) -> None:
    about = machine.machine(tmp_path)
    assert about["cores"] == os.cpu_count()
    assert about["cpu_model"]
    mount = about["filesystem"]["mount"]
    assert str(tmp_path.resolve()).startswith(mount) and about["filesystem"]["type"] != "unknown"
    fsync = about["fsync"]
    assert fsync["count"] == 200
    assert 0 < fsync["p50_ms"] <= fsync["p95_ms"] <= fsync["max_ms"]
    assert list(tmp_path.iterdir()) == []  # the probe file is gone


def test_the_deepest_mount_holding_the_folder_is_named_with_its_escapes_undone() -> None:
    mounts = ("/dev/vda / ext4 rw,relatime 0 0\n"
              "tmpfs /tmp tmpfs rw 0 0\n"
              "/dev/vdb /tmp/my\\040disk xfs rw,noatime 0 0\n"
              "/dev/vdc /tmpfoo btrfs rw 0 0\n")
    assert machine.filesystem(Path("/tmp/my disk/work"), mounts) == {
        "mount": "/tmp/my disk", "type": "xfs", "device": "/dev/vdb", "options": "rw,noatime"}
    assert machine.filesystem(Path("/tmp/other"), mounts)["type"] == "tmpfs"
    assert machine.filesystem(Path("/srv"), mounts)["type"] == "ext4"


def test_a_run_writes_its_raw_figures_beside_the_machine(tmp_path: Path) -> None:
    about = {"cores": 2, "fsync": {"p95_ms": 4.0}}
    out = machine.write_results("scale", {"actions": {"p95_ms": 4.5}}, tmp_path,
                                about=about, results=tmp_path / "results")
    report = json.loads(out.read_text())
    assert out.name == f"{report['date']}-scale.json"
    assert report["machine"] == about and report["figures"] == {"actions": {"p95_ms": 4.5}}
    taken = machine.write_results("crash", {"lost": 0}, tmp_path, results=tmp_path / "results")
    assert json.loads(taken.read_text())["machine"]["fsync"]["count"] == 200


def test_percentile_is_the_nearest_rank_of_the_sorted_values() -> None:
    values = [float(v) for v in range(100, 0, -1)]
    assert (machine.percentile(values, 0.5), machine.percentile(values, 0.95)) == (51.0, 96.0)
