"""One replica's WeChat and WeCom clients, built as the channels build them (bot/channels/wechat.py,
bot/channels/wecom.py), run by the access-token test in Rasa's environment as separate processes.

    token_worker.py

Prints "ready" once both clients exist, waits for a line on stdin (so that all workers start
together), then asks both for their access token at once and prints them as one JSON line.
"""
import json
import sys
from concurrent.futures import ThreadPoolExecutor

from bot.channels.wechat import _WeChatClient
from bot.channels.wecom import _client
from settings import get_settings


def main() -> None:
    s = get_settings()
    clients = {"wechat": _WeChatClient.create(s.WECHAT_APPID, s.WECHAT_SECRET, s.WECHAT_API_BASE),
               "wecom": _client(s.WECOM_CORP_ID, s.WECOM_SECRET, s.WECOM_API_BASE)}
    print("ready", flush=True)
    sys.stdin.readline()
    with ThreadPoolExecutor(2) as pool:
        tokens = dict(zip(clients, pool.map(lambda c: c.access_token, clients.values())))
    print(json.dumps(tokens), flush=True)


if __name__ == "__main__":
    main()
