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


class InvalidEdit(ClaimsError):
    """A correction of the claims that cannot be made (a reviewed claim, a fragment not in the article)."""


class AlreadyChecked(ClaimsError):
    """The same text is stored as an article already; `article` is its `checked_before` summary."""

    def __init__(self, article: dict):
        self.article = article
        super().__init__(
            f"article {article['id']} (\"{article['title']}\", checked {article['checked_at']}) holds this very "
            f"text, with {article['claims']} claims, {article['reviewed']} of them reviewed: nothing new was "
            "stored; check it again only to start over")


class InvalidAccount(ClaimsError):
    """A user that cannot be added, found or signed in, or an action the user's role does not allow."""


class WorkflowError(ClaimsError):
    """A claim cannot move to that state (published before it is reviewed, held by someone else, ...)."""
