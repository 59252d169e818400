"""Alert settings from the config file's [alerts] tables, checked at start: a bad address, an unknown
channel or a missing secret is one clear error, not a failed delivery at 3 a.m.

    [alerts]
    group_wait_seconds = 10        # a burst of failures of one job becomes one message
    group_window_seconds = 300     # after a failure message for a job, further ones wait this long
    max_attempts = 8               # then the notification is FAILED (shown in the daily checklist)
    backoff_seconds = 30           # retry after 30 s, 60 s, 120 s, ... (capped at one hour)

    [alerts.email]
    host = "smtp.example.com"
    port = 587
    security = "starttls"          # starttls | tls | none
    username = "c1console"         # optional
    password_env = "C1_SMTP_PASSWORD"
    from = "c1console@example.com"
    to = ["batch-ops@example.com"]

    [alerts.slack]
    webhook_url_env = "C1_SLACK_WEBHOOK_URL"

    [alerts.webhook]
    url = "https://ops.example.com/hooks/c1"
    secret_env = "C1_WEBHOOK_SECRET"

Secrets are only ever named by environment variable, so they never sit in a config file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from c1console.errors import BadInput

CHANNELS = ("email", "slack", "webhook")
_ADDRESS = re.compile(r"^[^@\s<>\"']+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_GENERAL = {"group_wait_seconds", "group_window_seconds", "max_attempts", "backoff_seconds"}


@dataclass(frozen=True)
class EmailSettings:
    host: str
    port: int
    security: str
    sender: str
    recipients: tuple[str, ...]
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class SlackSettings:
    webhook_url: str = field(repr=False)
    timeout_seconds: float = 5.0


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    secret: str = field(repr=False)
    timeout_seconds: float = 5.0


@dataclass(frozen=True)
class AlertSettings:
    email: EmailSettings | None = None
    slack: SlackSettings | None = None
    webhook: WebhookSettings | None = None
    group_wait_seconds: float = 10.0
    group_window_seconds: float = 300.0
    max_attempts: int = 8
    backoff_seconds: float = 30.0

    @property
    def channels(self) -> list[str]:
        return [name for name in CHANNELS if getattr(self, name) is not None]

    def secrets(self) -> list[str]:
        """Every secret value, so messages can be scrubbed of them."""
        values = [
            self.email.password if self.email else None,
            self.slack.webhook_url if self.slack else None,
            self.webhook.secret if self.webhook else None,
        ]
        return [v for v in values if v]


def _bad(where: str, problem: str, hint: str | None = None) -> BadInput:
    return BadInput(f"[alerts{where}] {problem}", hint=hint)


def _number(table: Mapping[str, Any], key: str, default: float, where: str) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise _bad(where, f"{key} must be a positive number, not {value!r}")
    return float(value)


def _text(table: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            raise _bad(where, f"'{key}' is missing")
        return None
    if not isinstance(value, str) or not value.strip():
        raise _bad(where, f"'{key}' must be a non-empty string")
    return value.strip()


def _secret(table: Mapping[str, Any], key: str, env: Mapping[str, str], where: str) -> str:
    """A secret named by '<key>_env' (preferred) or given as '<key>' in the file."""
    name = table.get(f"{key}_env")
    if name is not None:
        if not isinstance(name, str) or not name:
            raise _bad(where, f"'{key}_env' must name an environment variable")
        value = env.get(name, "")
        if not value:
            raise _bad(
                where,
                f"environment variable {name} (for {key}) is not set",
                hint=f"export {name}=... before starting c1console",
            )
        return value
    given = table.get(key)
    if isinstance(given, str) and given:
        return given
    raise _bad(where, f"no {key}: set '{key}_env' to the environment variable that holds it")


def _check_keys(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise _bad(where, f"unknown setting '{unknown[0]}'", hint=f"known: {', '.join(sorted(allowed))}")


def _email(table: Mapping[str, Any], env: Mapping[str, str]) -> EmailSettings:
    where = ".email"
    _check_keys(
        table,
        {"host", "port", "security", "username", "password_env", "password", "from", "to", "timeout_seconds"},
        where,
    )
    security = table.get("security", "starttls")
    if security not in ("starttls", "tls", "none"):
        raise _bad(where, f"security '{security}' is not starttls, tls or none")
    port = table.get("port", {"starttls": 587, "tls": 465, "none": 25}[security])
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise _bad(where, f"port {port!r} is not a TCP port")
    sender = _text(table, "from", where) or ""
    recipients = table.get("to")
    if isinstance(recipients, str):
        recipients = [recipients]
    if not isinstance(recipients, list) or not recipients:
        raise _bad(where, "'to' must list at least one address")
    for address in [sender, *recipients]:
        if not isinstance(address, str) or not _ADDRESS.match(address):
            raise _bad(where, f"'{address}' is not an email address")
    username = _text(table, "username", where, required=False)
    password = _secret(table, "password", env, where) if username else None
    return EmailSettings(
        host=_text(table, "host", where) or "",
        port=port,
        security=security,
        sender=sender,
        recipients=tuple(recipients),
        username=username,
        password=password,
        timeout_seconds=_number(table, "timeout_seconds", 10.0, where),
    )


def _http_url(url: str, where: str, key: str) -> str:
    if not re.match(r"^https?://[^\s/]+", url):
        raise _bad(where, f"{key} must be an http(s) URL")
    return url


def _slack(table: Mapping[str, Any], env: Mapping[str, str]) -> SlackSettings:
    where = ".slack"
    _check_keys(table, {"webhook_url_env", "webhook_url", "timeout_seconds"}, where)
    url = _http_url(_secret(table, "webhook_url", env, where), where, "the Slack webhook URL")
    return SlackSettings(webhook_url=url, timeout_seconds=_number(table, "timeout_seconds", 5.0, where))


def _webhook(table: Mapping[str, Any], env: Mapping[str, str]) -> WebhookSettings:
    where = ".webhook"
    _check_keys(table, {"url", "secret_env", "secret", "timeout_seconds"}, where)
    url = _http_url(_text(table, "url", where) or "", where, "url")
    return WebhookSettings(
        url=url,
        secret=_secret(table, "secret", env, where),
        timeout_seconds=_number(table, "timeout_seconds", 5.0, where),
    )


def parse(alerts: Mapping[str, Any], env: Mapping[str, str]) -> AlertSettings:
    _check_keys(alerts, _GENERAL | set(CHANNELS), "")
    for name in CHANNELS:
        if name in alerts and not isinstance(alerts[name], Mapping):
            raise _bad("", f"'{name}' must be a table: [alerts.{name}]")
    attempts = alerts.get("max_attempts", 8)
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise _bad("", f"max_attempts must be a whole number >= 1, not {attempts!r}")
    return AlertSettings(
        email=_email(alerts["email"], env) if "email" in alerts else None,
        slack=_slack(alerts["slack"], env) if "slack" in alerts else None,
        webhook=_webhook(alerts["webhook"], env) if "webhook" in alerts else None,
        group_wait_seconds=_number(alerts, "group_wait_seconds", 10.0, ""),
        group_window_seconds=_number(alerts, "group_window_seconds", 300.0, ""),
        max_attempts=attempts,
        backoff_seconds=_number(alerts, "backoff_seconds", 30.0, ""),
    )


def scrub(text: str, secrets: list[str]) -> str:
    """Removes secret values from a message (an error from a webhook call may contain its URL)."""
    for secret in secrets:
        text = text.replace(secret, "***")
    return text
