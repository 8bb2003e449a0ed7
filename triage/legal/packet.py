"""The case packet: everything legal needs about an escalated comment, in Markdown or JSON.

The packet holds the text exactly as captured at escalation with its SHA-256 (and whether
the comment's current text still matches it), the author, platform, link, post and thread,
the tags with their evidence, legal's notes and the team's notes on the comment, the
hold, the deliveries, and every journal entry that touches the comment. It is not
masked: only the legal role exports it, and each export is journaled (kind
``packet_export``: who, which escalation, which format; never the text).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from triage.config import Config
from triage.convert import iso
from triage.desk import Desk
from triage.errors import StoreError
from triage.holds import HOLDS
from triage.journal import verify
from triage.legal.delivery import deliveries_of
from triage.legal.escalation import Escalation, find_escalation
from triage.legal.people import require_role
from triage.model import Comment, content_hash
from triage.private import write_new_private
from triage.store import Store

__all__ = ["FORMATS", "PACKETS", "build_packet", "export_packet", "render_json", "render_markdown",
           "save_packet"]

FORMATS = ("md", "json")
#: The folder, inside the data folder, where packets exported from the Legal screen go.
PACKETS = "packets"


def _comment_brief(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.id, "author": comment.author.name, "created_at": iso(comment.created_at),
        "permalink": comment.permalink, "text": comment.text, "sha256": comment.content_hash,
    }


def _journal_line(entry: dict[str, Any]) -> dict[str, Any]:
    data = dict(entry.get("data") or {})
    record = data.pop("record", None)
    if isinstance(record, dict):  # the record's document is shown elsewhere in the packet
        data["record"] = f"{record.get('table')}/{record.get('key')}"
    return {
        "seq": entry.get("seq"), "at": entry.get("at"), "user": entry.get("user"),
        "kind": entry.get("kind"), "before": entry.get("before") or {},
        "after": entry.get("after") or {}, "data": data, "hash": entry.get("hash"),
    }


def build_packet(store: Store, esc: Escalation, *, generated_by: str) -> dict[str, Any]:
    """The case packet of an escalation, as plain data."""
    comment = store.comments.get(esc.comment_id)
    desk = Desk(store, generated_by)
    parent, siblings = desk.thread(comment) if comment else (None, [])
    post = store.posts.get(esc.post_id or "")
    chain = verify(store.journal.path, store.audit_key)
    current = comment.content_hash if comment else None
    return {
        "format": "triage-case-packet/1",
        "generated_at": iso(store.clock()),
        "generated_by": generated_by,
        "escalation": {
            "id": esc.id, "reason": esc.reason, "severity": esc.severity, "note": esc.note,
            "status": esc.status, "escalated_by": esc.by, "escalated_at": iso(esc.at),
            "decision": esc.decision, "decided_by": esc.decided_by,
            "decided_at": iso(esc.decided_at) if esc.decided_at else None,
            "closed_by": esc.closed_by,
            "closed_at": iso(esc.closed_at) if esc.closed_at else None,
            "notes": [{"by": n.by, "at": iso(n.at), "text": n.text} for n in esc.notes],
        },
        "comment": {
            "id": esc.comment_id, "platform": esc.platform, "account": esc.account,
            "author": {"name": esc.author, "id": esc.author_id,
                       "handle": comment.author.handle if comment else ""},
            "permalink": esc.permalink, "native_id": comment.native_id if comment else "",
            "created_at": iso(comment.created_at) if comment else None,
            "captured_at": iso(esc.captured_at), "status_now": comment.status if comment else None,
        },
        "captured": {
            "text": esc.text, "sha256": esc.sha256,
            "sha256_of_text": content_hash(esc.text),
            "escalated_at": iso(esc.at),
        },
        "current": {
            "sha256": current, "matches_captured": current == esc.sha256,
            "text_purged": comment is not None and comment.text == "" and esc.text != "",
        },
        "post": None if post is None else {
            "id": post.id, "account": post.account, "created_at": iso(post.created_at),
            "permalink": post.permalink, "text": post.text,
        },
        "thread": {
            "parent": _comment_brief(parent) if parent else None,
            "siblings": [_comment_brief(c) for c in siblings],
            "replies": [_comment_brief(c) for c in desk.replies(comment)] if comment else [],
        },
        "tags": [
            {"name": t.name, "score": t.score, "source": t.source, "claim_id": t.claim_id,
             "evidence": [{"start": s, "end": e, "text": esc.text[s:e]} for s, e in t.evidence]}
            for t in esc.tags
        ],
        "comment_notes": [{"by": n.by, "at": iso(n.at), "text": n.text}
                          for n in desk.notes(esc.comment_id)],
        "hold": store.get_record(HOLDS, esc.comment_id),
        "deliveries": [
            {"channel": d.channel, "status": d.status, "attempts": d.attempts,
             "delivered_at": iso(d.delivered_at) if d.delivered_at else None,
             "last_error": d.last_error, "idempotency_key": d.idempotency_key}
            for d in deliveries_of(store, esc.id)
        ],
        "journal": [
            _journal_line(entry)
            for _, entry in store.journal.read()
            if entry.get("comment_id") == esc.comment_id
        ],
        "journal_chain": {"ok": chain.ok, "entries": chain.entries,
                          "broken_line": chain.broken_line, "reason": chain.reason,
                          "macs_checked": chain.keyed, "macs_from": chain.macs_from},
    }


def render_json(packet: dict[str, Any]) -> str:
    return orjson.dumps(packet, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!~])")


def _inline(value: Any) -> str:
    """A value on one Markdown line, with nothing in it read as Markdown or HTML."""
    text = "—" if value is None or value == "" else str(value)
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _block(text: str) -> str:
    """Text verbatim in a fenced block, the fence longer than any backtick run in it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def render_markdown(packet: dict[str, Any]) -> str:
    esc, com, cap, cur = (packet[k] for k in ("escalation", "comment", "captured", "current"))
    out = [
        f"# Case packet {_inline(esc['id'])}", "",
        f"Generated {_inline(packet['generated_at'])} by {_inline(packet['generated_by'])}.", "",
        "## Escalation", "",
        *(f"- **{label}:** {_inline(esc[key])}" for label, key in (
            ("Reason", "reason"), ("Severity", "severity"), ("Status", "status"),
            ("Escalated by", "escalated_by"), ("Escalated at", "escalated_at"),
            ("Note", "note"), ("Decision", "decision"), ("Decided by", "decided_by"),
            ("Decided at", "decided_at"), ("Closed by", "closed_by"), ("Closed at", "closed_at"),
        )), "",
        "## Comment as captured", "",
        f"- **Comment:** {_inline(com['id'])} on {_inline(com['platform'])} "
        f"({_inline(com['account'])})",
        f"- **Author:** {_inline(com['author']['name'])} (id {_inline(com['author']['id'])}, "
        f"handle {_inline(com['author']['handle'])})",
        f"- **Link:** {_inline(com['permalink'])}",
        f"- **Written at:** {_inline(com['created_at'])}",
        f"- **Captured at:** {_inline(com['captured_at'])}",
        f"- **SHA-256 of the captured text:** `{cap['sha256']}`",
        f"- **Current text matches it:** {'yes' if cur['matches_captured'] else 'NO'}"
        + (" (its text was purged by retention)" if cur["text_purged"] else ""), "",
        _block(cap["text"]), "",
        "## Tags and evidence", "",
    ]
    for tag in packet["tags"]:
        quotes = " · ".join(f"“{_inline(ev['text'])}” [{ev['start']}:{ev['end']}]"
                            for ev in tag["evidence"])
        out.append(f"- **{_inline(tag['name'])}** {tag['score']:.2f} "
                   f"({_inline(tag['source'])}) {quotes}".rstrip())
    if not packet["tags"]:
        out.append("- none")
    out += ["", "## Post", ""]
    post = packet["post"]
    if post is None:
        out.append("Not stored.")
    else:
        out += [f"- **Post:** {_inline(post['id'])}, {_inline(post['created_at'])}",
                f"- **Link:** {_inline(post['permalink'])}", "", _block(post["text"])]
    out += ["", "## Thread", ""]
    thread = packet["thread"]
    for label, items in (("Parent", [thread["parent"]] if thread["parent"] else []),
                         ("Siblings", thread["siblings"]), ("Replies", thread["replies"])):
        out.append(f"### {label}")
        out.append("")
        for item in items:
            out += [f"- {_inline(item['id'])} by {_inline(item['author'])}, "
                    f"{_inline(item['created_at'])}", "", _block(item["text"]), ""]
        if not items:
            out += ["None.", ""]
    out += ["## Notes", ""]
    out += [f"- {_inline(n['at'])} {_inline(n['by'])}: {_inline(n['text'])}"
            for n in esc["notes"]] or ["None."]
    out += ["", "## Team notes on the comment", ""]
    out += [f"- {_inline(n['at'])} {_inline(n['by'])}: {_inline(n['text'])}"
            for n in packet["comment_notes"]] or ["None."]
    out += ["", "## Hold and deliveries", "", f"- **Hold:** {_inline(_hold(packet['hold']))}"]
    out += [f"- **{_inline(d['channel'])}:** {d['status']} after {d['attempts']} attempt(s)"
            f"{', ' + _inline(d['last_error']) if d['last_error'] else ''}"
            for d in packet["deliveries"]]
    chain = packet["journal_chain"]
    verdict = (f"hash chain intact ({chain['entries']} entries)" if chain["ok"]
               else f"HASH CHAIN BROKEN at line {chain['broken_line']}: {chain['reason']}")
    if chain["ok"] and chain.get("macs_checked") and chain.get("macs_from"):
        verdict += f", MACs checked with the audit key from line {chain['macs_from']}"
    elif chain["ok"]:
        verdict += " (no audit key checked: this rules out accidental damage only)"
    out += ["", "## Journal", "", f"Every entry touching the comment; {verdict}.", "",
            "| seq | time | who | what | before → after (or what about) |",
            "|---|---|---|---|---|"]
    for line in packet["journal"]:
        if line["before"] or line["after"]:
            change = f"{_compact(line['before'])} → {_compact(line['after'])}"
        else:
            change = _compact(line["data"])
        out.append(f"| {line['seq']} | {_inline(line['at'])} | {_inline(line['user'])} | "
                   f"{_inline(line['kind'])} | {_inline(change)} |")
    return "\n".join(out) + "\n"


