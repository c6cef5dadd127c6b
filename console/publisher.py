"""Index builds requested from the console: one at a time, in the background, in a subprocess.

A publish (FAQ entry, document, retirement) calls `request_build`; requests that arrive while a
build runs are coalesced into one more build after it, since a build always reads the whole current
content. The build runs `python -m knowledge build --quick` as a child process with the console's
environment (INDEX_DIR, KNOWLEDGE_OVERLAY_DIR …): the console stays light, and a crash or a memory
spike of the build cannot take the console down. The running action server then loads the new
version by itself (knowledge/live.py).

--quick keeps the live dense encoder when the training pairs changed, so a new entry reaches the bot
in seconds. Measured on the 2-core test machine after one new entry: quick build 10 s wall clock
(14 s when the annotation cache is cold), full build with retraining 39 s; in the browser test the
running bot answered with the new entry 13.5 s after 发布. The status shows that the encoder is due
for retraining, and `request_build(..., retrain=True)` (the console's 「重新训练」 button, or
`make index`) brings it up to date.
"""
from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from datetime import datetime

from appdb.models import utcnow
from settings import ROOT

log = logging.getLogger(__name__)
BUILD_TIMEOUT = 30 * 60  # seconds; a build that hangs is stopped and reported as failed


@dataclass
class _State:
    state: str = "idle"  # idle | building | failed
    version: str = ""  # the index version the last successful build published
    seconds: float | None = None
    error: str = ""
    requested_at: datetime | None = None
    requested_by: str = ""
    reason: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    pending: bool = False  # another build was asked for while this one ran
    retrain: bool = False


_state = _State()
_lock = threading.Lock()
_worker: threading.Thread | None = None


def request_build(actor: str, reason: str, retrain: bool = False) -> None:
    """Ask for an index build of the current content; returns at once (the build runs in the background)."""
    global _worker
    with _lock:
        _state.requested_at, _state.requested_by, _state.reason = utcnow(), actor, reason[:200]
        _state.pending = True
        _state.retrain = _state.retrain or retrain
        if _worker is not None and _worker.is_alive():
            return  # the running worker picks the request up when its build ends
        _worker = threading.Thread(target=_work, name="index-build", daemon=True)
        _worker.start()


def status() -> dict:
    """What the FAQ and documents pages show: state, last version, last error, times and who asked,
    and (`live`) the index the bot uses now, which outlives this process's memory of its builds."""
    with _lock:
        return {**asdict(_state), "live": _live_index()}


def _live_index() -> dict:
    """The live index version, when it was built, and whether its encoder waits for retraining."""
    from knowledge import store
    from settings import get_settings

    version = store.current_version(get_settings().index_dir)
    if version is None:
        return {"version": "", "built": None, "encoder_stale": False}
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    return {"version": version.name, "built": manifest_time(manifest.get("built", "")),
            "encoder_stale": bool(manifest.get("encoder_stale"))}


def manifest_time(text: str) -> datetime | None:
    """The manifest's build time as an aware instant, so it is shown in the union's zone like every
    other time: the build writes the machine's local wall clock without a zone (UTC on a server)."""
    try:
        built = datetime.fromisoformat(text)
    except ValueError:
        return None
    return built if built.tzinfo else built.astimezone()  # naive: the machine's own zone


def _work() -> None:
    """Build until no request is pending; each loop builds everything requested before it started."""
    while True:
        with _lock:
            if not _state.pending:
                return
            retrain = _state.retrain
            _state.pending, _state.retrain = False, False
            _state.state, _state.started_at, _state.error = "building", utcnow(), ""
        ok, result = _run_build(retrain)
        with _lock:
            _state.finished_at = utcnow()
            if ok:
                _state.state, _state.version = "idle", result.get("version", "")
                _state.seconds = result.get("seconds")
            else:
                _state.state, _state.error = "failed", result.get("error", "")


def _run_build(retrain: bool) -> tuple[bool, dict]:
    """Run the build CLI as a child process; (True, its report) or (False, {"error": last lines})."""
    command = [sys.executable, "-m", "knowledge", "build", *([] if retrain else ["--quick"])]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.error("index build could not run: %s", exc)
        return False, {"error": str(exc)[-2000:]}
    if done.returncode != 0:
        log.error("index build failed (exit %s)", done.returncode)
        return False, {"error": (done.stderr or done.stdout)[-2000:]}
    try:
        return True, json.loads(done.stdout[done.stdout.index("{"):])
    except ValueError:
        return True, {}
