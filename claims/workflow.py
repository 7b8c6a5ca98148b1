"""The review workflow (issue 17, step 2): a claim is new -> in review (held by an assignee) ->
reviewed -> published; it can step back a stage, or be reopened after publishing, with a reason.

Every change is a row of `claim_states`, append-only, with who and when (saving a review records
"reviewed" itself: claims.store.add_review). Who may do what is the user's role (claims.accounts):
a reviewer takes a claim for themselves and steps back their own; an admin also assigns claims to
others, publishes and reopens.
"""

from __future__ import annotations

from typing import Sequence

import sqlite_utils

from claims.accounts import get_user, require, sign_in_required
from claims.errors import WorkflowError
from claims.store import CLAIM_STATES, claim_state, get_claim, record_state
from sources import store as source_store

LABELS = {"new": "new", "in_review": "in review", "reviewed": "reviewed", "published": "published"}
BACK = {"in_review": "new", "reviewed": "in_review", "published": "reviewed"}


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(f"{what} needs a reason (it is kept in the claim's history)")
    return reason


def take(db: sqlite_utils.Database, claim_id: int, actor: dict, *, assignee: str | None = None,
         reason: str = "") -> dict:
    """Put a claim in review, held by `assignee` (default: the actor). A claim someone else holds
    is taken over only with a reason; assigning to another person is an admin's."""
    assignee = (assignee or actor["username"]).strip()
    require(actor, "take" if assignee == actor["username"] else "assign")
    if sign_in_required(db) and get_user(db, assignee) is None:
        raise WorkflowError(f"no user {assignee!r} to assign the claim to (factcheck users list)")
    with source_store.write(db):
        get_claim(db, claim_id)
        st = claim_state(db, claim_id)
        if st["state"] in ("reviewed", "published"):
            raise WorkflowError(f"claim {claim_id} is {LABELS[st['state']]}: "
                                + ("step it back" if st["state"] == "reviewed" else "reopen it")
                                + " (with a reason) to review it again")
        if st["state"] == "in_review" and st["assignee"] == assignee:
            return st
        if st["state"] == "in_review" and st["assignee"] and st["assignee"] != actor["username"]:
            reason = _reason(reason, f"taking claim {claim_id} from {st['assignee']}")
        record_state(db, claim_id, "in_review", assignee=assignee, actor=actor["username"], reason=reason)
    return claim_state(db, claim_id)


def step_back(db: sqlite_utils.Database, claim_id: int, actor: dict, *, reason: str) -> dict:
    """One stage back: in review -> new (nobody holds it), reviewed -> in review (held by the actor),
    published -> reviewed (an admin's: that is reopening, see `reopen`)."""
    with source_store.write(db):
        get_claim(db, claim_id)
        st = claim_state(db, claim_id)
        if st["state"] == "new":
            raise WorkflowError(f"claim {claim_id} is new: there is no stage before it")
        if st["state"] == "published":
            require(actor, "reopen")
        elif st["state"] == "in_review" and st["assignee"] not in (None, actor["username"]):
            require(actor, "assign")
        else:
            require(actor, "take")
        reason = _reason(reason, "a step back")
        to = BACK[st["state"]]
        holder = None if to == "new" else st["assignee"] if to == "reviewed" else actor["username"]
        record_state(db, claim_id, to, assignee=holder, actor=actor["username"], reason=reason)
    return claim_state(db, claim_id)


def reopen(db: sqlite_utils.Database, claim_id: int, actor: dict, *, reason: str) -> dict:
    """A published claim back in review, held by the actor (an admin), with a reason."""
    require(actor, "reopen")
    with source_store.write(db):
        get_claim(db, claim_id)
        st = claim_state(db, claim_id)
        if st["state"] != "published":
            raise WorkflowError(f"claim {claim_id} is {LABELS[st['state']]}, not published: nothing to reopen")
        record_state(db, claim_id, "in_review", assignee=actor["username"], actor=actor["username"],
                     reason=_reason(reason, "reopening"))
    return claim_state(db, claim_id)


def publish(db: sqlite_utils.Database, claim_ids: Sequence[int], actor: dict) -> list[int]:
    """Publish reviewed claims (an admin's); the ids published. A claim not yet reviewed is refused,
    and nothing is published then; one already published is left as it is."""
    require(actor, "publish")
    done = []
    with source_store.write(db):
        states = {}
        for cid in claim_ids:
            get_claim(db, cid)
            states[cid] = claim_state(db, cid)
        waiting = [cid for cid, st in states.items() if st["state"] in ("new", "in_review")]
        if waiting:
            raise WorkflowError(f"claim{'s' if len(waiting) > 1 else ''} {', '.join(map(str, waiting))} "
                                f"{'are' if len(waiting) > 1 else 'is'} not reviewed yet: nothing was published")
        for cid, st in states.items():
            if st["state"] == "reviewed":
                record_state(db, cid, "published", assignee=st["assignee"], actor=actor["username"])
                done.append(cid)
    return done


__all__ = ["CLAIM_STATES", "LABELS", "take", "step_back", "reopen", "publish"]
