"""Logging in to the console in headless Chromium: a wrong password, each role's menu, a page the
role may not open (403), logging out."""
from __future__ import annotations

import re

import pytest

from staff import PASSWORD

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    yield context.new_page()
    context.close()


def log_in(page, console_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{console_url}/admin/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_login_roles_and_a_forbidden_page(page, console_url):
    page.goto(f"{console_url}/admin/cases")  # not logged in: the login form, which returns here after
    expect(page).to_have_url(f"{console_url}/admin/login?next=/admin/cases")

    log_in(page, console_url, "olga", "not the password at all")
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")

    log_in(page, console_url, "olga")
    menu = page.get_by_role("navigation", name="主菜单")
    expect(menu.get_by_role("link", name="案件")).to_be_visible()
    expect(menu.get_by_role("link", name="知识条目")).to_have_count(0)  # not an officer's menu
    expect(page.get_by_text("olga（维权专员）")).to_be_visible()

    response = page.goto(f"{console_url}/admin/faq")
    assert response.status == 403
    expect(page.get_by_role("heading", name="没有权限")).to_be_visible()

    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/admin/login\?msg="))
    expect(page.get_by_role("status")).to_have_text("已退出")
    page.goto(f"{console_url}/admin/dashboard")
    expect(page).to_have_url(f"{console_url}/admin/login?next=/admin/dashboard")


def test_a_curator_lands_on_the_dashboard_with_the_curation_menu(page, console_url):
    log_in(page, console_url, "cora")
    expect(page).to_have_url(f"{console_url}/admin/dashboard")
    menu = page.get_by_role("navigation", name="主菜单")
    for label in ("概览", "知识条目", "法规文件", "命中测试", "未答问题", "服务与预约"):
        expect(menu.get_by_role("link", name=label)).to_be_visible()
    expect(menu.get_by_role("link", name="案件")).to_have_count(0)
    assert page.goto(f"{console_url}/admin/cases").status == 403
