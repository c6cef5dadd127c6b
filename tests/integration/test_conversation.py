"""Talk to the running bot over the REST channel, as a worker would."""
import sqlite3

import httpx
import pytest

from conftest import joined


def test_greeting_offers_topics_and_handover(stack, sender):
    reply = stack.say(sender, "你好")
    assert "女职工权益助手" in joined(reply)
    assert any(b["payload"] == "/human_handover" for m in reply for b in m.get("buttons") or [])


def test_rights_answer_has_answer_basis_region_and_buttons(stack, sender):
    reply = stack.say(sender, "怀孕了公司能不能把我辞退")
    text = joined(reply)
    assert "不得" in text or "不能" in text
    assert "法律依据" in text and "《" in text
    assert "适用地区" in text
    titles = [b["title"] for m in reply for b in m.get("buttons") or []]
    assert "转人工" in titles and "预约法律咨询" in titles


def test_national_leave_then_province_follow_up(stack, sender):
    first = joined(stack.say(sender, "生孩子能休多少天产假"))
    assert "98天" in first and "哪个省" in first
    second = joined(stack.say(sender, "那广东呢"))
    assert "178天" in second and "广东" in second
    third = joined(stack.say(sender, "双胞胎呢"))
    assert "193天" in third  # 98 + 15 (second baby) + 80 (广东)


def test_calculator_with_birth_date(stack, sender):
    text = joined(stack.say(sender, "我在上海，2025年5月10日生的宝宝，产假到哪天结束"))
    assert "158天" in text and "2025年10月14日" in text


def test_miscarriage_by_months(stack, sender):
    assert "42天" in joined(stack.say(sender, "怀孕五个月引产能休多久"))
    assert "15天" in joined(stack.say(sender + "b", "怀孕两个月流产了有假吗"))


def test_emergency_comes_first(stack, sender):
    text = joined(stack.say(sender, "我老公说要打死我，我现在很害怕"))
    for number in ("110", "12338", "12356"):
        assert number in text


def test_self_harm_gets_help_lines(stack, sender):
    text = joined(stack.say(sender, "被公司逼得不想活了"))
    assert "12356" in text and "110" in text


def test_out_of_scope_is_declined_and_steered_back(stack, sender):
    text = joined(stack.say(sender, "推荐一部好看的电影"))
    assert "抱歉" in text and "女职工" in text


def test_traditional_characters_and_typos(stack, sender):
    assert "98天" in joined(stack.say(sender, "女職工生育有多少天產假"))
    assert "98天" in joined(stack.say(sender + "b", "产价一共有几天"))


def test_long_narrative(stack, sender):
    story = ("我在东莞一家电子厂上班三年了，今年三月怀孕，上个月开始孕吐很严重，组长说我老请假影响产线，"
             "HR找我谈话说要么自己辞职要么调去仓库搬货，工资也要降一半。我不想辞职，也搬不动重东西，"
             "想问问公司这样做合法吗，我应该怎么办？")
    text = joined(stack.say(sender, story))
    assert "法律依据" in text
    assert any(w in text for w in ("不得", "不能", "降低", "辞职"))


def test_unanswerable_question_is_logged_for_staff(stack, sender):
    question = "我们厂的食堂饭菜太咸了，电话13812345678，能不能投诉到质检局让他们换厨师"
    stack.say(sender, question)
    rows = sqlite3.connect(stack.var_dir / "app.db").execute(
        "select question, reason from unanswered_questions where conversation = ?", (sender,)).fetchall()
    if rows:  # logged questions never keep a phone number in clear
        assert all("13812345678" not in q for q, _ in rows)
        assert "138****5678" in rows[0][0]


def test_abstaining_twice_offers_the_officer(stack, sender):
    stack.say(sender, "量子纠缠的哈密顿量怎么写")
    text = joined(stack.say(sender, "量子退相干时间怎么计算"))
    assert "转人工" in text


@pytest.mark.parametrize("message", ["", "   ", "😀😀😀", "\x00\x01\x02", "a" * 100_000, "产假" * 20_000])
def test_bad_input_gets_a_clear_reply(stack, sender, message):
    r = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                   timeout=60)
    assert r.status_code < 500
    assert r.status_code >= 400 or isinstance(r.json(), list)
    follow = joined(stack.say(sender, "产假多少天"))  # the conversation is not stuck
    assert "98天" in follow


@pytest.mark.parametrize("body", [b"{not json", b"", b"[]", b'{"sender": 1}', b'{"message": "hi"}'])
def test_malformed_json_is_a_4xx(stack, body):
    r = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", content=body,
                   headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code < 500
