"""PTB's default HTTP client (httpx) against the bot's (aiohttp, `bot/telegram/http.py`), call for call.

The same `Bot.send_message` calls to the Bot API stand-in, one at a time and 64 at once, with each
client. The stand-in runs in a child process, so the CPU time measured here is the client's alone.

    .venv/bin/python benchmarks/http_client.py [--calls 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.sandbox.standin import BotApiStandIn, FakeUser
from bot.telegram.http import AiohttpRequest

USER = FakeUser(id=4242, first_name="Bench")


def serve(port_file: Path) -> None:
    """The child: a stand-in that knows USER, until killed."""

    async def run() -> None:
        async with BotApiStandIn() as tg:
            tg.introduce(USER)
            port_file.write_text(f"{tg.base_url} {tg.token}")
            await asyncio.Event().wait()

    asyncio.run(run())


async def measure(request: BaseRequest, base_url: str, token: str, calls: int, concurrency: int) -> tuple[float, float]:
    """(calls per second, client CPU milliseconds per call)."""
    bot = Bot(token, base_url=base_url, request=request)
    async with bot:
        await bot.send_message(USER.id, "warm-up")
        limit = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            async with limit:
                await bot.send_message(USER.id, f"message {i}")

        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(i) for i in range(calls)))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return calls / wall, cpu / calls * 1000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    args = parser.parse_args()
    port_file = Path(f"/tmp/helpdesk-http-bench-{os.getpid()}")
    child = await asyncio.create_subprocess_exec(sys.executable, __file__, "--serve", str(port_file))
    try:
        for _ in range(100):
            if port_file.exists() and port_file.read_text():
                break
            await asyncio.sleep(0.1)
        base_url, token = port_file.read_text().split()
        print("| client | at once | calls/s | client CPU per call |")
        print("|---|---:|---:|---:|")
        for concurrency in (1, 64):
            clients: list[tuple[str, BaseRequest]] = [
                ("httpx (PTB's default)", HTTPXRequest(connection_pool_size=256)),
                ("aiohttp (bot/telegram/http.py)", AiohttpRequest()),
            ]
            for name, request in clients:
                rate, cpu = await measure(request, base_url, token, args.calls, concurrency)
                print(f"| {name} | {concurrency} | {rate:.0f} | {cpu:.2f} ms |")
    finally:
        child.kill()
        await child.wait()
        port_file.unlink(missing_ok=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(Path(sys.argv[2]))
    else:
        asyncio.run(main())
