"""The index a long-running server uses: swapped for a newer build without a restart.

On each access, at most every `interval` seconds, it looks at CURRENT; when it names a new
version, that version is loaded in a background thread while requests keep using the old one,
then swapped in with one assignment. A broken new version is logged and the old one kept.
"""
from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache
from pathlib import Path

from knowledge import store
from knowledge.search import Searcher

log = logging.getLogger(__name__)


class LiveIndex:
    def __init__(self, index_dir: Path, interval: float = 2.0, rerank: bool = False):
        self.index_dir = index_dir
        self.rerank = rerank
        self.interval = interval
        self._searcher: Searcher | None = None
        self._loading: str | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        version = store.current_version(index_dir)
        if version is None:
            raise FileNotFoundError(f"no index in {index_dir}: run `make index` (python -m knowledge build)")
        self._searcher = Searcher(version, rerank=rerank)

    @property
    def version(self) -> str:
        return self._searcher.version_dir.name

    def get(self) -> Searcher:
        """The newest loaded searcher; starts loading a newer version if one was published."""
        now = time.monotonic()
        if now - self._checked >= self.interval:
            self._checked = now
            self._maybe_reload()
        return self._searcher

    def _maybe_reload(self) -> None:
        version = store.current_version(self.index_dir)
        if version is None or version.name == self.version:
            return
        with self._lock:
            if self._loading == version.name:
                return
            self._loading = version.name
        threading.Thread(target=self._load, args=(version,), daemon=True).start()

    def _load(self, version: Path) -> None:
        try:
            searcher = Searcher(version, rerank=self.rerank)
            self._searcher = searcher
            log.info("index %s loaded", version.name)
        except Exception:  # keep serving the old index; the next publish is tried again
            log.exception("could not load index %s; keeping %s", version.name, self.version)
        finally:
            with self._lock:
                self._loading = None



@lru_cache(maxsize=1)
def from_settings() -> LiveIndex:
    """The process's live index, as configured (the action server and the console share this)."""
    from settings import get_settings

    s = get_settings()
    return LiveIndex(s.index_dir, s.INDEX_RELOAD_SECONDS, rerank=s.RERANK == "on")
