"""SIGHUP: an operator's SSH session drops. The console (with its embedded runner) and a runner started by
hand in a terminal end as on q / SIGTERM: their executions are stopped and released, the runner is marked
stopped, nothing is left RUNNING, and the next start is normal.

Each process runs in a real pseudo-terminal that is its controlling terminal, as under sshd. Dropping the
session closes the terminal's master side: the kernel hangs the terminal up (reads give end of file, writes
fail with EIO) and sends SIGHUP to the process; a SIGHUP is then sent again, as a login shell passes it on.
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
from datetime import date
from pathlib import Path

import psycopg
import pytest

from c1console import ops
from c1console.scheduler.runner import Runner
from c1console.store.engine import Database
from tests.jobmods import testjobs
from tests.runtime import execution, runner_settings, session, wait_terminal, wait_until

ROOT = Path(__file__).resolve().parents[1]
DAY = date(2026, 11, 2)
EXIT_WITHIN = 30.0  # seconds: a graceful stop waits for a unit boundary; the test units take 0.1 s
ALT_SCREEN_OFF = b"\x1b[?1049l"  # Textual's last words when it restores a terminal


class Terminal:
    """A pseudo-terminal: the child's controlling terminal, its master side read by a thread, as sshd does."""

    def __init__(self, columns: int = 120, rows: int = 40) -> None:
        self.master, self._slave = os.openpty()
        fcntl.ioctl(self._slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self._output = bytearray()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._reader = threading.Thread(target=self._read, name="test-pty-reader", daemon=True)

    def spawn(self, argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            argv,
            stdin=self._slave,
            stdout=self._slave,
            stderr=self._slave,
            env=env,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=_take_controlling_terminal,
        )
        os.close(self._slave)
        self._reader.start()
        return process

    def _read(self) -> None:
        # select with a timeout, never a blocking read: hang_up must be able to close the master for real
        while not self._closing.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: every process on the terminal side has closed it
                return
            if not data:
                return
            with self._lock:
                self._output += data

    def output(self) -> bytes:
        with self._lock:
            return bytes(self._output)

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def hang_up(self) -> None:
        """Drops the session: the master closes, the kernel hangs the terminal up and sends SIGHUP."""
        self._closing.set()
        self._reader.join()
        os.close(self.master)

    def close(self) -> None:
        """At the test's end, once the child has ended: reads what it wrote last, then closes the master."""
        if not self._closing.is_set():
            self._reader.join(timeout=10)  # it ends by itself at EIO, once everything written was read
            self._closing.set()
            self._reader.join()
            os.close(self.master)


def _take_controlling_terminal() -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def child_env(db_url: str, tmp_path: Path) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("C1_", "TEXTUAL"))}
    return {
        **inherited,
        "C1_DATABASE_URL": db_url,
        "C1_DATA_DIR": str(tmp_path / "data"),
        "C1_JOBS": "tests.jobmods.testjobs",
        "C1_LEASE_TIMEOUT": "2",
        "C1_LANG": "en",
        "C1_TEST_UNIT_SECONDS": "0.1",
        "PYTHONPATH": str(ROOT),
        "TERM": "xterm-256color",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),  # no config file of the machine's user
    }


def start(terminal: Terminal, db_url: str, tmp_path: Path, *args: str) -> subprocess.Popen[bytes]:
    return terminal.spawn([sys.executable, "-m", "c1console", *args], child_env(db_url, tmp_path), tmp_path)


def live_runner(
    raw: psycopg.Connection, process: subprocess.Popen[bytes], terminal: Terminal | None = None
) -> str:
    """The id of the running runner of ``process``, once it has registered."""

    def registered() -> str:
        if process.poll() is not None:
            shown = terminal.output()[-2000:] if terminal is not None else b""
            raise AssertionError(
                f"process ended ({process.returncode}) before its runner registered: {shown!r}"
            )
        row = raw.execute(
            "SELECT runner_id FROM c1.runner WHERE pid = %s AND stopped_at IS NULL", (process.pid,)
        ).fetchone()
        return row[0] if row else ""

    return wait_until(registered, timeout=60, what=f"the runner of process {process.pid} to register")


def trigger(db: Database, db_url: str, job_id: str, date_to: date = DAY) -> int:
    alice = session(db, runner_settings(db_url), testjobs.build())
    created = ops.trigger(alice, job_id, date_from=DAY, date_to=date_to, reason="hangup test")
    assert isinstance(created, ops.Created)
    return created.execution_id


def console_drawn(terminal: Terminal) -> bool:
    return b"\x1b[?1049h" in terminal.output() and b"Executions" in terminal.output()


