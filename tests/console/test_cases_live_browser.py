"""The live handover (issue 13, finding 5), in real headless Chromium against real Rasa, action and
console servers, with the worker in the web widget and the officer in the console, neither page
reloaded: a new case appears in the officer's open inbox with an unread marker and her words; her
message to a case in the officer's hands gets an acknowledgement at once (who has it, when TA is
expected) and appears in the officer's open case page; the officer's reply arrives in her open
widget under the officer's name; axe finds nothing serious on the live pages."""
from __future__ import annotations

import re

import httpx
import pytest

from axe import assert_no_serious
from integration.test_widget import escalate_in_widget, say
from staff import PASSWORD
from test_cases_browser import officer_login, publish, side_by_side

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.timeout(420)
REPLY = "您好，我看到你的留言了。请先别签任何文件，我下午给你打电话。"
LIVE = 15_000  # ms: a live update comes within a poll or two (1.5 s each)


def not_reloaded(page) -> None:
    """Mark the page: a reload (or a navigation) loses the mark, `still_the_same` then fails."""
    page.evaluate("window.__sameDocument = true")


def still_the_same(page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"


def test_handover_is_live_on_both_sides(browser, full_stack, tmp_path):
    base = f"http://127.0.0.1:{full_stack.console_port}"
    with side_by_side(browser, base) as (worker, officer):
        officer_login(officer, base)  # the inbox is open before her case exists
        not_reloaded(officer)
        code = escalate_in_widget(worker)

        row = officer.locator(f'tr[data-code="{code}"]')
        expect(row).to_contain_text("未读", timeout=LIVE)  # a new case, never opened
        expect(row).to_contain_text("三期辞退")
        expect(officer.locator("#live-status")).to_contain_text("新的案件")
        still_the_same(officer)
        assert_no_serious(officer)
        officer.screenshot(path=tmp_path / "09-live-inbox.png", full_page=True)

        row.get_by_role("link", name=code).click()
        officer.get_by_role("button", name="我来接手").click()
        expect(officer.locator(".flash.ok")).to_contain_text("已接手")
        expect(worker.locator(".wrw-log")).to_contain_text("维权专员已接手")
        not_reloaded(officer)

        # She writes to the case in the officer's hands: told at once who has it and when, not left
        # with typing dots; and the officer's open case page shows her words (her number masked).
        ack = say(worker, "公司今天又找我谈话了，让我签字，我的电话13812345678")
        assert "已转给维权专员 olga" in ack and "回复你" in ack and "工作时间" in ack
        conversation = officer.locator("#conversation")
        expect(conversation).to_contain_text("公司今天又找我谈话了", timeout=LIVE)
        assert "13812345678" not in conversation.inner_text()
        expect(officer.locator("#live-status")).to_contain_text("职工发来新消息")
        still_the_same(officer)
        assert_no_serious(officer)
        officer.screenshot(path=tmp_path / "10-live-case-page.png", full_page=True)

        # The officer's reply arrives in her open widget under the officer's name.
        officer.get_by_label(re.compile("回复职工")).fill(REPLY)
        officer.get_by_role("button", name="发送回复").click()
        expect(officer.locator(".flash.ok")).to_contain_text("回复已发送")
        log = worker.locator(".wrw-log")
        expect(log).to_contain_text(REPLY)
        expect(log).to_contain_text("维权专员 olga")
        worker.screenshot(path=tmp_path / "11-officer-named-in-widget.png")

        # Back in the inbox (seen now), her next message marks the case unread, with its opening.
        officer.goto(f"{base}/admin/cases")
        expect(row).not_to_contain_text("未读")
        not_reloaded(officer)
        assert "已转给维权专员 olga" in say(worker, "还有，他们说不签就扣工资")
        expect(row).to_contain_text("未读", timeout=LIVE)
        expect(row).to_contain_text("还有,他们说不签就扣工资")
        still_the_same(officer)
    with httpx.Client(base_url=base, auth=("olga", PASSWORD), timeout=30) as api:
        assert api.post(f"/api/cases/{code}/close", json={"outcome": "已电话联系"}).status_code == 200
    publish(tmp_path)
