"""The command line: thin. It parses, calls ops (writes) or the read side (reads), and prints.

One module per command group holds its parser and its handlers; ``entry`` assembles them and runs a
command. (Not ``main.py``: the package's ``main``, the console script's entry point, would hide it.)
"""

from c1console.cli.entry import main, run

__all__ = ["main", "run"]
