"""Accessibility checks with axe-core in the real browser.

axe-core comes from the npm registry with the widget's devDependencies (`make widget` runs `npm ci`
in console/widget); the tests inject that file into the page, never a CDN copy. Only serious and
critical violations fail a test (issue 13's bar); the others are returned for a report.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "console/widget/node_modules/axe-core/axe.min.js"
BLOCKING = ("serious", "critical")


def violations(page, context: str | None = None) -> list[dict]:
    """axe's violations on the page as it is now (optionally only inside the CSS selector `context`)."""
    if not AXE_JS.is_file():
        raise AssertionError(f"{AXE_JS} is missing: run `make widget`")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate("ctx => axe.run(ctx || document).then(r => r.violations)", context)


def describe(found: list[dict]) -> str:
    """One line per violation and node, readable in a test failure."""
    lines = []
    for v in found:
        targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        lines.append(f"{v['impact']}: {v['id']} ({v['help']}) at {targets}")
    return "\n".join(lines)


def assert_no_serious(page, context: str | None = None) -> None:
    """Fail with a readable list when axe finds a serious or critical violation."""
    serious = [v for v in violations(page, context) if v["impact"] in BLOCKING]
    assert not serious, "axe-core found serious or critical violations:\n" + describe(serious)
