"""Claims: extract check-worthy claims from articles, match them to evidence, suggest
verdicts, store reviews and export them. Uses `sources` for the library and search."""

__version__ = "0.1.0"
