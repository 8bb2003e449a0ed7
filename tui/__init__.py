"""The Textual app of Triage: the queue screen and everything a person works it with."""

from tui.app import TriageApp

__all__ = ["TriageApp"]
