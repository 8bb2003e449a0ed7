"""Run the `triage` command line in-process, as a test would from a shell."""

from __future__ import annotations

import io
import sys

import pytest

from triage.cli import main

__all__ = ["run"]


def run(capsys: pytest.CaptureFixture[str], *args: str, stdin: str = "") -> tuple[int, str, str]:
    """`triage ARGS` with ``stdin`` as its input: (exit code, stdout, stderr)."""
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
    try:
        main(list(args))
        code = 0
    except SystemExit as stopped:
        code = int(stopped.code or 0)
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    return code, out, err
