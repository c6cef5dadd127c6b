"""Score the whole product (real Rasa server + action server) with the shared end-to-end scorer.

Starts a stack of its own on free ports (tests/servers.py), asks every question of
../shared/eval/dev_questions.jsonl and real_dev.jsonl over the REST channel with
../shared/eval/score.py, and prints its per-tag rates and PASS line for each. Part of `make eval`.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.servers import ROOT, start_stack  # noqa: E402

SHARED = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))
SETS = ("dev_questions.jsonl", "real_dev.jsonl")


def main() -> int:
    scorer = SHARED / "eval" / "score.py"
    with tempfile.TemporaryDirectory() as tmp:
        stack = start_stack(Path(tmp))
        try:
            for name in SETS:
                print(f"== {name} (full stack)", flush=True)
                subprocess.run([sys.executable, str(scorer), str(SHARED / "eval" / name), "--url", stack.rasa_url,
                                *sys.argv[1:]], check=False)
        finally:
            stack.stop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
