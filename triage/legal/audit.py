"""The audit trail read back: the journal's hash chain checked, and its history told."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage.journal import VerifyResult, read_entries, verify

__all__ = ["AuditLine", "audit_lines", "change_text", "verify_journal"]

JOURNAL_NAME = "journal.jsonl"


def verify_journal(data_dir: Path) -> tuple[Path, VerifyResult]:
    """Walk the hash chain of a data folder's journal; reads the file only, takes no lock."""
    path = Path(data_dir) / JOURNAL_NAME
    return path, verify(path)


@dataclass(frozen=True, slots=True)
class AuditLine:
    """One journal entry as the history shows it."""

    seq: int
    at: str
    user: str
    kind: str
    comment_id: str | None
    before: dict[str, Any]
    after: dict[str, Any]
    data: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "user": self.user, "kind": self.kind,
                "comment_id": self.comment_id, "before": self.before, "after": self.after,
                "data": self.data}


def _summary(data: dict[str, Any]) -> dict[str, Any]:
    """The entry's data without bulky record documents (named by table/key instead)."""
    out = dict(data)
    record = out.pop("record", None)
    if isinstance(record, dict):
        out["record"] = f"{record.get('table')}/{record.get('key')}"
    return out


def audit_lines(path: Path, comment_id: str | None = None) -> Iterator[AuditLine]:
    """The journal's entries, oldest first, only those touching ``comment_id`` if given."""
    for _, entry in read_entries(path):
        if comment_id is not None and entry.get("comment_id") != comment_id:
            continue
        yield AuditLine(
            seq=int(entry.get("seq", 0)), at=str(entry.get("at", "")),
            user=str(entry.get("user", "")), kind=str(entry.get("kind", "")),
            comment_id=entry.get("comment_id"), before=dict(entry.get("before") or {}),
            after=dict(entry.get("after") or {}), data=_summary(dict(entry.get("data") or {})),
        )


def _value(value: Any) -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        names = [str(item.get("name", "?")) for item in value]
        return "[" + ",".join(names) + "]"
    if value is None:
        return "none"
    text = " ".join(str(value).split()) if isinstance(value, str) else str(value)
    if isinstance(value, str):
        text = repr(text if len(text) <= 30 else text[:29] + "…")
    return text


def change_text(line: AuditLine) -> str:
    """``before→after`` for the fields an entry changed, or what it was about."""
    keys = list(dict.fromkeys([*line.before, *line.after]))
    if keys:
        return "; ".join(
            f"{k}: {_value(line.before.get(k)) if k in line.before else '·'}"
            f"→{_value(line.after.get(k)) if k in line.after else '·'}"
            for k in keys
        )
    about = [f"{k}={_value(v)}" for k, v in line.data.items() if k not in ("sha256",)]
    return " ".join(about[:4])
