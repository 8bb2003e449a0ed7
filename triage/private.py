"""Files that hold comments: created readable by their owner only, whatever the umask.

The data folder is 0700 and every file in it 0600, and so is an exported case packet:
they hold comment text with phone numbers, e-mail addresses and health details.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO, Literal

__all__ = ["DIR_MODE", "FILE_MODE", "make_private", "open_private", "private_dir",
           "write_new_private", "write_private"]

DIR_MODE = 0o700
FILE_MODE = 0o600

_FLAGS = {
    "ab": os.O_WRONLY | os.O_CREAT | os.O_APPEND,
    "wb": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
    "rb+": os.O_RDWR,
}


def open_private(
    path: Path, mode: Literal["ab", "wb", "rb+"], buffering: int = -1
) -> IO[bytes]:
    """Open ``path`` as :func:`open` would, the file being (or made) 0600."""
    descriptor = os.open(path, _FLAGS[mode] | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)  # the umask may differ; an older file kept its mode
        return os.fdopen(descriptor, mode, buffering)
    except BaseException:
        os.close(descriptor)
        raise


def write_private(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` (0600), replacing what was there."""
    with open_private(path, "wb") as handle:
        handle.write(payload)


def write_new_private(folder: Path, stem: str, suffix: str, text: str) -> Path:
    """Write ``text`` to a new file ``stem.suffix`` (0600) in ``folder`` (made 0700), or
    ``stem-2.suffix``, … when that name is taken; its path. Raises OSError."""
    private_dir(folder)
    path, number = folder / f"{stem}.{suffix}", 1
    while path.exists():
        number += 1
        path = folder / f"{stem}-{number}.{suffix}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    return path


def private_dir(path: Path) -> None:
    """Create the folder ``path`` (0700), or make an existing one 0700."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != DIR_MODE:
        path.chmod(DIR_MODE)


def make_private(folder: Path, patterns: tuple[str, ...]) -> list[Path]:
    """Make ``folder`` 0700, and what ``patterns`` match in it 0700 (folders) or 0600 (files).

    Only the named files are touched, so a data folder given by mistake (a home folder)
    keeps the modes of everything else. Returns what other users could read before, so the
    caller can say so. Symbolic links are left alone.
    """
    opened: list[Path] = []
    paths = {folder} | {path for pattern in patterns for path in folder.glob(pattern)}
    for path in sorted(paths):
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(info.st_mode):
            continue
        wanted = DIR_MODE if stat.S_ISDIR(info.st_mode) else FILE_MODE
        if stat.S_IMODE(info.st_mode) & 0o077:
            opened.append(path)
        if stat.S_IMODE(info.st_mode) != wanted:
            path.chmod(wanted)
    return opened
