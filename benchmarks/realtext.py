"""Benchmark comments of the dev comments' kind: their texts cycled and varied, by default.

The dev comments (``/work/shared/data/dev-comments.jsonl`` beside the project) are read,
never copied into it: each benchmark comment takes one of their texts in turn and varies
it (a word changed from the set's own vocabulary, a tail people add). Only when that file
is absent are the sandbox's generated comments used instead, and :func:`write_comments`
says which text it wrote, for the results file.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

__all__ = ["DEV", "write_comments"]

#: The first ``shared/data/dev-comments.jsonl`` found above this checkout.
DEV = next((folder / "shared" / "data" / "dev-comments.jsonl"
            for folder in Path(__file__).resolve().parents
            if (folder / "shared" / "data" / "dev-comments.jsonl").exists()),
           Path("dev-comments.jsonl"))
TAILS = ["", "", "", " !!", " 🙏", " ...", " pls", " (asking for my mom)", " lol", " 😡"]
SANDBOX = "the sandbox's generated comments (the dev comments were not found)"


def write_comments(path: Path, size: int, seed: int = 11, dev: Path = DEV) -> str:
    """Write ``size`` comments as `triage import` reads them; return which text they are."""
    if not dev.exists():
        return _sandbox(path, size, seed)
    rows = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line]
    vocabulary = sorted({w for r in rows for w in str(r["text"]).split() if w.isalpha()})
    rng = random.Random(seed)
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    with open(path, "w", encoding="utf-8") as out:
        for n in range(size):
            row = rows[n % len(rows)]
            words = str(row["text"]).split()
            if n >= len(rows) and words:  # the first round is the set itself
                at = rng.randrange(len(words))
                words[at] = rng.choice(vocabulary)
            created = start + dt.timedelta(seconds=25 * n + rng.randrange(25))
            out.write(json.dumps({
                "id": f"rc-{n:06d}", "platform": row["platform"],
                "account": f"{row['platform']}-main",
                "author": f"user{rng.randrange(size // 3 + 1)}",
                "created_at": created.isoformat(),
                "text": " ".join(words) + rng.choice(TAILS),
            }, ensure_ascii=False) + "\n")
    return f"{dev.name}: {len(rows)} texts cycled, one word varied, a tail added"


def _sandbox(path: Path, size: int, seed: int) -> str:
    from triage.convert import iso
    from triage.sandbox import generate

    data = generate(size=size, seed=seed)
    with open(path, "w", encoding="utf-8") as out:
        for c in data.comments:
            out.write(json.dumps({
                "id": c.id, "platform": c.platform, "text": c.text, "author": c.author.name,
                "created_at": iso(c.created_at), "account": c.account, "post_id": c.post_id,
                "parent_id": c.parent_id,
            }, ensure_ascii=False) + "\n")
    return SANDBOX
