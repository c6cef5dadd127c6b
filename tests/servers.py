"""Start the real Rasa server and action server for tests and benchmarks.

The processes are started by deploy/processes.py, as the scaled deployment starts them; each run gets
its own ports and its own var/ directory (tracker and app databases), so tests never touch a running
`make run`.
"""
from __future__ import annotations

import signal
import sys
from pathlib import Path

from deploy.processes import ROOT, Stack, current_model, make_stack, prepare_database

__all__ = ["ROOT", "Stack", "copy_index", "current_model", "make_stack", "prepare_database", "start_stack"]


def copy_index(dest: Path) -> Path:
    """The live index (CURRENT version + cache) copied to `dest`, for a stack whose builds (console
    publishing) must never touch build/index; pass it as INDEX_DIR."""
    import shutil

    from knowledge import store

    source = ROOT / "build" / "index"
    live = store.current_version(source)
    if live is None:
        raise RuntimeError("no index: run `make index`")
    shutil.copytree(live, dest / live.name)
    shutil.copytree(source / "cache", dest / "cache")
    store.publish(dest, dest / live.name)
    return dest


def start_stack(var_dir: Path, **overrides: str) -> Stack:
    stack = make_stack(var_dir, **overrides)
    prepare_database(stack)
    try:
        stack.start_actions()
        stack.start_rasa()
    except Exception:
        stack.stop_all()
        raise
    return stack


if __name__ == "__main__":  # manual use: python tests/servers.py /tmp/somewhere
    s = start_stack(Path(sys.argv[1]))
    print(s.rasa_url, "actions on", s.action_port, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so `finally` stops both servers
    try:
        signal.pause()
    finally:
        s.stop_all()
