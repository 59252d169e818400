"""c1console: the operator console for batch-job operations reliability."""

import logging

# Library code logs; only the entry points decide where it goes (a console must never print into its screen).
logging.getLogger("c1console").addHandler(logging.NullHandler())
