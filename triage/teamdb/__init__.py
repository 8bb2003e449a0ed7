"""The team store's database on PostgreSQL: schema, roles, migrations and typed calls.

The rules live in the database: application roles read the tables, and every change goes
through functions that check the login's role and journal the change in the same
transaction. Needs the ``team`` extra (``pip install 'triage-desk[team]'``)::

    conn = connect("postgresql://admin@db.example.org/triage")
    init(conn)                                   # roles, schema, migrations (idempotent)
    add_user(conn, "ana", ["agent"])
    with connect("postgresql://ana@db.example.org/triage") as ana:
        comment = claim_next(ana)                # assigned to ana, journaled as ana

    desk = open_team_desk("postgresql://ana@db.example.org/triage")   # the desk contract
    desk.dismiss(["fb-1001"]); desk.undo(); desk.close()
"""

from triage.teamdb.calls import (
    CHANNEL,
    ChainCheck,
    Change,
    Lease,
    approve_reply,
    assign,
    capture,
    changes,
    claim_next,
    correct_tag,
    dismiss,
    hold_place,
    hold_release,
    lease_release,
    lease_set,
    leases,
    listen,
    restore,
    set_state,
    set_status,
    submit_reply,
    verify_journal,
)
from triage.teamdb.connection import connect, open_pool
from triage.teamdb.copy import CopyReport, copy_store
from triage.teamdb.desk import TeamDesk, open_team_desk
from triage.teamdb.schema import (
    ROLES,
    Migration,
    MigrationState,
    add_user,
    init,
    migrate,
    migrations,
    status,
)

__all__ = [
    "CHANNEL",
    "ROLES",
    "ChainCheck",
    "Change",
    "CopyReport",
    "Lease",
    "Migration",
    "MigrationState",
    "TeamDesk",
    "add_user",
    "approve_reply",
    "assign",
    "capture",
    "changes",
    "claim_next",
    "connect",
    "copy_store",
    "correct_tag",
    "dismiss",
    "hold_place",
    "hold_release",
    "init",
    "lease_release",
    "lease_set",
    "leases",
    "listen",
    "migrate",
    "migrations",
    "open_pool",
    "open_team_desk",
    "restore",
    "set_state",
    "set_status",
    "status",
    "submit_reply",
    "verify_journal",
]
