"""Property tests: whatever a file or a query holds, the answer is a result or a named error."""

from __future__ import annotations

import io
import json
import tempfile
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.factories import NOW, make_comment
from tests.unit.test_templates_lint import GOOD
from triage.config import Config, parse_config
from triage.desk import Desk
from triage.errors import ConfigError, QueryError
from triage.importer import import_lines
from triage.model import PLATFORMS
from triage.query import FIELDS, parse_query
from triage.store import Store
from triage.templates.parse import parse_template

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# -- values --------------------------------------------------------------------------------

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.text(max_size=8), inner, max_size=3), max_leaves=8)
times = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["1e20", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
                     "2026-11-20T10:00:00Z", "", " ", "now", "2026-02-30T00:00:00Z"]),
    json_values,
)

# -- the importer --------------------------------------------------------------------------


def _bad_or_odd_line(number: int) -> st.SearchStrategy[str]:
    """A line that may or may not be importable: any value in any field, or not JSON."""
    doc = st.fixed_dictionaries({}, optional={
        "id": st.one_of(st.text(max_size=12), json_values, st.just(f"odd-{number}")),
        "platform": st.one_of(st.sampled_from(PLATFORMS), json_values),
        "text": st.one_of(st.text(max_size=40), json_values),
        "author": json_values,
        "created_at": times,
        "account": json_values, "post_id": json_values, "parent_id": json_values,
        "permalink": json_values,
    })
    return st.one_of(doc.map(lambda d: json.dumps(d)), st.text(max_size=40),
                     json_values.map(lambda v: json.dumps(v)))


def _good_line(number: int, when: datetime) -> str:
    return json.dumps({"id": f"good-{number}", "platform": "facebook", "text": "hello",
                       "created_at": when.isoformat()})


@st.composite
def import_files(draw: st.DrawFn) -> tuple[list[str], dict[int, datetime]]:
    """Lines of an import file, and the line numbers of the good ones with their times."""
    lines: list[str] = []
    good: dict[int, datetime] = {}
    for number in range(1, draw(st.integers(min_value=1, max_value=12)) + 1):
        if draw(st.booleans()):
            when = draw(st.datetimes(min_value=datetime(1995, 1, 1),
                                     max_value=datetime(2026, 1, 1))).replace(tzinfo=UTC)
            lines.append(_good_line(number, when))
            good[number] = when
        else:
            line = draw(_bad_or_odd_line(number))
            lines.append(line.replace("\n", " ").replace("\r", " "))
    return lines, good


@settings(SETTINGS, max_examples=80)  # each example opens a store on disk
@given(import_files())
@example(([json.dumps({"id": "x", "platform": "x", "text": "t", "created_at": 1e20}),
           _good_line(2, datetime(2020, 1, 1, tzinfo=UTC))], {2: datetime(2020, 1, 1, tzinfo=UTC)}))
def test_an_import_never_stops_and_names_every_bad_line(
    case: tuple[list[str], dict[int, datetime]],
) -> None:
    lines, good = case
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder)) as store:
        report = import_lines(Desk(store, "test"),
                              io.BytesIO("\n".join(lines).encode("utf-8", "surrogatepass")))
        numbers = [int(p.split(":")[0].removeprefix("line ")) for p in report.problems]
        assert len(numbers) == len(set(numbers))  # one message per bad line
        assert all(p.startswith(f"line {n}: ") and len(p) > len(f"line {n}: ")
                   for p, n in zip(report.problems, numbers, strict=True))
        for number, when in good.items():  # every good line is stored, whatever came before
            assert number not in numbers
            assert store.get(f"good-{number}").created_at == when
        nonblank = sum(1 for line in lines if line.strip())
        assert report.new + report.skipped_existing + len(report.problems) == nonblank


# -- the config reader ---------------------------------------------------------------------

SECTIONS = ["org", "tagger", "escalation", "retention", "replies", "priority", "sla",
            "keymap", "bogus"]
ARRAYS = ["accounts", "team", "views", "bogus_list"]
KEYS = sorted({f.name for cls in (Config,) for f in fields(cls)} | {
    "name", "platform", "token_env", "days", "undo_seconds", "max_attempts", "query", "sort",
    "roles", "email", "order", "crisis", "question", "webhook_url", "smtp_port", "smtp_host",
    "poll_seconds", "templates_dir", "claims", "page_id", "nmae"})

toml_scalars = st.one_of(
    st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["15m", "4h", "99999999999999d", "2d", "all", "agent", "legal"]),
)
toml_values = st.recursive(toml_scalars, lambda inner: st.lists(inner, max_size=3),
                           max_leaves=6)
tables = st.dictionaries(st.sampled_from(KEYS), toml_values, max_size=5)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"


def _toml_table(table: dict[str, Any]) -> str:
    return "".join(f"{json.dumps(key)} = {_toml_value(value)}\n" for key, value in table.items())


