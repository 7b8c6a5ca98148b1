"""Exceptions of the claims package; each message is one clear line."""

from sources.errors import SourceError


class ClaimsError(SourceError):
    """Base class: a user-facing problem with an article, a claim or a review."""


class EmptyArticle(ClaimsError):
    """The article has no text, or no sentences we can read."""


class ArticleTooLong(ClaimsError):
    """The article is longer than one check handles."""


class UnknownClaim(ClaimsError):
    """No claim has that id."""


class InvalidReview(ClaimsError):
    """A review with an unknown verdict label or evidence that is not the claim's."""
