"""Command line of the retrieval layer.

    python -m knowledge import FOLDER...        check what a folder of official texts would import
    python -m knowledge build [--quick]         build and publish a new index version (content +
                                                the console's overlay); --quick keeps the live
                                                encoder instead of retraining it
    python -m knowledge search "问题" [--province 上海] [--mode bm25|dense|fusion]
    python -m knowledge stats                   what the live index holds
    python -m knowledge eval QUESTIONS.jsonl    per-topic recall@1/@5 and out-of-scope abstention
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from settings import get_settings


def _print(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1, default=str))


def cmd_import(args) -> int:
    from knowledge.ingest import import_paths

    report = import_paths([Path(p) for p in args.paths])
    for meta, chunks in report.documents:
        print(f"OK   {meta.title}  [{meta.level} · {meta.region} · {meta.effective}]  {len(chunks)} chunks")
    for path, reason in report.skipped:
        print(f"SKIP {path}: {reason}")
    return 0 if report.documents or not report.skipped else 1


def cmd_build(args) -> int:
    from knowledge.build import build, build_configured

    s = get_settings()
    if args.docs:  # a one-off build from other folders (no console overlay)
        report = build(s.index_dir, [Path(p) for p in args.docs], dense_model=s.DENSE_MODEL,
                       mode=s.RETRIEVAL_MODE)
    else:
        report = build_configured(retrain=not args.quick)
    _print(report.__dict__)
    return 0


def _searcher():
    from knowledge import store
    from knowledge.search import Searcher

    version = store.current_version(get_settings().index_dir)
    if version is None:
        sys.exit("no index yet: run `python -m knowledge build` (make index)")
    return Searcher(version, rerank=get_settings().RERANK == "on")


def cmd_search(args) -> int:
    _print(_searcher().explain(args.query, province=args.province, mode=args.mode, k=args.k))
    return 0


def cmd_stats(args) -> int:
    s = _searcher()
    _print({"version": s.version_dir.name, **s.manifest, "calibration": s.calibration})
    return 0


def cmd_eval(args) -> int:
    from knowledge.evaluate import evaluate, print_report

    report = evaluate(_searcher(), Path(args.questions), modes=args.modes.split(","))
    print_report(report)
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(prog="python -m knowledge", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("import")
    p.add_argument("paths", nargs="+")
    p.set_defaults(fn=cmd_import)
    p = sub.add_parser("build")
    p.add_argument("--docs", nargs="*")
    p.add_argument("--quick", action="store_true")
    p.set_defaults(fn=cmd_build)
    p = sub.add_parser("search")
    p.add_argument("query")
    p.add_argument("--province")
    p.add_argument("--mode", choices=("fusion", "bm25", "dense"))
    p.add_argument("-k", type=int, default=5)
    p.set_defaults(fn=cmd_search)
    p = sub.add_parser("stats")
    p.set_defaults(fn=cmd_stats)
    p = sub.add_parser("eval")
    p.add_argument("questions")
    p.add_argument("--modes", default="bm25,dense,fusion,fusion+rerank")
    p.set_defaults(fn=cmd_eval)
    args = parser.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
