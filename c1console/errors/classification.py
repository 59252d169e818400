"""Which catalogue code an exception raised by a job gets: ``classify(exc)``.

==========================================================================  ============
exception                                                                   code
==========================================================================  ============
``JobError`` and its subclasses (``InputDataError`` ...)                    its ``code``
``sqlalchemy.exc.OperationalError`` / ``InterfaceError`` /                  C1-SYS-006
``DisconnectionError`` / ``TimeoutError`` (connection pool), any other
``sqlalchemy.exc.DBAPIError`` whose connection was invalidated or that
wraps a connection error
``psycopg.OperationalError`` / ``psycopg.InterfaceError`` (and subclasses)  C1-SYS-006
``httpx.TimeoutException``; ``httpx.HTTPStatusError`` with status 408/504   C1-EXT-002
``httpx`` network / protocol / proxy errors; ``HTTPStatusError`` 5xx, 429   C1-EXT-010
``httpx.HTTPStatusError`` with any other status (401, 403, 404, ...)        C1-EXT-016
``TimeoutError`` (includes ``socket.timeout``, ``asyncio.TimeoutError``)    C1-EXT-002
``ConnectionError``; ``OSError`` of network kinds (DNS lookup failure,      C1-SYS-006
errno ECONNREFUSED, ECONNRESET, ENETUNREACH, EHOSTUNREACH, EPIPE, ...)
anything else                                                               C1-LOG-005
==========================================================================  ============

The rules apply top to bottom (docs.py lists them too: keep both in step). sqlalchemy, psycopg and httpx
are never imported here: an exception can only be an instance of their classes if the library is already
loaded, so ``classify`` looks them up in ``sys.modules``. This keeps the module cheap to import.
"""

from __future__ import annotations

import errno
import sys

from c1console.errors.codes import (
    EXTERNAL_REJECTED,
    EXTERNAL_TIMEOUT,
    EXTERNAL_UNAVAILABLE,
    SYSTEM_FAILURE,
    UNCLASSIFIED,
)
from c1console.errors.job_errors import JobError

_NETWORK_ERRNOS = frozenset(
    getattr(errno, name)
    for name in (
        "ECONNREFUSED",
        "ECONNRESET",
        "ECONNABORTED",
        "ENETDOWN",
        "ENETUNREACH",
        "ENETRESET",
        "EHOSTDOWN",
        "EHOSTUNREACH",
        "ENOTCONN",
        "ESHUTDOWN",
        "EPIPE",
    )
    if hasattr(errno, name)
)


def _loaded(module: str, *names: str) -> tuple[type[BaseException], ...]:
    """Exception classes of an already imported module; none when the module is not loaded."""
    loaded = sys.modules.get(module)
    found = (getattr(loaded, name, None) for name in names) if loaded is not None else ()
    return tuple(cls for cls in found if isinstance(cls, type))


def _database_connection_errors() -> tuple[type[BaseException], ...]:
    return _loaded(
        "sqlalchemy.exc", "OperationalError", "InterfaceError", "DisconnectionError", "TimeoutError"
    ) + _loaded("psycopg", "OperationalError", "InterfaceError")


def _lost_connection(exc: BaseException) -> bool:
    """Whether a SQLAlchemy DBAPIError is about the connection rather than the statement."""
    if getattr(exc, "connection_invalidated", False):
        return True
    orig = getattr(exc, "orig", None)
    if not isinstance(orig, BaseException):
        return False
    return isinstance(orig, _database_connection_errors()) or _is_network_error(orig)


def _database_code(exc: BaseException) -> str | None:
    if isinstance(exc, _database_connection_errors()):
        return SYSTEM_FAILURE
    if isinstance(exc, _loaded("sqlalchemy.exc", "DBAPIError")) and _lost_connection(exc):
        return SYSTEM_FAILURE
    return None


def _http_status_code(status: int) -> str:
    if status in (408, 504):
        return EXTERNAL_TIMEOUT
    if status >= 500 or status == 429:
        return EXTERNAL_UNAVAILABLE
    return EXTERNAL_REJECTED


def _http_client_code(exc: BaseException) -> str | None:
    if isinstance(exc, _loaded("httpx", "TimeoutException")):
        return EXTERNAL_TIMEOUT
    if isinstance(exc, _loaded("httpx", "NetworkError", "ProtocolError", "ProxyError")):
        return EXTERNAL_UNAVAILABLE
    if isinstance(exc, _loaded("httpx", "HTTPStatusError")):
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", 0)
        return _http_status_code(status if isinstance(status, int) else 0)
    return None


def _is_network_error(exc: BaseException) -> bool:
    if isinstance(exc, (ConnectionError, *_loaded("socket", "gaierror", "herror"))):
        return True
    return isinstance(exc, OSError) and exc.errno in _NETWORK_ERRNOS


def _builtin_code(exc: BaseException) -> str | None:
    if isinstance(exc, TimeoutError):
        return EXTERNAL_TIMEOUT
    if _is_network_error(exc):
        return SYSTEM_FAILURE
    return None


def classify(exc: BaseException) -> str:
    """The catalogue code for an exception raised by a job (the rules are in the module docstring)."""
    if isinstance(exc, JobError):
        return exc.code
    for rule in (_database_code, _http_client_code, _builtin_code):
        code = rule(exc)
        if code is not None:
            return code
    return UNCLASSIFIED
