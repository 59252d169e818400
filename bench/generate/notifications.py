"""The alert outbox: every collected notification once per channel, almost all of them sent."""

from __future__ import annotations

import json
import random

from bench.generate.copy_format import esc, ts
from bench.generate.parameters import CHANNELS, JOBS, US
from bench.generate.writer import Writer


def write_notification_rows(writer: Writer) -> None:
    writer.notifications.sort(key=lambda x: x[0])
    rnd = random.Random(11)
    copier = writer.copier(
        "notification",
        "notification_id, created_at, event, channel, dedupe_key, job_id, execution_id, details, status,"
        " attempts, next_attempt_at, last_error, sent_at",
    )
    n = 0
    for at, event, key, job, execution_id, details in writer.notifications:
        text = esc(json.dumps(details, default=str))
        for channel in CHANNELS:
            n += 1
            if rnd.random() < 0.004:
                tail = f"FAILED\t5\t{ts(at + 3600 * US)}\tSMTP 451 4.7.1 try again later\t\\N\n"
            else:
                tail = f"SENT\t1\t{ts(at)}\t\\N\t{ts(at + rnd.randint(300_000, 3 * US))}\n"
            copier.add(
                f"{n}\t{ts(at)}\t{event}\t{channel}\t{key}\t{JOBS[job].job_id}\t{esc(execution_id)}\t"
                f"{text}\t{tail}"
            )
    writer.done(copier)
    writer.notification_count = n