@st.composite
def config_texts(draw: st.DrawFn) -> str:
    parts = [_toml_table(draw(st.dictionaries(st.sampled_from(["poll_seconds", "data_dir",
                                                               "colour"]), toml_values,
                                              max_size=2)))]
    for section in draw(st.lists(st.sampled_from(SECTIONS), unique=True, max_size=4)):
        parts.append(f"[{section}]\n" + _toml_table(draw(tables)))
    for array in draw(st.lists(st.sampled_from(ARRAYS), max_size=3)):
        parts.append(f"[[{array}]]\n" + _toml_table(draw(tables)))
    if draw(st.booleans()):  # now and then, something that is not TOML at all
        parts.insert(draw(st.integers(0, len(parts))), draw(st.text(max_size=20)) + "\n")
    return "\n".join(parts)


@SETTINGS
@given(config_texts())
@example('[sla]\ncrisis = "99999999999999d"\n')
@example("[retention]\ndays = 1000000000\n")
@example("x = " + "[" * 2000 + "]" * 2000)
def test_a_config_is_read_or_refused_naming_the_key_or_line(text: str) -> None:
    try:
        config = parse_config(text)
    except ConfigError as exc:
        message = str(exc)
        assert message.startswith("config.toml: ")
        named = [f"'{key}'" for key in KEYS] + [f" {key}" for key in KEYS] + [
            f"[{s}]" for s in SECTIONS] + [f"[[{a}]]" for a in ARRAYS] + [
            "(at line", "end of document", "nested more than"]
        assert any(part in message for part in named), message
        assert exc.exit_code == 2
    else:
        assert isinstance(config, Config)
        assert 0 <= config.retention.days <= 36_500


# -- the template reader -------------------------------------------------------------------

TEMPLATE_KEYS = ["id", "title", "tags", "platforms", "body", "approved_by", "approved_on",
                 "review_by", "phi_safe", "language", "claims", "resources", "notes"]


@st.composite
def template_texts(draw: st.DrawFn) -> str:
    """The good template with some keys dropped or given any value, or plain text."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=80))
    lines = [line for line in GOOD.split("\n[[resources]]")[0].splitlines()
             if not line.startswith(("Hi {author}", '"""'))]
    kept = [line for line in lines if "=" in line and draw(st.integers(0, 5)) > 0]
    extra = draw(st.dictionaries(st.sampled_from(TEMPLATE_KEYS), toml_values, max_size=3))
    kept = [line for line in kept if line.split(" =")[0] not in extra]
    body = "" if "body" in extra else 'body = "Hi {author}, see {resource_url}"\n'
    resources = draw(st.sampled_from([
        "", '[[resources]]\ntitle = "Flu facts"\nurl = "https://www.cdc.gov/flu"\n',
        '[[resources]]\ntitle = 3\nlink = "x"\n', "[[resources]]\n"]))
    return "\n".join(kept) + "\n" + body + _toml_table(extra) + resources


@SETTINGS
@given(template_texts())
@example("body = " + "[" * 2000 + "]" * 2000)
@example(GOOD)
def test_a_template_is_read_or_each_problem_names_its_field(text: str) -> None:
    template, problems = parse_template(Path("sample-myth.toml"), text)
    assert (template is None) == bool(problems)
    for problem in problems:
        assert problem.file == "sample-myth.toml"
        assert problem.field and problem.message
        assert problem.field.split()[0] in [*TEMPLATE_KEYS, "toml"], problem
    if template is not None:
        assert template.id == "sample-myth"


# -- the query parser ----------------------------------------------------------------------

query_words = st.one_of(
    st.text(max_size=12),
    st.builds(lambda f, v: f"{f}:{v}", st.sampled_from([*FIELDS, "bogus", "AGE"]),
              st.text(max_size=10)),
    st.builds(lambda op, n, u: f"age:{op}{n}{u}", st.sampled_from(["", "<", ">", "<<"]),
              st.integers(min_value=0, max_value=10**16), st.sampled_from(["m", "h", "d", "w",
                                                                            "y", ""])),
    st.sampled_from(['"open quote', '-tag:', 'tag:', '"', '-"x"', "status:new,", ":"]),
)


@SETTINGS
@given(st.lists(query_words, max_size=5).map(" ".join) | st.text(max_size=40))
@example("age:<99999999999999d")
@example("age:>1000000w")
def test_a_query_is_parsed_or_the_error_names_the_bad_term(text: str) -> None:
    try:
        query = parse_query(text)
    except QueryError as exc:
        message = str(exc)
        assert exc.exit_code == 2
        assert any(_named(word, message) for word in text.split()), (text, message)
    else:
        matches = query.matcher(now=NOW + timedelta(days=1), user="ana")
        assert matches(make_comment("c1", "hello there")) in (True, False)


def _named(word: str, message: str) -> bool:
    """Whether ``message`` quotes ``word`` or a piece of it (a field, a value, a duration)."""
    pieces = {word, word.lstrip("-")}
    for piece in list(pieces):
        field, _, value = piece.partition(":")
        pieces |= {field, field.lower(), value, value.lstrip("<>"), *value.split(",")}
        pieces |= {v.strip().casefold() for v in value.split(",")}
    pieces.discard("")
    return any(repr(p)[1:-1] in message or p in message for p in pieces)
