"""Settings: command-line flags win over C1_* environment variables, which win over the config file.

The config file is TOML: ``--config FILE``, else ``./c1console.toml``, else
``<user config dir>/c1console.toml``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from c1console.alerts.config import AlertSettings
from c1console.alerts.config import parse as parse_alerts
from c1console.errors import BadInput
from c1console.inputs import printable

CONFIG_NAME = "c1console.toml"
ROLES = ("viewer", "operator", "approver", "admin")
# Where the acting operator comes from (c1console/identity.py). Config file only, never the environment:
# choosing "database" asks for the stronger mode, and the database enforces it whatever the client says.
IDENTITY_MODES = ("os", "database")
# Top-level keys of the config file; a typo is an error, not a silently ignored setting.
KNOWN_KEYS: dict[str, type | tuple[type, ...]] = {
    "database_url": str,
    "data_dir": str,
    "jobs": list,
    "lease_timeout_seconds": (int, float),
    "poll_interval_seconds": (int, float),
    "alerts": dict,
    "timezone": str,
    "long_running_seconds": (int, float),
    "evidence_max_bytes": int,
    "large_run_units": int,
    "identity": str,
}

# Who may do what is never up to the operator's own files or environment: it is kept in the database.
MOVED_TO_DATABASE = {
    "default_role": "the role of logins not in the operator table is kept in the database; "
    "an admin sets it with: c1console operators grant '*' ROLE",
}


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    data_dir: Path
    config_path: Path | None
    jobs: tuple[str, ...] = ()
    lease_timeout_seconds: float = 30.0
    poll_interval_seconds: float = 1.0
    alerts: AlertSettings = field(default_factory=AlertSettings)
    timezone: str = "UTC"  # for checklists: which calendar day and month an event falls in
    long_running_seconds: float = 7200.0
    evidence_max_bytes: int = 5 * 1024 * 1024
    large_run_units: int = 10_000  # a trigger or replay over more units needs an explicit --yes
    identity: str = "os"  # "os" or "database": see c1console/identity.py

    @property
    def channels(self) -> list[str]:
        """The alert channels configured (each gets its own outbox row per event)."""
        return self.alerts.channels


def find_config_file(explicit: str | None, env: Mapping[str, str]) -> Path | None:
    if explicit is not None or env.get("C1_CONFIG"):
        path = Path(explicit or env["C1_CONFIG"]).expanduser()
        if not path.is_file():
            raise BadInput(f"config file {path} not found", hint="check the --config / C1_CONFIG path")
        return path
    for candidate in (
        Path.cwd() / CONFIG_NAME,
        Path(platformdirs.user_config_dir("c1console")) / CONFIG_NAME,
    ):
        if candidate.is_file():
            return candidate
    return None


def read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(
            f"config file {path} is not valid TOML: {exc}", hint="fix the file and retry"
        ) from None
    except OSError as exc:
        raise BadInput(f"cannot read config file {path}: {exc.strerror}") from None
    for key, value in data.items():
        if key in MOVED_TO_DATABASE:
            raise BadInput(
                f"config file {path}: '{key}' is not read from a file", hint=MOVED_TO_DATABASE[key]
            )
        expected = KNOWN_KEYS.get(key)
        if expected is None:
            known = ", ".join(sorted(KNOWN_KEYS))
            raise BadInput(f"config file {path}: unknown setting '{key}'", hint=f"known settings: {known}")
        if not isinstance(value, expected) or isinstance(value, bool):
            raise BadInput(f"config file {path}: '{key}' has the wrong type ({type(value).__name__})")
    return data


def _identity(value: str, source: str) -> str:
    if value not in IDENTITY_MODES:
        raise BadInput(
            f"{source}: identity '{printable(value)}' is not an identity mode",
            hint='use identity = "os" (the OS login) or "database" (your own database login)',
        )
    return value


def _positive(name: str, value: Any, source: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not number > 0:
        raise BadInput(f"{source}: {name} must be a positive number, not {value!r}")
    return number


def _timezone(name: str, source: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(
            f"{source}: unknown timezone '{printable(name)}'", hint="use an IANA name like Asia/Seoul"
        ) from None
    return name


def load_settings(
    *,
    config: str | None = None,
    database_url: str | None = None,
    data_dir: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    env = os.environ if env is None else env
    if env.get("C1_DEFAULT_ROLE"):
        raise BadInput("C1_DEFAULT_ROLE is no longer read", hint=MOVED_TO_DATABASE["default_role"])
    path = find_config_file(config, env)
    data = read_config_file(path) if path else {}
    source = str(path) if path else "settings"
    jobs = data.get("jobs", [])
    if env.get("C1_JOBS"):
        jobs = [name.strip() for name in env["C1_JOBS"].split(",") if name.strip()]
    if not all(isinstance(name, str) and name for name in jobs):
        raise BadInput(f"{source}: 'jobs' must be a list of module names, like [\"mypackage.jobs\"]")
    directory = (
        data_dir or env.get("C1_DATA_DIR") or data.get("data_dir") or platformdirs.user_data_dir("c1console")
    )
    return Settings(
        database_url=database_url or env.get("C1_DATABASE_URL") or data.get("database_url") or None,
        data_dir=Path(directory).expanduser(),
        config_path=path,
        jobs=tuple(jobs),
        lease_timeout_seconds=_positive(
            "lease_timeout_seconds",
            env.get("C1_LEASE_TIMEOUT", data.get("lease_timeout_seconds", 30)),
            source,
        ),
        poll_interval_seconds=_positive(
            "poll_interval_seconds", data.get("poll_interval_seconds", 1.0), source
        ),
        alerts=parse_alerts(data.get("alerts", {}), env),
        timezone=_timezone(env.get("C1_TIMEZONE") or data.get("timezone", "UTC"), source),
        long_running_seconds=_positive(
            "long_running_seconds", data.get("long_running_seconds", 7200), source
        ),
        large_run_units=int(_positive("large_run_units", data.get("large_run_units", 10_000), source)),
        evidence_max_bytes=int(
            _positive("evidence_max_bytes", data.get("evidence_max_bytes", 5 * 1024 * 1024), source)
        ),
        identity=_identity(data.get("identity", "os"), source),
    )
