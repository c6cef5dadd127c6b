"""Personal numbers never in clear (issue 12, finding 4), against the real Rasa server, action server and
console of a stack of its own.

A scripted conversation types her mobile and ID numbers in every common format (plain, spaced, dashed,
+86, full-width, ideographic spaces, with an X), in answered and unanswered questions and in a handover,
over REST, WeChat and WeCom;
one turn makes an action fail (the database refuses the unanswered question: Rasa then logs the action
server's error body, the whole conversation) and one makes the turn itself fail (the tracker store
refuses the event: Rasa's REST channel logs the raw message); staff look at the case and search with a
number in the URL. Then every file of the stack -- logs, databases, their WAL -- and every row of every
table is searched for the numbers, whatever stands between their digits and however they are escaped.
"""
from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import unicodedata
import uuid
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

from conftest import joined
from servers import ROOT
from test_sender_ids import post_wecom
from test_wechat import _message_xml, post_plain, reply_of

PHONE, ID = "13987654321", "11010519850712432X"
OFFICER = ("officer_privacy", "correct horse battery staple")
TURNS = [  # the same two numbers in every common format
    "我手机13987654321，怀孕被辞退了怎么办",
    "电话 139 8765 4321，身份证 110105 19850712 432X，产假多少天",
    "+86 139-8765-4321 火星上的工会会费怎么交",
    "我的身份证是１１０１０５１９８５０７１２４３２Ｘ，手机１３９８７６５４３２１，外星人签劳动合同有效吗",
    "号码139　8765　4321，身份证110105-1985-0712-432x，月球上的工会怎么加入",
]
HANDOVER = ["深圳，某电子厂，我电话 139 8765 4321", "怀孕后被辞退，人事让我写身份证号 110105 19850712 432X 签自愿离职",
            "希望能继续上班", "就在这里联系"]
FAILING_ACTION = "再说一次 8613987654321 身份证11010519850712432X 火星上的工会会费怎么交"
FAILING_TURN = "我的电话是(+86)139.8765.4321，产假多少天"


def readable(raw: str) -> str:
    """Text as a person would read it: escapes (JSON, bytes, URL) undone, full-width folded."""
    text = re.sub(r"\\+u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)) if not 0xD800 <= int(m.group(1), 16)
                  <= 0xDFFF else " ", raw)
    text = re.sub(r"(?:\\+x[0-9a-fA-F]{2})+", lambda m: bytes.fromhex(re.sub(r"\\+x", "", m.group(0))).decode(
        "utf-8", "replace"), text)
    return unicodedata.normalize("NFKC", unquote(text))


def _in_clear(number: str) -> re.Pattern[str]:
    """The number's digits with anything but digits (up to three characters) between them."""
    return re.compile(r"\D{0,3}".join(re.escape(c) for c in number), re.IGNORECASE)


NUMBERS = [_in_clear(PHONE), _in_clear(ID[:17])]


def leaks(text: str) -> list[str]:
    found = []
    for pattern in NUMBERS:
        for raw in (text, readable(text)):
            found += [raw[max(0, m.start() - 60):m.end() + 20] for m in pattern.finditer(raw)]
    return found


def table_rows(db: Path) -> dict[str, str]:
    """Every table of a SQLite database as text (rows too long for a page are whole here)."""
    with sqlite3.connect(db) as conn:
        names = [r[0] for r in conn.execute("select name from sqlite_master where type='table'")]
        return {name: "\n".join(map(repr, conn.execute(f'select * from "{name}"'))) for name in names}


def sql(db: Path, statement: str) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute(statement)


@pytest.fixture(scope="module")
def stack(channels_stack):
    subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "appdb", "create-user", OFFICER[0], "--role",
                    "officer", "--password-stdin"], input=OFFICER[1] + "\n", text=True, env=channels_stack.env,
                   cwd=ROOT, check=True, capture_output=True)
    return channels_stack


