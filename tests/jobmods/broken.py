"""A job module that raises at import, as a half-finished deploy would."""

raise RuntimeError("database credentials for the price feed are not set")
