"""A widget's socket.io session, run by the replica tests in Rasa's environment (python-socketio's
client): connects to one replica, asks for SESSION, says hello, prints "ready" once answered, then
prints every later bot message as a JSON line until none comes for 60 s.

    widget_client.py RASA_URL SESSION_HEX
"""
import asyncio
import json
import sys

import socketio


async def main(url: str, session: str) -> None:
    sio = socketio.AsyncClient()
    received: asyncio.Queue = asyncio.Queue()
    sio.on("bot_uttered", received.put)
    await sio.connect(url, socketio_path="/socket.io", transports=["polling"])
    await sio.emit("session_request", {"session_id": session})
    await sio.emit("user_uttered", {"message": "你好", "session_id": session})
    await asyncio.wait_for(received.get(), 60)
    print("ready", flush=True)
    try:
        while True:
            print(json.dumps(await asyncio.wait_for(received.get(), 60), ensure_ascii=False), flush=True)
    except asyncio.TimeoutError:
        await sio.disconnect()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
