"""LISTEN on a dedicated connection, with reconnect and backoff: how consoles and runners are woken.

The callback gets the channel and payloads that arrived together (batched, so a burst of commits wakes
its listener once). A timeout with nothing received still calls ``on_idle`` — the polling fallback.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

import psycopg

log = logging.getLogger("c1console.listen")
OnNotify = Callable[[list[tuple[str, str]]], None]


class Listener:
    def __init__(
        self,
        url: str,
        channels: Sequence[str],
        on_notify: OnNotify,
        *,
        poll_seconds: float = 1.0,
        batch_seconds: float = 0.02,
        on_idle: Callable[[], None] | None = None,
        on_state: Callable[[bool], None] | None = None,
        name: str = "c1-listen",
    ) -> None:
        self.url = url
        self.channels = list(channels)
        self.on_notify = on_notify
        self.on_idle = on_idle
        self.on_state = on_state
        self.poll_seconds = poll_seconds
        self.batch_seconds = batch_seconds
        self.connected = False
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> Listener:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self._closing.set()
        self._thread.join(timeout if timeout is not None else self.poll_seconds + 2)

    def _set_connected(self, value: bool) -> None:
        if value != self.connected:
            self.connected = value
            if self.on_state is not None:
                self.on_state(value)

    def _run(self) -> None:
        backoff = 0.5
        while not self._closing.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
                    for channel in self.channels:
                        conn.execute(f"LISTEN {channel}")
                    self._set_connected(True)
                    backoff = 0.5
                    self._loop(conn)
            except psycopg.Error as exc:
                self._set_connected(False)
                log.warning("listen connection lost (%s); retrying in %.1fs", exc, backoff)
                self._closing.wait(backoff)
                backoff = min(backoff * 2, 10.0)

    def _loop(self, conn: psycopg.Connection) -> None:
        while not self._closing.is_set():
            first = conn.notifies(timeout=self.poll_seconds, stop_after=1)
            received = [(n.channel, n.payload) for n in first]
            if received:
                received += [(n.channel, n.payload) for n in conn.notifies(timeout=self.batch_seconds)]
                self.on_notify(received)
            elif self.on_idle is not None:
                self.on_idle()
