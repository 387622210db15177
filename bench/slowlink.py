#!/usr/bin/env python3
"""A slow link between cinegraph and PostgreSQL, as a TCP proxy (no root
needed, unlike `tc netem`):

    python3 bench/slowlink.py --listen 127.0.0.1:6543 --to 127.0.0.1:5432 \
        --delay-ms 2 --rate-mbit 100 [--stats-port 6544]

Every chunk read from one side is written to the other `--delay-ms` later
(one way, so a round trip costs twice that), and each direction is a link of
`--rate-mbit` shared by all connections: a chunk leaves only when the ones
before it have, at that rate. Bytes are counted each way; a connection to
`--stats-port` reads `<to_server> <to_client>` (bytes so far), and the totals
are printed at exit (SIGINT or SIGTERM).
"""

import argparse
import asyncio
import signal
import sys
import time


class Link:
    """One direction of the link: its bandwidth, shared, and its byte count."""

    def __init__(self, bytes_per_second):
        self.bytes_per_second = bytes_per_second
        self.free_at = 0.0
        self.bytes = 0

    def departure(self, size, ready):
        """When a chunk of `size` bytes ready at `ready` has left the link."""
        start = max(ready, self.free_at)
        if self.bytes_per_second:
            start += size / self.bytes_per_second
        self.free_at = start
        self.bytes += size
        return start


async def pipe(reader, writer, link, delay):
    """Copies `reader` to `writer` through `link`, each chunk `delay` late;
    reading goes on while earlier chunks are in flight, as on a real wire."""
    queue = asyncio.Queue()

    async def send():
        while True:
            item = await queue.get()
            if item is None:
                break
            at, chunk = item
            wait = at - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(chunk)
            await writer.drain()
        writer.close()

    sender = asyncio.create_task(send())
    try:
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                break
            now = time.monotonic()
            queue.put_nowait((link.departure(len(chunk), now) + delay, chunk))
    except ConnectionError:
        pass
    finally:
        queue.put_nowait(None)
        try:
            await sender
        except ConnectionError:
            pass


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", default="127.0.0.1:6543")
    parser.add_argument("--to", default="127.0.0.1:5432")
    parser.add_argument("--delay-ms", type=float, default=2.0, help="one-way delay per chunk")
    parser.add_argument("--rate-mbit", type=float, default=100.0, help="each direction; 0 for no cap")
    parser.add_argument("--stats-port", type=int, default=0, help="serves the byte counts")
    args = parser.parse_args()

    delay = args.delay_ms / 1000
    rate = args.rate_mbit * 1_000_000 / 8
    to_server, to_client = Link(rate), Link(rate)
    target_host, target_port = args.to.rsplit(":", 1)

    async def connection(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(target_host, int(target_port))
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            pipe(client_reader, server_writer, to_server, delay),
            pipe(server_reader, client_writer, to_client, delay),
        )

    async def stats(_, writer):
        writer.write(f"{to_server.bytes} {to_client.bytes}\n".encode())
        await writer.drain()
        writer.close()

    host, port = args.listen.rsplit(":", 1)
    server = await asyncio.start_server(connection, host, int(port))
    servers = [server]
    if args.stats_port:
        servers.append(await asyncio.start_server(stats, host, args.stats_port))
    print(f"slowlink {args.listen} -> {args.to}: {args.delay_ms} ms each way, "
          f"{args.rate_mbit or 'unlimited'} Mbit/s each way", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for s in servers:
        s.close()
    print(f"bytes to server {to_server.bytes}, to client {to_client.bytes}", flush=True)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
