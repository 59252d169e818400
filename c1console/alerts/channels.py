"""Delivery: email over SMTP (required), Slack incoming webhook and a signed generic webhook (optional).
Short timeouts everywhere; a failure raises DeliveryError with a one-line reason (secrets scrubbed)."""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import httpx

from c1console.alerts.config import AlertSettings, EmailSettings, SlackSettings, WebhookSettings, scrub
from c1console.alerts.messages import Message

SIGNATURE_HEADER = "X-C1-Signature"


class DeliveryError(Exception):
    pass


def send_email(settings: EmailSettings, message: Message) -> None:
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = settings.sender
    mail["To"] = ", ".join(settings.recipients)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain="c1console")
    mail.set_content(message.text)
    try:
        if settings.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=settings.timeout_seconds,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
        with client:
            if settings.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.username:
                client.login(settings.username, settings.password or "")
            client.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP {settings.host}:{settings.port}: {type(exc).__name__}: {exc}") from None


def slack_body(message: Message) -> dict[str, object]:
    return {"text": f"*{message.subject}*\n```{message.text}```"}


def send_slack(settings: SlackSettings, message: Message) -> None:
    _post(
        settings.webhook_url, json.dumps(slack_body(message)).encode(), {}, settings.timeout_seconds, "Slack"
    )


def signature(secret: str, body: bytes) -> str:
    """HMAC-SHA256 of the exact request body, hex, as 'sha256=<hex>' (the GitHub convention)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_webhook(settings: WebhookSettings, message: Message) -> None:
    body = json.dumps(message.payload, ensure_ascii=False, sort_keys=True).encode()
    headers = {SIGNATURE_HEADER: signature(settings.secret, body)}
    _post(settings.url, body, headers, settings.timeout_seconds, "webhook")


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float, what: str) -> None:
    try:
        response = httpx.post(
            url, content=body, timeout=timeout, headers={"Content-Type": "application/json", **headers}
        )
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{what}: {type(exc).__name__}: {exc}") from None
    if response.status_code >= 300:
        raise DeliveryError(f"{what}: HTTP {response.status_code} {response.text[:200]}")


def deliver(alerts: AlertSettings, channel: str, message: Message) -> None:
    """Sends on one channel; DeliveryError (secrets scrubbed) when it did not go out."""
    try:
        if channel == "email" and alerts.email:
            send_email(alerts.email, message)
        elif channel == "slack" and alerts.slack:
            send_slack(alerts.slack, message)
        elif channel == "webhook" and alerts.webhook:
            send_webhook(alerts.webhook, message)
        else:
            raise DeliveryError(f"channel {channel} is not configured")
    except DeliveryError as exc:
        raise DeliveryError(scrub(str(exc), alerts.secrets()).replace("\n", " ")) from None
