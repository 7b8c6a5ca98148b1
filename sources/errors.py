"""Exceptions of the source library, named for the failure; each message is one clear line."""


class SourceError(Exception):
    """Base class: a user-facing problem with a source or the library."""


class SourceFetchError(SourceError):
    """A URL could not be fetched (DNS, refused, timeout, HTTP error, too large)."""


class BlockedAddress(SourceFetchError):
    """A URL (or a redirect) leads to an address that fetching may not reach: loopback, private,
    link-local, metadata, unspecified, multicast or reserved, unless its network is allowed."""


class UnsupportedDocument(SourceError):
    """The content is not a document we can read (binary, unknown type, bad encoding)."""


class EmptyDocument(SourceError):
    """The document has no readable text."""


class DatabaseError(SourceError):
    """The database file cannot be used (not SQLite, newer schema, locked)."""


class DatabaseBusy(DatabaseError):
    """Another process held the database's write lock longer than we wait; nothing was saved."""


class AlreadyStored(SourceError):
    """A source with the same content is already in the library."""

    def __init__(self, source_id: int, title: str):
        super().__init__(f"already in the library as source {source_id} ({title}); nothing added")
        self.source_id, self.title = source_id, title


class DatabaseDamaged(DatabaseError):
    """SQLite's integrity check found damage in the database file; nothing was written to it."""
