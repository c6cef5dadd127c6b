"""Score the whole product (real Rasa server + action server) with the shared end-to-end scorer.

Starts a stack of its own on free ports (tests/servers.py), asks every question of
../shared/eval/dev_questions.jsonl and real_dev.jsonl, and of our own message sets (training and
held-out, converted to the scorer's format with the first issue as the tag), over the REST channel
with ../shared/eval/score.py, and prints its per-tag rates and PASS line for each. Part of `make eval`.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.servers import ROOT, start_stack  # noqa: E402

SHARED = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))
SHARED_SETS = ("dev_questions.jsonl", "real_dev.jsonl")


def as_jsonl(name: str, path: Path, folder: Path) -> Path:
    """One of our YAML message sets in the shared scorer's format."""
    from answering.evaluate import load

    target = folder / f"{name}.jsonl"
    with target.open("w", encoding="utf-8") as out:
        for item in load(path):
            row = {"id": item["id"], "q": item.get("text") or item["turns"][-1], "facts": item.get("facts") or [],
                   "tag": (item.get("issues") or ["no_issue"])[0], "not": item.get("not") or []}
            if item.get("turns"):
                row["turns"] = item["turns"]
            if not item.get("issues"):  # no legal issue: a conversational reply is right, nothing to check
                row["facts"] = [[".+"]]
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return target


def main() -> int:
    from answering.evaluate import SETS

    scorer = SHARED / "eval" / "score.py"
    with tempfile.TemporaryDirectory() as tmp:
        files = [SHARED / "eval" / name for name in SHARED_SETS]
        files += [as_jsonl(name, path, Path(tmp)) for name, path in SETS.items() if path.exists()]
        stack = start_stack(Path(tmp) / "stack")
        try:
            for path in files:
                print(f"== {path.name} (full stack)", flush=True)
                subprocess.run([sys.executable, str(scorer), str(path), "--url", stack.rasa_url, *sys.argv[1:]],
                               check=False)
        finally:
            stack.stop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
