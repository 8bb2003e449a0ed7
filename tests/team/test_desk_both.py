"""The desk's domain rules, run on both stores: the embedded one and the team database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.factories import FLU_POST, make_comment, sample_comments
from tests.team.conftest import TeamDb
from triage import teamdb
from triage.config import AccountConfig, Config, TeamMember
from triage.desk import Desk
from triage.errors import ActionRefused, NotFound, PolicyBlocked
from triage.service import DeskService
from triage.store import Store
from triage.teamdb.desk import open_team_desk

MakeDesk = Callable[..., DeskService]
#: The sample queue's accounts (a reply needs its comment's account configured).
ACCOUNTS = [AccountConfig("riverside-fb", "facebook", token_env="FB_TOKEN"),
            AccountConfig("riverside-ig", "instagram", token_env="IG_TOKEN"),
            AccountConfig("riverside-x", "x", token_env="X_TOKEN")]


@pytest.fixture(params=["embedded", "team"])
def make_desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeDesk]:
    """``make_desk(name, *roles)``: a desk acting as ``name`` on the sample queue, on the
    embedded store or on a fresh team database."""
    opened: list[DeskService] = []
    if request.param == "embedded":
        store = Store(tmp_path / "data")
        store.ingest(sample_comments(), [FLU_POST], user="test")
        members: dict[str, list[str]] = {}

        def embedded(name: str, *roles: str) -> DeskService:
            members[name] = list(roles or ("agent",))
            config = Config(team=[TeamMember(n, roles=r) for n, r in members.items()],
                            accounts=ACCOUNTS)
            return Desk(store, name, config=config)

        yield embedded
        store.close()
        return
    team: TeamDb = request.getfixturevalue("team")
    assert teamdb.capture(team.admin, sample_comments(), [FLU_POST])[0] == 7

    def on_team(name: str, *roles: str) -> DeskService:
        teamdb.add_user(team.admin, name, list(roles or ("agent",)))
        desk = open_team_desk(team.url(name), size=1, config=Config(accounts=ACCOUNTS))
        opened.append(desk)
        return desk

    yield on_team
    for desk in opened:
        desk.close()


def test_undo_takes_back_a_whole_batch_then_the_single_before(make_desk: MakeDesk) -> None:
    desk = make_desk("ana")
    desk.dismiss(["c-plain"])
    desk.dismiss(["c-myth", "c-question"])
    undone = desk.undo()
    assert {a.comment_id for a in undone} == {"c-myth", "c-question"}
    assert desk.get("c-myth").status == "new" and desk.get("c-plain").status == "dismissed"
    desk.undo()
    assert desk.get("c-plain").status == "new"
    with pytest.raises(ActionRefused, match="nothing to undo"):
        desk.undo()


def test_undo_is_per_person_and_refused_when_changed_since(make_desk: MakeDesk) -> None:
    ana, ben = make_desk("ana"), make_desk("ben")
    ana.dismiss(["c-plain"])
    with pytest.raises(ActionRefused, match="nothing to undo"):
        ben.undo()
    ben.restore(["c-plain"])
    with pytest.raises(ActionRefused, match="changed since"):
        ana.undo()
    assert ana.get("c-plain").status == "new"


def test_every_action_names_who_did_it_and_the_chain_holds(make_desk: MakeDesk) -> None:
    desk = make_desk("ana")
    done = desk.dismiss(["c-plain"])
    assert [(a.user, a.kind, a.before, a.after) for a in done] == [
        ("ana", "dismiss", {"status": "new"}, {"status": "dismissed"})]
    assert [a.kind for a in desk.last_actions()] == ["dismiss"]
    assert desk.verify_journal().ok
    assert desk.counts()["dismissed"] == 1 and desk.counts()["new"] == 6


def test_tag_corrections_are_journaled_and_undone(make_desk: MakeDesk) -> None:
    desk = make_desk("ana")
    desk.correct_tag(["c-plain", "c-reply"], "question", add=True)
    assert desk.get("c-plain").tag("question").source == "manual:ana"
    removed = desk.correct_tag(["c-myth"], "misinformation", add=False)
    assert removed[0].data == {"tag": "misinformation", "op": "remove", "tagger_had": True}
    assert desk.get("c-myth").tag("misinformation") is None
    desk.undo()
    assert desk.get("c-myth").tag("misinformation").claim_id == "flu-shot-gives-flu"
    desk.undo()
    assert desk.get("c-plain").tag("question") is None
    with pytest.raises(ActionRefused, match="unknown tag 'nope'"):
        desk.correct_tag(["c-plain"], "nope", add=True)


def test_a_crisis_is_dismissed_only_saying_what_was_done(make_desk: MakeDesk) -> None:
    desk = make_desk("ana")
    with pytest.raises(ActionRefused, match="closing a crisis needs a reason"):
        desk.dismiss(["c-crisis"])
    assert desk.get("c-crisis").status == "new"
    done = desk.dismiss(["c-crisis"], "on-call")
    assert done[-1].data["reason"] == "on-call"
    assert desk.records("closings")["c-crisis"]["by"] == "ana"


def test_not_a_crisis_takes_the_tag_off_in_the_same_batch(make_desk: MakeDesk) -> None:
    desk = make_desk("ana")
    done = desk.dismiss(["c-crisis"], "not-crisis")
    assert sorted(a.kind for a in done) == ["dismiss", "tag"]
    assert done[0].batch is not None and done[0].batch == done[1].batch
    assert desk.get("c-crisis").tag("crisis") is None


def test_notes_are_read_by_the_others(make_desk: MakeDesk) -> None:
    ana, ben = make_desk("ana"), make_desk("ben")
    ana.add_note("c-plain", "send flowers?")
    assert [(n.by, n.text) for n in ben.notes("c-plain")] == [("ana", "send flowers?")]
    with pytest.raises(ActionRefused, match="the note is empty"):
        ana.add_note("c-plain", "   ")
    with pytest.raises(NotFound, match="no comment with id 'nope'"):
        ana.add_note("nope", "x")


def test_threads_replies_and_author_history(make_desk: MakeDesk) -> None:
    desk = make_desk("ana")
    parent, siblings = desk.thread(desk.get("c-reply"))
    assert parent is not None and parent.id == "c-myth" and siblings == []
    assert [c.id for c in desk.replies(desk.get("c-myth"))] == ["c-reply"]
    desk.dismiss(["c-question"])
    desk.capture([make_comment("c-again", "Still waiting for an answer", minutes_ago=1)])
    history = desk.author_history(desk.get("c-again"))
    assert [(h.comment.id, h.acted_by) for h in history] == [("c-question", ("ana",))]


def test_reads_page_newest_first_and_refuse_unknown_ids(make_desk: MakeDesk) -> None:
    desk = make_desk("ana")
    assert [c.id for c in desk.newest(lambda c: c.platform == "facebook", 2)] == [
        "c-question", "c-reply"]
    assert len(list(desk.iter_comments())) == 7
    assert [c.id for c in desk.get_many(["c-plain", "c-myth"])] == ["c-plain", "c-myth"]
    with pytest.raises(NotFound, match="no comment with id 'gone'"):
        desk.get_many(["c-plain", "gone"])


def test_next_takes_the_most_urgent_free_comment_and_assigns_it(make_desk: MakeDesk) -> None:
    ana, ben = make_desk("ana"), make_desk("ben")
    first = ana.claim_next()
    assert first is not None and first.id == "c-crisis" and first.assignee == "ana"
    second = ben.claim_next()
    assert second is not None and second.id == "c-privacy" and second.assignee == "ben"
    taken = {first.id, second.id}
    while (more := ana.claim_next()) is not None:
        assert more.id not in taken
        taken.add(more.id)
    assert len(taken) == 7 and ana.claim_next() is None


def test_presence_leases_are_listed_until_released(make_desk: MakeDesk) -> None:
    ana = make_desk("ana")
    ana.lease_set("c-myth", "replying", 60)
    assert [(x.comment_id, x.person, x.what) for x in ana.leases()] == [
        ("c-myth", "ana", "replying")]
    assert ana.leases("c-plain") == []
    assert ana.lease_release("c-myth") and not ana.lease_release("c-myth")
    assert ana.leases() == []
    with pytest.raises(ActionRefused, match="a lease lasts 1 to 3600 seconds"):
        ana.lease_set("c-myth", "replying", 0)


def test_a_hold_refuses_changes_and_only_legal_releases_it(make_desk: MakeDesk) -> None:
    ana, lee = make_desk("ana"), make_desk("lee", "legal")
    ana.hold_place("c-myth", "threat", "esc-0001")
    with pytest.raises(ActionRefused, match="legal hold"):
        ana.dismiss(["c-myth"])
    assert ana.held_among(["c-myth", "c-plain"]) == 1
    with pytest.raises(ActionRefused, match="legal"):
        ana.hold_release("c-myth", "done")
    lee.hold_release("c-myth", "no action needed")
    assert ana.held_among(["c-myth"]) == 0
    assert [a.kind for a in ana.dismiss(["c-myth"])] == ["dismiss"]


def test_capture_adds_new_comments_once(make_desk: MakeDesk) -> None:
    desk = make_desk("ana")
    fresh = make_comment("c-new", "Is the clinic open on Sunday?", minutes_ago=1)
    assert desk.capture([fresh]) == (1, 0, 0)
    assert desk.capture([fresh]) == (0, 0, 1)
    assert desk.get("c-new").status == "new"


def test_set_status_is_undone_and_deleted_is_refused(make_desk: MakeDesk) -> None:
    desk = make_desk("ana")
    assert [a.after for a in desk.set_status(["c-question"], "replied")] == [
        {"status": "replied"}]
    desk.undo()
    assert desk.get("c-question").status == "new"
    with pytest.raises(ActionRefused, match="a comment is deleted at its source"):
        desk.set_status(["c-question"], "deleted")
    with pytest.raises(ActionRefused, match="unknown status 'gone'"):
        desk.set_status(["c-question"], "gone")


def test_a_reply_breaking_a_blocking_policy_is_refused(make_desk: MakeDesk) -> None:
    ana = make_desk("ana")
    with pytest.raises(PolicyBlocked, match="cure-promise: 'guaranteed': promises a cure"):
        ana.submit_reply("c-question", "Our flu shot is guaranteed to work.", None)
    assert ana.records("outbox") == {}


def test_a_free_text_reply_waits_for_another_approver(make_desk: MakeDesk) -> None:
    ana, cy = make_desk("ana", "agent", "approver"), make_desk("cy", "approver")
    submitted = ana.submit_reply("c-question", "We open at 9 on Saturday.", None)
    assert submitted.kind == "reply_submitted" and submitted.user == "ana"
    item = submitted.data["record"]["key"]
    assert ana.records("outbox")[item]["state"] == "waiting_approval"
    with pytest.raises(ActionRefused, match="approve"):
        ana.approve_reply(item)
    approved = cy.approve_reply(item, "fine")
    assert approved.kind == "reply_approved" and approved.user == "cy"
    assert cy.records("outbox")[item]["state"] == "queued"
    assert cy.get("c-question").status == "replied"
