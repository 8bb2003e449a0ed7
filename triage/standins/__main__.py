"""Run the stand-ins as a process: ``python -m triage.standins --seed-file F --port N``.

Once listening it prints one JSON line to stdout, ``{"port", "origin", "base_urls"}``,
then serves until SIGTERM / SIGINT, or until its parent process goes away.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import orjson

from triage.errors import TriageError
from triage.standins.app import BASE_PATHS
from triage.standins.server import StandinServer

__all__ = ["main", "read_seed_file"]


def read_seed_file(path: Path) -> dict[str, Any]:
    """A seed file: one JSON object with ``accounts``, ``posts`` and ``comments`` lists."""
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise TriageError(f"{path}: cannot read the seed file ({exc.strerror})") from None
    except orjson.JSONDecodeError as exc:
        raise TriageError(f"{path}: the seed file is not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise TriageError(f"{path}: the seed file must hold one object with accounts, posts "
                          "and comments")
    for name in ("accounts", "posts", "comments"):
        if not isinstance(data.get(name, []), list):
            raise TriageError(f"{path}: {name!r} must be a list")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m triage.standins",
                                     description="Serve the platforms' stand-ins locally.")
    parser.add_argument("--seed-file", type=Path, help="JSON with accounts, posts, comments")
    parser.add_argument("--port", type=int, default=0, help="port (0: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    parser.add_argument("--stay", action="store_true",
                        help="keep serving when the parent process ends")
    args = parser.parse_args(argv)
    parent = os.getppid()
    try:
        seed = read_seed_file(args.seed_file) if args.seed_file else None
        server = StandinServer(seed, port=args.port, host=args.host).start()
    except TriageError as exc:
        print(f"triage stand-ins: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"triage stand-ins: cannot listen on {args.host}:{args.port} ({exc.strerror})",
              file=sys.stderr)
        return 2
    done = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: done.set())
    ready = {"port": server.port, "origin": server.origin,
             "base_urls": {p: server.base_url(p) for p in BASE_PATHS}}
    sys.stdout.write(orjson.dumps(ready).decode() + "\n")
    sys.stdout.flush()
    while not done.wait(0.5):
        if not args.stay and os.getppid() != parent:
            break
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
