"""``python -m bench.generate`` (or ``python bench/generate``): the generator's command line."""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.generate.cli import main

if __name__ == "__main__":
    sys.exit(main())
