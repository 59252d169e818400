"""Writing what a screen shows to a file (the checklists' `e`): a new file, never over an existing one.

Where: the directory the console was started in, as a shell user expects; when that cannot be written (a
read-only or vanished directory), the data directory. A name taken already gets -1, -2 … before the
suffix; the file is created exclusively, so two exports at once never share one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MAX_TRIES = 1000  # c1-daily-2026-11-02-999.md is the last name tried


@dataclass(frozen=True)
class Exported:
    path: Path
    fallback: str | None = None  # why not the first place (the current directory), when it went elsewhere


class ExportFailed(Exception):
    """One line: where it tried and why each place refused."""


@dataclass(frozen=True)
class Place:
    label: str  # how a message names it: "the current directory"
    directory: Path | None
    missing: str = ""  # why there is none


def places(data_dir: Path | None) -> list[Place]:
    """The directories an export may go to, in order: the current one, then the data directory."""
    try:
        here = Place("the current directory", Path(os.getcwd()))
    except OSError:  # the directory the console was started in was removed since
        here = Place("the current directory", None, "it no longer exists")
    data = Place("the data directory", data_dir, "" if data_dir is not None else "none in this console")
    return [here, data]


def write_new(text: str, name: str, suffix: str, where: Sequence[Place]) -> Exported:
    """Writes ``text`` to ``<dir>/<name><suffix>`` in the first of ``where`` that takes it, adding -1, -2 …
    to a name already there. Raises ExportFailed saying why each place refused."""
    refused: list[str] = []
    for place in where:
        if place.directory is None:
            refused.append(f"{place.label}: {place.missing}")
            continue
        try:
            path = _create(place.directory, name, suffix, text)
        except OSError as exc:
            refused.append(f"{place.label} {place.directory}: {exc.strerror or exc}")
            continue
        return Exported(path, "; ".join(refused) or None)
    raise ExportFailed("export failed, nothing written — " + "; ".join(refused))


def _create(directory: Path, name: str, suffix: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for n in range(MAX_TRIES):
        path = directory / f"{name}{f'-{n}' if n else ''}{suffix}"
        try:
            out = path.open("x", encoding="utf-8")
        except FileExistsError:
            continue
        try:
            with out:
                out.write(text)
        except OSError:  # a full disk: no half file is left behind
            path.unlink(missing_ok=True)
            raise
        return path
    raise OSError(f"{MAX_TRIES} files named {name}-N{suffix} exist already")