def running_slow_execution(db: Database, db_url: str, runner_id: str) -> int:
    """A long execution, RUNNING on ``runner_id`` with some progress."""
    execution_id = trigger(db, db_url, "slow", date_to=date(2026, 11, 4))
    wait_until(
        lambda: (e := execution(db, execution_id)).status == "RUNNING" and e.units_done >= 5,
        timeout=60,
        what="the slow execution to make progress",
    )
    assert execution(db, execution_id).runner_id == runner_id
    return execution_id


def ended(process: subprocess.Popen[bytes]) -> int:
    try:
        return process.wait(timeout=EXIT_WITHIN)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"process {process.pid} still ran {EXIT_WITHIN}s after SIGHUP") from None


def assert_released_as_on_quit(
    db: Database, raw: psycopg.Connection, execution_id: int, runner_id: str
) -> None:
    """What Runner.stop leaves behind: the execution STOPPED by the system at a unit boundary ('runner
    shutdown'), its units not left running, the runner marked stopped and its leader lease given up."""
    stopped = execution(db, execution_id)
    assert stopped.status == "STOPPED" and stopped.stop_reason == "runner shutdown"
    assert stopped.error_code is None  # not declared lost (C1-BAT-007)
    last_actor = raw.execute(
        "SELECT actor FROM c1.execution_event WHERE execution_id = %s ORDER BY event_id DESC LIMIT 1",
        (execution_id,),
    ).fetchone()
    assert last_actor == ("system",)
    audited = raw.execute(
        "SELECT actor, reason FROM c1.audit_log WHERE execution_id = %s AND action = 'exec.stop'",
        (execution_id,),
    ).fetchall()
    assert audited == [("system", "runner shutdown")]
    units = raw.execute(
        "SELECT count(*) FROM c1.execution_unit WHERE execution_id = %s AND status = 'RUNNING'",
        (execution_id,),
    ).fetchone()
    assert units == (0,)
    assert raw.execute("SELECT count(*) FROM c1.execution WHERE status = 'RUNNING'").fetchone() == (0,)
    row = raw.execute(
        "SELECT stopped_at IS NOT NULL, lease_expires_at <= now() FROM c1.runner WHERE runner_id = %s",
        (runner_id,),
    ).fetchone()
    assert row == (True, True)
    leader = raw.execute("SELECT count(*) FROM c1.lease WHERE expires_at > now()").fetchone()
    assert leader == (0,)


