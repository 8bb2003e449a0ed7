"""Triage: one keyboard-driven queue for the comments on a healthcare organisation's accounts."""

from triage.errors import TriageError
from triage.model import Action, Author, Comment, Post, Tag

__version__ = "0.1.0"

__all__ = ["Action", "Author", "Comment", "Post", "Tag", "TriageError", "__version__"]
