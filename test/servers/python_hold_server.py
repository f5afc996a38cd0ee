"""A third-party WebSocket server for the held-connection tests: Python websockets (10.x).
Each connection is offered the subprotocol hold.v1; the server pings it PINGS times, 100 ms
apart, waiting up to 1 s for each pong, then closes it with code 4001. Whatever it saw is
served as JSON at GET /stats: connections, pongs received, pings left unanswered, the close
codes the clients sent back, the subprotocols chosen and the X-Token headers received.
Run with the system Python: /usr/bin/python3 python_hold_server.py; it prints its port."""
import asyncio
import http
import json

import websockets

PINGS = 3
stats = {"connections": 0, "pongs": 0, "unanswered": 0, "closeCodes": {}, "subprotocols": {}, "tokens": {}}


def count(table, key):
    table[str(key)] = table.get(str(key), 0) + 1


async def handler(websocket, path=None):
    stats["connections"] += 1
    count(stats["subprotocols"], websocket.subprotocol)
    count(stats["tokens"], websocket.request_headers.get("X-Token"))
    try:
        for _ in range(PINGS):
            await asyncio.sleep(0.1)
            try:
                await asyncio.wait_for(await websocket.ping(), timeout=1)
                stats["pongs"] += 1
            except asyncio.TimeoutError:
                stats["unanswered"] += 1
        await websocket.close(code=4001, reason="done")
    except websockets.ConnectionClosed:
        pass
    # The code the client's close frame carried: it echoes the server's.
    count(stats["closeCodes"], websocket.close_code)


async def process_request(path, headers):
    if path == "/stats":
        return http.HTTPStatus.OK, [("Content-Type", "application/json")], json.dumps(stats).encode()
    return None


async def main():
    # The server's own keepalive pings stay off: the pings counted are the handler's.
    async with websockets.serve(
        handler, "127.0.0.1", 0, subprotocols=["hold.v1"], process_request=process_request, ping_interval=None, compression=None
    ) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()


asyncio.run(main())
