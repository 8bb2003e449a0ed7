"""The desk's team methods on the embedded store: watching other desks, leases, the next comment."""

from __future__ import annotations

from pathlib import Path

from tests.factories import FLU_POST, sample_comments
from triage.desk import Desk
from triage.store import Store


def _store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "data")
    store.ingest(sample_comments(), [FLU_POST], user="test")
    return store


def test_a_desk_hears_what_another_desk_does_and_not_its_own(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        ana, ben = Desk(store, "ana"), Desk(store, "ben")
        heard = ana.watch()
        ana.dismiss(["c-plain"])
        ben.assign(["c-myth"], "ben")
        ben.lease_set("c-question", "replying", 60)
        change = heard.get(timeout=1)
        assert change is not None and change.ids == ("c-myth",) and change.by == "ben"
        change = heard.get(timeout=1)
        assert change is not None and change.lease is not None
        assert change.lease.said() == "ben is replying"
        assert heard.get(timeout=0.05) is None  # Ana's own dismissal is not echoed to her
        heard.close()
        assert heard.get(timeout=0.05) is None


def test_a_single_seat_hears_nothing(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        desk = Desk(store, "ana")
        heard = desk.watch()
        desk.dismiss(["c-plain"])
        assert heard.get(timeout=0.05) is None


def test_leases_are_released_by_their_holder_only(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        ana, ben = Desk(store, "ana"), Desk(store, "ben")
        ana.lease_set("c-question", "replying", 60)
        ben.lease_release("c-question")  # not Ben's to let go
        assert [x.person for x in ben.leases("c-question")] == ["ana"]
        ana.release_all()
        assert ben.leases("c-question") == []


def test_an_expired_lease_lets_go(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        until = Desk(store, "ana").lease_set("c-question", "replying", 30)
        store.clock = lambda: until  # the desk that held it died: nobody renewed it
        assert Desk(store, "ben").leases() == []


def test_claim_next_takes_the_most_urgent_free_comment_once(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        ana, ben = Desk(store, "ana"), Desk(store, "ben")
        first = ana.claim_next()
        assert first is not None and first.id == "c-crisis" and first.assignee == "ana"
        ben.lease_set("c-privacy", "replying", 60)  # Ben is replying to it: nobody else takes it
        second = ana.claim_next()
        assert second is not None and second.id not in ("c-crisis", "c-privacy")
        taken = {first.id, second.id}
        while (more := ben.claim_next()) is not None:
            assert more.id not in taken
            taken.add(more.id)
        assert "c-privacy" not in taken
        assert ana.claim_next() is None
