"""The public side of the console: the union's demo page at / and the chat widget's files at /widget.

The widget (console/widget/public: widget.js, widget.css and socket.io.min.js, which `make widget`
copies from the socket.io-client package) is embedded on any page with one script tag and an init
call; this page does exactly that, pointing the widget at Rasa's socket.io channel (settings.RASA_URL).
"""
from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from settings import get_settings

WIDGET_DIR = Path(__file__).resolve().parent / "widget" / "public"

router = APIRouter(tags=["public"])

PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>女职工权益服务 · 工会</title>
<style>
  body {{ margin: 0;
         font-family: "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif;
         color: #222; background: #faf7f8; line-height: 1.7; }}
  header {{ background: #c2185b; color: #fff; padding: 28px 20px; }}
  header h1 {{ margin: 0 0 6px; font-size: 26px; }}
  main {{ max-width: 860px; margin: 0 auto; padding: 12px 20px 120px; }}
  section {{ background: #fff; border-radius: 10px; padding: 14px 20px; margin: 16px 0;
            box-shadow: 0 1px 4px rgba(0,0,0,.08); }}
  h2 {{ font-size: 19px; color: #8e0f42; margin: 6px 0; }}
  li {{ margin: 4px 0; }}
  footer {{ color: #666; font-size: 13px; text-align: center; padding: 20px; }}
</style>
</head>
<body>
<header>
  <h1>女职工权益服务</h1>
  <div>维护女职工合法权益 · 工会是职工之家</div>
</header>
<main>
  <section>
    <h2>您享有的主要权益</h2>
    <ul>
      <li><b>产假</b>：国家规定产假98天，其中产前可以休假15天；难产增加15天，多胞胎每多生育1个婴儿增加15天；各省另有延长生育假。</li>
      <li><b>流产假</b>：怀孕未满4个月流产的，享受15天产假；满4个月流产的，享受42天产假。</li>
      <li><b>哺乳时间</b>：婴儿满1周岁前，每天安排1小时哺乳时间，不得延长劳动时间或安排夜班劳动。</li>
      <li><b>孕期保护</b>：不得因怀孕、生育、哺乳降低工资、予以辞退或解除劳动合同；怀孕7个月以上不得延长劳动时间或安排夜班劳动；产前检查算作劳动时间。</li>
      <li><b>防治性骚扰</b>：用人单位应当采取措施预防和制止对妇女的性骚扰。</li>
      <li><b>平等就业</b>：招聘时不得询问婚育情况，不得将妊娠测试作为入职体检项目，不得限制女职工结婚、生育。</li>
    </ul>
  </section>
  <section>
    <h2>工会服务</h2>
    <p>托育服务、爱心托管、女职工休息哺乳室、两癌筛查、心理疏导、法律咨询、婚恋交友活动，均可在线预约。</p>
  </section>
  <section>
    <h2>遇到问题怎么办</h2>
    <p>点击右下角的“咨询女职工权益助手”，用日常的话提问即可；情况复杂时可以转人工，由工会维权专员跟进。
       职工服务热线 <b>12351</b>；劳动争议仲裁免费，应在一年内申请。遇到人身危险请立即拨打 <b>110</b>。</p>
  </section>
</main>
<footer>本页面为演示页面 · 女职工权益助手</footer>
<script src="/widget/widget.js"></script>
<script>WomenRightsWidget.init({{socketUrl: {socket_url}, title: "女职工权益助手"}});</script>
</body>
</html>
"""


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def demo_page() -> HTMLResponse:
    # json.dumps gives a JS string literal; "</" is escaped so the value cannot close the script tag.
    socket_url = json.dumps(get_settings().RASA_URL).replace("</", "<\\/")
    return HTMLResponse(PAGE.format(socket_url=socket_url))


def mount(app: FastAPI) -> None:
    """The demo page and the widget's static files."""
    app.include_router(router)
    app.mount("/widget", StaticFiles(directory=WIDGET_DIR), name="widget")
