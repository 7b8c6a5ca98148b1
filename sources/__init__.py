"""The trusted source library: fetch, parse, chunk, embed, store and search passages.

`sources` never imports `claims`; the CLI and the app are shells over it.
"""

from sources.errors import (
    DatabaseError,
    EmptyDocument,
    SourceError,
    SourceFetchError,
    UnsupportedDocument,
)

__all__ = [
    "DatabaseError",
    "EmptyDocument",
    "SourceError",
    "SourceFetchError",
    "UnsupportedDocument",
]
