"""A third-party push server for interop tests: aiohttp serving Server-Sent Events at /sse
and python-socketio (Engine.IO 4, Socket.IO 5) at /socket.io/ with a /feed namespace that
wants auth {"token": "letmein"}, acks an "echo" event and emits "tick" events.
Run with the system Python: /usr/bin/python3 python_push_server.py; it prints its port.
Events are {"seq": N, "publishedAt": <epoch ms>}, 20 a second; an SSE client that sends
Last-Event-ID resumes after it."""
import asyncio
import json
import time

import socketio
from aiohttp import web

RATE = 20
events = []
sse_queues = set()
sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")


@sio.event(namespace="/feed")
async def connect(sid, environ, auth):
    if not isinstance(auth, dict) or auth.get("token") != "letmein":
        raise socketio.exceptions.ConnectionRefusedError("bad token")


@sio.on("echo", namespace="/feed")
async def echo(sid, data):
    return data


async def publisher():
    seq = 0
    while True:
        await asyncio.sleep(1 / RATE)
        seq += 1
        event = {"seq": seq, "publishedAt": time.time() * 1000}
        events.append(event)
        del events[:-1000]
        for queue in list(sse_queues):
            queue.put_nowait(event)
        await sio.emit("tick", event, namespace="/feed")


def frame(event):
    # The JSON split over two data lines, as some servers do.
    text = json.dumps(event)
    cut = text.index(",") + 1
    return f"id: {event['seq']}\ndata: {text[:cut]}\ndata: {text[cut:]}\n\n".encode()


async def sse(request):
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    await response.write(b": python aiohttp\nretry: 500\n\n")
    queue = asyncio.Queue()
    sse_queues.add(queue)
    try:
        last = request.headers.get("Last-Event-ID", "")
        if last.isdigit():
            for event in events:
                if event["seq"] > int(last):
                    await response.write(frame(event))
        while True:
            await response.write(frame(await queue.get()))
    finally:
        sse_queues.discard(queue)


async def main():
    app = web.Application()
    app.router.add_get("/sse", sse)
    sio.attach(app)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(site._server.sockets[0].getsockname()[1], flush=True)
    asyncio.ensure_future(publisher())
    await asyncio.Event().wait()


asyncio.run(main())
