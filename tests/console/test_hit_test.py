"""Hit test: the bot's real reply, the decision, the confidence and the ranked hits, for curators only."""
from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.timeout(300)


def hits_table(html: str) -> str:
    return html.split('<table class="hits">')[1].split("</table>")[0]


def test_a_known_question_shows_the_answer_decision_and_ranked_hits(as_user):
    page = as_user("cora").get("/admin/hit-test", params={"q": "怀孕了公司要辞退我怎么办"})
    assert page.status_code == 200
    html = page.text
    assert 'class="decision"' in html and 'class="confidence"' in html
    assert '<div class="bubble bot">' in html
    table = hits_table(html)
    assert table.count("<tr><td>") >= 3  # ranked hits, each with its scores
    assert "faq:" in table or "law:" in table
    assert "综合匹配度" in html and "100%" in table  # shares of the best hit, not raw scores (issue 13)
    assert "BM25" not in html and "answer" not in html.split("<main>")[1]


def test_the_province_changes_what_the_bot_says(as_user):
    cora = as_user("cora")
    national = cora.get("/admin/hit-test", params={"q": "产假多少天"}).text
    guangdong = cora.get("/admin/hit-test", params={"q": "产假多少天", "province": "广东"}).text
    assert "98天" in national
    assert '<option value="广东" selected>' in guangdong
    assert "广东" in guangdong.split('<div class="bubble bot">')[1].split("</div>")[0]


@pytest.mark.parametrize("question, expected", [
    ("😀😀😀", "没有可回答的内容"),
    ("产假" * 400, "问题太长"),
])
def test_odd_questions_get_a_plain_page(as_user, question, expected):
    page = as_user("cora").get("/admin/hit-test", params={"q": question})
    assert page.status_code == 200 and expected in page.text


def test_an_unknown_province_is_said_and_ignored(as_user):
    page = as_user("cora").get("/admin/hit-test", params={"q": "产假多少天", "province": "火星"})
    assert page.status_code == 200 and "不是省级地区" in page.text


def test_the_empty_form_and_the_roles(as_user, console_url):
    assert "<table" not in as_user("carl").get("/admin/hit-test").text
    assert as_user("olga").get("/admin/hit-test", params={"q": "产假"}).status_code == 403
    assert httpx.get(f"{console_url}/admin/hit-test", follow_redirects=False).status_code == 303