def converse(stack, sender: str) -> str:
    """The scripted conversation; returns the code of the case it opens."""
    for text in TURNS:
        assert joined(stack.say(sender, text)).strip()
    # an action fails: the database refuses the unanswered question
    sql(stack.var_dir / "app.db", "CREATE TRIGGER refuse BEFORE INSERT ON unanswered_questions "
                                  "BEGIN SELECT RAISE(ABORT, 'disk I/O error (test)'); END")
    stack.say(sender, FAILING_ACTION)
    sql(stack.var_dir / "app.db", "DROP TRIGGER refuse")
    # the turn fails: the tracker store refuses her message
    sql(stack.var_dir / "tracker.db", "CREATE TRIGGER refuse BEFORE INSERT ON events "
                                      "BEGIN SELECT RAISE(ABORT, 'database is full (test)'); END")
    httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": FAILING_TURN},
               timeout=60)
    sql(stack.var_dir / "tracker.db", "DROP TRIGGER refuse")
    assert "98天" in joined(stack.say(sender, "产假多少天"))  # the conversation goes on
    # a handover whose story carries the numbers
    assert "同意" in joined(stack.say(sender, "转人工"))
    stack.say(sender, "/affirm")
    stack.say(sender, "类别：三期辞退降薪")
    for answer in HANDOVER:  # the form asks what it still needs; the last answers may not be asked for
        if code := re.search(r"案件编号：(AJ[A-Z0-9]{8})", joined(stack.say(sender, answer))):
            return code.group(1)
    raise AssertionError("no case was opened")


def over_wechat_and_wecom(stack, wechat_api) -> None:
    openid, user = "o" + uuid.uuid4().hex[:27], "privacy" + uuid.uuid4().hex[:6]
    r = post_plain(stack, openid, _message_xml(openid, content=TURNS[1]), timeout=30)
    if r.text.startswith("<xml>"):  # answered within WeChat's budget, else through the message API
        assert reply_of(r)["Content"].strip()
    else:
        assert wechat_api.wait_sent("/cgi-bin/message/custom/send", openid)
    assert post_wecom(stack, user, TURNS[3]).status_code == 200
    assert wechat_api.wait_sent("/cgi-bin/message/send", user)


def staff_look(stack, code: str) -> None:
    console = f"http://127.0.0.1:{stack.console_port}"
    with httpx.Client(base_url=console, auth=OFFICER, timeout=30) as officer:
        assert officer.get(f"/api/cases/{code}").status_code == 200
        officer.get("/api/cases", params={"q": "139 8765 4321", "id": "１１０１０５１９８５０７１２４３２Ｘ"})
    httpx.get(f"{console}/admin/hit-test", params={"q": "手机13987654321"}, timeout=30)  # redirected to login


def test_no_number_in_clear_in_any_log_table_or_wal(stack, wechat_api):
    sender = "privacy-" + uuid.uuid4().hex[:8]
    code = converse(stack, sender)
    over_wechat_and_wecom(stack, wechat_api)
    staff_look(stack, code)
    db = sqlite3.connect(stack.var_dir / "app.db")
    assert db.execute("select count(*) from unanswered_questions where conversation=?", (sender,)).fetchone()[0] >= 1
    summary = json.loads(db.execute("select summary from cases where code=?", (code,)).fetchone()[0])
    assert "139****4321" in json.dumps(summary, ensure_ascii=False)  # masked, not dropped
    assert "disk I/O error (test)" in (stack.var_dir / "actions.log").read_text()  # the action did fail

    files = sorted(p for p in stack.var_dir.rglob("*") if p.is_file())
    assert {"rasa.log", "actions.log", "console.log", "app.db", "tracker.db"} <= {p.name for p in files}
    assert any(p.name.endswith("-wal") for p in files)
    found = {str(p.relative_to(stack.var_dir)): leaks(p.read_bytes().decode("utf-8", "replace")) for p in files}
    for name in ("app.db", "tracker.db"):
        found |= {f"{name}:{table}": leaks(text) for table, text in table_rows(stack.var_dir / name).items()}
    assert not {k: v for k, v in found.items() if v}, found