def log_text(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_console_ends_as_on_q_when_the_ssh_session_drops(
    db: Database, db_url: str, tmp_path: Path, raw: psycopg.Connection
) -> None:
    terminal = Terminal()
    console = start(terminal, db_url, tmp_path)
    try:
        runner_id = live_runner(raw, console, terminal)
        wait_until(lambda: console_drawn(terminal), timeout=60, what="the console to draw its screen")
        execution_id = running_slow_execution(db, db_url, runner_id)
        terminal.hang_up()
        console.send_signal(signal.SIGHUP)  # the login shell passes the hangup on
        assert ended(console) == 0
    finally:
        if console.poll() is None:
            console.kill()
        terminal.close()
    assert_released_as_on_quit(db, raw, execution_id, runner_id)
    log = log_text(tmp_path / "data" / "logs" / "c1console.log")
    assert "SIGHUP (terminal gone): quitting as on q" in log
    assert f"runner {runner_id} stopped" in log
    assert "Traceback" not in log and "ERROR" not in log

    # the next console starts as usual: it embeds a runner of its own (nobody leads), which runs work
    again = Terminal()
    second = start(again, db_url, tmp_path)
    try:
        second_runner = live_runner(raw, second, again)
        wait_until(lambda: console_drawn(again), timeout=60, what="the second console to draw its screen")
        done = wait_terminal(db, trigger(db, db_url, "noop"), timeout=60)
        assert done.status == "SUCCESS" and done.runner_id == second_runner
        again.type("q")
        assert second.wait(timeout=EXIT_WITHIN) == 0
    finally:
        if second.poll() is None:
            second.kill()
        again.close()
    assert ALT_SCREEN_OFF in again.output()  # q restored the terminal
    assert raw.execute("SELECT count(*) FROM c1.runner WHERE stopped_at IS NULL").fetchone() == (0,)


def test_console_with_its_terminal_still_there_restores_it_on_sighup(
    db_url: str, tmp_path: Path, raw: psycopg.Connection
) -> None:
    """`kill -HUP` while the terminal is fine: the console ends and leaves the terminal usable."""
    terminal = Terminal()
    console = start(terminal, db_url, tmp_path)
    try:
        runner_id = live_runner(raw, console, terminal)
        wait_until(lambda: console_drawn(terminal), timeout=60, what="the console to draw its screen")
        drawn = len(terminal.output())
        console.send_signal(signal.SIGHUP)
        assert ended(console) == 0
        wait_until(
            lambda: ALT_SCREEN_OFF in terminal.output()[drawn:],
            timeout=10,
            what="the terminal to be restored",
        )
    finally:
        if console.poll() is None:
            console.kill()
        terminal.close()
    assert raw.execute(
        "SELECT stopped_at IS NOT NULL FROM c1.runner WHERE runner_id = %s", (runner_id,)
    ).fetchone()
    assert b"Traceback" not in terminal.output()
    assert "SIGHUP (terminal still there)" in log_text(tmp_path / "data" / "logs" / "c1console.log")


@pytest.mark.parametrize("drop_session", [True, False], ids=["terminal-gone", "terminal-still-there"])
def test_headless_runner_stops_gracefully_on_sighup(
    db: Database, db_url: str, tmp_path: Path, raw: psycopg.Connection, drop_session: bool
) -> None:
    terminal = Terminal()
    process = start(terminal, db_url, tmp_path, "runner", "--workers", "2")
    try:
        runner_id = live_runner(raw, process, terminal)
        execution_id = running_slow_execution(db, db_url, runner_id)
        if drop_session:
            terminal.hang_up()
        process.send_signal(signal.SIGHUP)
        assert ended(process) == 0
    finally:
        if process.poll() is None:
            process.kill()
        terminal.close()
    assert_released_as_on_quit(db, raw, execution_id, runner_id)
    hangup_log = log_text(tmp_path / "data" / "logs" / "runner.log")
    if drop_session:  # the rest of the runner's log went to a file, not to the dead terminal
        assert "received SIGHUP: stopping gracefully" in hangup_log
        assert f"runner {runner_id} stopped" in hangup_log
        assert "Traceback" not in hangup_log
    else:  # a live terminal keeps getting the log
        assert hangup_log == ""
        wait_until(
            lambda: f"runner {runner_id} stopped".encode() in terminal.output(), what="the last log line"
        )
        assert b"received SIGHUP: stopping gracefully" in terminal.output()
        assert b"Traceback" not in terminal.output()

    # the next runner starts as usual: it leads at once (the lease was given up) and runs work
    settings = runner_settings(db_url)
    successor = Runner(db, testjobs.build(), settings, max_workers=1).start()
    try:
        assert successor.is_leader
        done = wait_terminal(db, trigger(db, db_url, "noop"), timeout=30)
    finally:
        successor.stop()
    assert done.status == "SUCCESS" and done.runner_id == successor.runner_id


STUCK_CONSOLE = """
import os
import threading
from pathlib import Path

from c1console import launch
from c1console.scheduler.runner import Runner
from c1console.store.engine import open_database
from tests.jobmods import testjobs
from tests.runtime import runner_settings

launch.EXIT_GRACE_SECONDS = 1.0
launch.log_to_file(Path(os.environ["C1_DATA_DIR"]))


class StuckApp:
    # a Textual app stuck on its dead terminal: it never ends, whatever it is asked
    def call_later(self, callback):
        return True

    def exit(self):
        pass

    def run(self):
        threading.Event().wait()


settings = runner_settings(DB_URL)
runner = Runner(open_database(settings), testjobs.build(), settings).start()
with launch.Hangup() as hangup:
    hangup.runner = runner
    hangup.run(StuckApp())
"""


def test_a_console_that_does_not_end_after_sighup_still_releases_its_runner(
    db: Database, db_url: str, tmp_path: Path, raw: psycopg.Connection
) -> None:
    script = STUCK_CONSOLE.replace("DB_URL", repr(db_url))
    env = child_env(db_url, tmp_path)
    process = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=tmp_path, stderr=subprocess.PIPE)
    try:
        runner_id = live_runner(raw, process)
        execution_id = running_slow_execution(db, db_url, runner_id)
        process.send_signal(signal.SIGHUP)
        assert ended(process) == 5  # the watchdog's exit: the app never ended
    finally:
        if process.poll() is None:
            process.kill()
        _, stderr = process.communicate()
    assert_released_as_on_quit(db, raw, execution_id, runner_id)
    assert b"Traceback" not in stderr
    log = log_text(tmp_path / "data" / "logs" / "c1console.log")
    assert "after SIGHUP: stopping its runner and exiting" in log and f"runner {runner_id} stopped" in log