def _hold(hold: dict[str, Any] | None) -> str:
    if not hold:
        return "none"
    if hold.get("active"):
        return f"active since {hold.get('at')} ({hold.get('reason')}, by {hold.get('by')})"
    return (f"released {hold.get('released_at')} by {hold.get('released_by')} "
            f"({hold.get('decision')})")


def _compact(fields: dict[str, Any]) -> str:
    if not fields:
        return "·"
    return ", ".join(f"{k}={_short(v)}" for k, v in fields.items())


def _short(value: Any) -> str:
    if isinstance(value, list):
        return f"[{len(value)}]" if value and isinstance(value[0], dict) else str(value)
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def export_packet(store: Store, config: Config, user: str, ident: str, fmt: str) -> str:
    """Journal that ``user`` (who must have the legal role) exported the packet; render it."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown packet format {fmt!r}")
    require_role(config, user, "legal", "export the unmasked case packet")
    esc = find_escalation(store, ident)
    store.record([{"user": user, "kind": "packet_export", "comment_id": esc.comment_id,
                   "data": {"escalation": esc.id, "format": fmt}}])
    packet = build_packet(store, esc, generated_by=user)
    return render_json(packet) if fmt == "json" else render_markdown(packet)


def save_packet(store: Store, config: Config, user: str, ident: str, fmt: str = "md", *,
                folder: Path | None = None, now: datetime | None = None) -> Path:
    """Export the packet (as :func:`export_packet`: journaled) to a new file, readable by
    its owner only, in ``folder`` (default: ``packets/`` in the data folder); its path."""
    text = export_packet(store, config, user, ident, fmt)
    esc = find_escalation(store, ident)
    where = folder if folder is not None else store.data_dir / PACKETS
    stamp = (now or store.clock()).strftime("%Y%m%d-%H%M%S")
    try:
        return write_new_private(where, f"{esc.id}-{stamp}", fmt, text)
    except OSError as exc:
        raise StoreError(f"{where}: cannot write the case packet: {exc.strerror}") from None
