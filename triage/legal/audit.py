"""The audit trail read back: the journal's hash chain checked, and its history told."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from triage.auditkey import AuditKey
from triage.journal import VerifyResult, read_entries, verify
from triage.store import META_PATH

__all__ = ["AuditLine", "AuditReport", "audit_lines", "change_text", "verify_journal"]

JOURNAL_NAME = "journal.jsonl"
_NO_KEY_LIMIT = (
    "without an audit key this shows only that no line was damaged by accident, not that "
    "none was forged or cut: anyone who can write the data folder can recompute every hash "
    "(set TRIAGE_AUDIT_KEY, TRIAGE_AUDIT_KEY_FILE or [audit] key_file; see the README)"
)


@dataclass(frozen=True, slots=True)
class AuditReport:
    """The verdict of ``triage audit verify``: OK or not, and what can be said, line by line."""

    ok: bool
    lines: list[str]
    result: VerifyResult


@dataclass(frozen=True, slots=True)
class _Anchor:
    """How far the store had applied the journal (store/meta.json)."""

    seq: int
    hash: str | None
    mac: str | None


def _read_anchor(data_dir: Path) -> _Anchor | None:
    try:
        meta = orjson.loads((data_dir / META_PATH).read_bytes())
        seq = int(meta.get("applied_seq", 0))
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    if seq <= 0:
        return None
    digest, mac = meta.get("applied_hash"), meta.get("applied_mac")
    return _Anchor(seq, digest if isinstance(digest, str) else None,
                   mac if isinstance(mac, str) else None)


def _vouched_before(result: VerifyResult) -> str:
    """What the chain can say of the lines before the first broken one, and nothing more."""
    line = result.broken_line or 0
    if line <= 1:
        return "no line before it can be vouched for"
    if result.keyed and result.macs_from is not None:
        return (f"line {line - 1} carries a valid MAC, which vouches for lines 1 to "
                f"{line - 1} as a holder of the key wrote them")
    if result.keyed:
        return ("no line before it carries a MAC, so nothing shows whether they were "
                "rewritten too")
    if result.reason == "does not follow the line before it":
        return (f"line {line - 1} was changed and its hash recomputed, or lines were removed "
                f"or inserted before line {line}; without an audit key nothing shows whether "
                "the lines before it were rewritten too")
    return (f"lines 1 to {line - 1} hash together, which without an audit key rules out "
            "accidental damage only, not a rewrite")


def _anchor_problem(result: VerifyResult, anchor: _Anchor, key: AuditKey | None) -> str:
    """How the journal disagrees with what the store had applied ("" when it does not)."""
    if anchor.seq > result.entries:
        return (f"the journal ends at seq {result.entries} but the store had applied up to "
                f"seq {anchor.seq}: entries were removed")
    marked_hash, marked_mac = result.marked or (None, None)
    if anchor.hash is not None and marked_hash != anchor.hash:
        return (f"the entry with seq {anchor.seq} is not the one the store applied (its hash "
                f"differs from {META_PATH}'s): the journal was rewritten")
    if key is not None and anchor.mac is not None:
        if not key.check(anchor.hash, anchor.mac):
            return (f"{META_PATH}'s record of seq {anchor.seq} carries a MAC not made with "
                    "the audit key: it was forged")
        if marked_mac != anchor.mac:
            return (f"the store applied seq {anchor.seq} with a MAC, but the journal's line "
                    f"{anchor.seq} carries {'none' if marked_mac is None else 'another'}: "
                    "the journal was rewritten")
    return ""


def _ok_lines(result: VerifyResult, anchor: _Anchor | None) -> list[str]:
    lines = [f"OK: {result.entries} entries"]
    if anchor is not None:
        lines.append(f"the store had applied up to seq {anchor.seq}; the journal holds them all")
    if not result.keyed:
        if result.macs_from is not None:
            lines.append(f"lines {result.macs_from} on carry MACs, not checked: no audit key "
                         "is set")
        lines.append(_NO_KEY_LIMIT)
        return lines
    if result.macs_from is None:
        if result.entries:
            lines.append("no line carries a MAC yet: the audit key vouches for none of them "
                         "until an action is written with it")
        return lines
    if result.macs_from == 1:
        lines.append("every line's MAC matches the audit key: none was written or changed "
                     "without it")
    else:
        lines.append(
            f"MACs start at line {result.macs_from}: lines 1 to {result.macs_from - 1} were "
            "written before the audit key was in use, and are vouched for only as they stood "
            f"when line {result.macs_from} was written; lines {result.macs_from} to "
            f"{result.entries} match the key"
        )
    lines.append(
        "the key cannot show that the newest entries were not cut together with "
        f"{META_PATH}: to catch that, keep the last seq and MAC somewhere else "
        f"(seq {result.entries}, mac {result.last_mac})"
    )
    return lines


def verify_journal(data_dir: Path, key: AuditKey | None = None) -> tuple[Path, AuditReport]:
    """Check a data folder's journal: its chain, its MACs (with ``key``), and that it holds
    everything the store had applied. Reads files only, takes no lock."""
    path = Path(data_dir) / JOURNAL_NAME
    anchor = _read_anchor(Path(data_dir))
    result = verify(path, key, anchor.seq if anchor else 0)
    if not result.ok:
        lines = [f"{path.name} line {result.broken_line}: {result.reason}",
                 _vouched_before(result)]
        if not result.keyed:
            lines.append(_NO_KEY_LIMIT)
        return path, AuditReport(False, lines, result)
    problem = _anchor_problem(result, anchor, key) if anchor is not None else ""
    if problem:
        lines = [f"{path.name}: {problem}"]
        if not result.keyed:
            lines.append(_NO_KEY_LIMIT)
        return path, AuditReport(False, lines, result)
    return path, AuditReport(True, _ok_lines(result, anchor), result)


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
