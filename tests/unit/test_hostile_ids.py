"""Control characters in ids, accounts and names are refused where they come in."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.clirun import run
from tests.factories import make_comment
from triage.config import parse_config
from triage.connectors.payload import ItemError, checked
from triage.errors import ConfigError
from triage.model import Author
from triage.store import Store
from triage.textsafe import json_line, unsafe_char

CLIPBOARD = "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUveC5zaCB8IHNo\x07"
TITLE = "\x1b]2;owned\x07"
CLEAR = "\x1b[2J"
RAW = ("\x1b", "\x07", "\x9b")


def _line(**fields: object) -> str:
    doc = {"id": "c-1", "platform": "facebook", "account": "riverside", "text": "Hello?",
           "author": "Pat", "created_at": "2026-11-20T10:00:00Z", **fields}
    return json.dumps(doc)


def test_import_names_each_line_whose_ids_hold_escapes_and_keeps_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        _line(id="good-1"),
        _line(id=f"c-2{CLIPBOARD}"),
        _line(id="c-3", account=f"riverside{TITLE}"),
        _line(id="c-4", author={"id": f"u{CLEAR}", "name": "Pat"}),
        _line(id="c-5", post_id="p\u202e1"),
        _line(id="c-6", permalink=f"https://example.org/{TITLE}"),
        _line(id="c-7", parent_id="p\x9b2J"),
        _line(id="good-2", author="Pat \U0001f468\u200d\U0001f469 Lee"),  # an emoji joiner
    ]
    source = tmp_path / "hostile.jsonl"
    source.write_text("\n".join(lines) + "\n")
    code, out, err = run(capsys, "--data-dir", str(tmp_path / "data"), "import", str(source))
    assert code == 2  # bad lines were skipped: the import says so in its exit code too
    assert "imported 2, already stored 0, bad lines 6" in out
    problems = err.splitlines()
    assert problems[-1].startswith("triage: 6 bad lines skipped")
    assert problems[:-1] == [
        "line 2: 'id' holds a control or invisible character (U+001B); ids and names must "
        "be plain text",
        "line 3: 'account' holds a control or invisible character (U+001B); ids and names "
        "must be plain text",
        "line 4: 'author id' holds a control or invisible character (U+001B); ids and names "
        "must be plain text",
        "line 5: 'post_id' holds a control or invisible character (U+202E); ids and names "
        "must be plain text",
        "line 6: 'permalink' holds a control or invisible character (U+001B); ids and names "
        "must be plain text",
        "line 7: 'parent_id' holds a control or invisible character (U+009B); ids and names "
        "must be plain text",
    ]
    assert not any(raw in out + err for raw in RAW)
    with Store(tmp_path / "data") as store:
        assert sorted(c.id for c in store) == ["good-1", "good-2"]


@pytest.mark.parametrize(
    ("table", "where"),
    [
        (f'[[accounts]]\nname = "riverside{TITLE}"\nplatform = "facebook"\n'
         'token_env = "FB_TOKEN"\npage_id = "1"\n', "[[accounts]] #1"),
        (f'[[team]]\nname = "ana{CLIPBOARD}"\n', "[[team]] #1"),
    ],
)
def test_config_names_with_escapes_are_refused_naming_the_key(table: str, where: str) -> None:
    toml = table.replace("\x1b", "\\u001b").replace("\x07", "\\u0007")
    with pytest.raises(ConfigError) as error:
        parse_config(toml)
    message = str(error.value)
    assert where in message and " name: " in message
    assert not any(raw in message for raw in RAW)


def test_a_connector_item_whose_ids_hold_escapes_is_skipped() -> None:
    comment = make_comment("youtube:yt:Ugz1", "Hello?")
    assert checked(comment) is comment
    display = replace(comment, author=Author(id=f"@dana{TITLE}", name="dana"))  # a fallback id
    with pytest.raises(ItemError, match=r"'author id' holds a control .*\(U\+001B\)"):
        checked(display)
    with pytest.raises(ItemError, match=r"'permalink' holds"):
        checked(replace(comment, permalink=f"https://www.youtube.com/watch?v=x{CLEAR}"))


def test_the_rules_for_ids() -> None:
    assert unsafe_char("facebook:riverside:104_1 é 日本") is None
    assert unsafe_char("a\u00a0b") is None  # a no-break space is odd, not dangerous
    assert unsafe_char("\U0001f468\u200d\U0001f469") is None  # an emoji joiner
    for bad, code in (("\t", "U+0009"), ("\n", "U+000A"), ("\x7f", "U+007F"),
                      ("\x85", "U+0085"), ("\u2028", "U+2028"), ("\u2066", "U+2066"),
                      ("\u200f", "U+200F"), ("\ud800", "U+D800")):
        assert unsafe_char(f"id{bad}x") == code
    line = json_line({"id": f"x{CLEAR}\x9b\u202e"})
    assert json.loads(line) == {"id": f"x{CLEAR}\x9b\u202e"}
    assert line.isascii() and "\\u009b" in line and "\\u202e" in line
