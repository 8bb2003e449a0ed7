"""Local stand-ins of the platforms' APIs on 127.0.0.1, for connector tests and the sandbox."""

from triage.standins.app import BASE_PATHS, Standins
from triage.standins.faults import FAULT_KINDS, Fault
from triage.standins.process import StandinAdmin, StandinProcess
from triage.standins.records import STANDIN_PLATFORMS, records_from_model
from triage.standins.server import StandinServer
from triage.standins.world import Node, World

__all__ = [
    "BASE_PATHS",
    "FAULT_KINDS",
    "STANDIN_PLATFORMS",
    "Fault",
    "Node",
    "StandinAdmin",
    "StandinProcess",
    "StandinServer",
    "Standins",
    "World",
    "records_from_model",
]
