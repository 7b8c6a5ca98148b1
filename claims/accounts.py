"""The team's accounts (issue 17, step 1): users with a role and a bcrypt-hashed password, kept in
the workbench database and managed through `factcheck users`.

Roles: an admin does everything (publishes, reopens, assigns claims to others, changes settings);
a reviewer checks articles, adds sources, corrects and reviews claims and takes claims to review;
a viewer reads and exports. With the `sign_in` setting off (the default), nobody signs in: the app
is for one person on this computer, who acts as an admin under the name they type.
"""

from __future__ import annotations

import re
import secrets

import bcrypt
import sqlite_utils

from claims.errors import InvalidAccount
from claims.store import get_settings
from sources import store as source_store
from sources.store import now_iso

ROLES = ("admin", "reviewer", "viewer")
# what each role may do; an action not listed for a role is refused with a one-line reason
ALLOWED = {
    "admin": {"review", "correct", "check", "sources", "take", "assign", "publish", "reopen", "settings"},
    "reviewer": {"review", "correct", "check", "sources", "take"},
    "viewer": set(),
}
ACTIONS = {"review": "save a review", "correct": "correct claims", "check": "check articles",
           "sources": "change the library", "take": "take claims to review", "assign": "assign claims to others",
           "publish": "publish claims", "reopen": "reopen published claims", "settings": "change settings"}
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,39}")
MIN_PASSWORD = 8


def _check_password(password: str) -> bytes:
    raw = (password or "").encode("utf-8")
    if len(password or "") < MIN_PASSWORD:
        raise InvalidAccount(f"a password has at least {MIN_PASSWORD} characters")
    if len(raw) > 72:
        raise InvalidAccount("a password is at most 72 bytes (bcrypt reads no further)")
    return raw


def hash_password(password: str) -> str:
    """A bcrypt hash of `password` (the form streamlit-authenticator checks against)."""
    return bcrypt.hashpw(_check_password(password), bcrypt.gensalt()).decode("ascii")


def _row(db: sqlite_utils.Database, username: str) -> dict | None:
    rows = list(db.query("select * from users where username = ?", [username]))
    return rows[0] if rows else None


def get_user(db: sqlite_utils.Database, username: str | None) -> dict | None:
    """The active user named `username` (without the hash), or None."""
    row = _row(db, (username or "").strip().lower())
    if row is None or row["removed_at"]:
        return None
    return {k: row[k] for k in ("username", "name", "role", "created_at")}


def list_users(db: sqlite_utils.Database, include_removed: bool = False) -> list[dict]:
    """The users, by name; a removed user only with `include_removed`."""
    sql = "select username, name, role, created_at, removed_at from users"
    if not include_removed:
        sql += " where removed_at is null"
    return list(db.query(sql + " order by username"))


def add_user(db: sqlite_utils.Database, username: str, password: str, *, name: str | None = None,
             role: str = "reviewer") -> dict:
    """Add a user (or bring back a removed one under the same name, with the new password and role)."""
    username = (username or "").strip().lower()
    if not _USERNAME.fullmatch(username):
        raise InvalidAccount(f"a username is 1-40 lower-case letters, digits, '.', '_' or '-' (not {username!r})")
    if role not in ROLES:
        raise InvalidAccount(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    hashed = hash_password(password)
    name = (name or "").strip() or username
    with source_store.write(db):
        old = _row(db, username)
        if old and not old["removed_at"]:
            raise InvalidAccount(f"user {username!r} exists; change it with `factcheck users role` or "
                                 "`factcheck users password`")
        if old:
            db.execute("update users set name = ?, role = ?, password_hash = ?, removed_at = null where username = ?",
                       [name, role, hashed, username])
        else:
            db.execute("insert into users (username, name, role, password_hash, created_at) values (?, ?, ?, ?, ?)",
                       [username, name, role, hashed, now_iso()])
    return get_user(db, username)


def _active(db: sqlite_utils.Database, username: str) -> dict:
    user = get_user(db, username)
    if user is None:
        raise InvalidAccount(f"no user {username!r} (see `factcheck users list`)")
    return user


def _keeps_an_admin(db: sqlite_utils.Database, username: str) -> None:
    """Refuse to leave a workbench that requires sign-in without an admin."""
    others = db.execute("select count(*) from users where role = 'admin' and removed_at is null and username != ?",
                        [username]).fetchone()[0]
    if not others and get_settings(db).get("sign_in") == "on":
        raise InvalidAccount(f"{username!r} is the last admin and sign-in is on: add another admin first, or "
                             "turn sign-in off (factcheck settings set sign_in off)")


def remove_user(db: sqlite_utils.Database, username: str) -> dict:
    """Remove a user: they can no longer sign in; their reviews and changes keep their name."""
    user = _active(db, username)
    with source_store.write(db):
        if user["role"] == "admin":
            _keeps_an_admin(db, user["username"])
        db.execute("update users set removed_at = ? where username = ?", [now_iso(), user["username"]])
    return user


def set_role(db: sqlite_utils.Database, username: str, role: str) -> dict:
    """Give a user another role."""
    if role not in ROLES:
        raise InvalidAccount(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    user = _active(db, username)
    with source_store.write(db):
        if user["role"] == "admin" and role != "admin":
            _keeps_an_admin(db, user["username"])
        db.execute("update users set role = ? where username = ?", [role, user["username"]])
    return get_user(db, user["username"])


def set_password(db: sqlite_utils.Database, username: str, password: str) -> None:
    """Give a user a new password."""
    user = _active(db, username)
    hashed = hash_password(password)
    with source_store.write(db):
        db.execute("update users set password_hash = ? where username = ?", [hashed, user["username"]])


def verify(db: sqlite_utils.Database, username: str, password: str) -> dict | None:
    """The user, if `password` is theirs; None otherwise (unknown, removed or wrong)."""
    row = _row(db, (username or "").strip().lower())
    if row is None or row["removed_at"]:
        return None
    try:
        ok = bcrypt.checkpw((password or "").encode("utf-8"), row["password_hash"].encode("ascii"))
    except ValueError:
        return None
    return get_user(db, row["username"]) if ok else None


def credentials(db: sqlite_utils.Database) -> dict:
    """The active users in the shape streamlit-authenticator reads (hashes only, never a password)."""
    rows = db.query("select username, name, role, password_hash from users where removed_at is null")
    return {"usernames": {r["username"]: {"name": r["name"], "password": r["password_hash"], "roles": [r["role"]],
                                          "email": "", "failed_login_attempts": 0, "logged_in": False}
                          for r in rows}}


def secret(db: sqlite_utils.Database, key: str) -> str:
    """An app secret (the sign-in cookie's signing key), made once and kept in the database."""
    row = db.execute("select value from app_secrets where key = ?", [key]).fetchone()
    if row:
        return row[0]
    with source_store.write(db):
        db.execute("insert or ignore into app_secrets (key, value) values (?, ?)", [key, secrets.token_hex(32)])
    return db.execute("select value from app_secrets where key = ?", [key]).fetchone()[0]


def sign_in_required(db: sqlite_utils.Database) -> bool:
    """Whether the app asks everyone to sign in (the `sign_in` setting)."""
    return get_settings(db).get("sign_in") == "on"


def may(role: str | None, action: str) -> bool:
    """Whether `role` may do `action` (one of ACTIONS)."""
    return action in ALLOWED.get(role or "", set())


def require(user: dict | None, action: str) -> None:
    """Refuse, in one line, an action the user's role does not allow."""
    if user is None:
        raise InvalidAccount(f"sign in to {ACTIONS[action]}")
    if not may(user["role"], action):
        raise InvalidAccount(f"{user['username']} is a {user['role']}: a {user['role']} may not {ACTIONS[action]}")


def acting_user(db: sqlite_utils.Database, name: str | None, action: str) -> dict:
    """Who a command acts as. With sign-in on, `name` must be an active user whose role allows
    `action`; with it off, any name (the person at this computer, an admin of their own workbench)."""
    name = (name or "").strip()
    if not sign_in_required(db):
        if not name:
            raise InvalidAccount("a name is needed: every change records who made it")
        return {"username": name, "name": name, "role": "admin"}
    user = get_user(db, name)
    if user is None:
        raise InvalidAccount(f"sign-in is on, so {name!r} must be a user of this workbench (factcheck users list)"
                             if name else "sign-in is on: say which user you are (--reviewer NAME)")
    require(user, action)
    return user


__all__ = ["ROLES", "ACTIONS", "add_user", "remove_user", "set_role", "set_password", "list_users", "get_user",
           "verify", "credentials", "secret", "sign_in_required", "may", "require", "acting_user", "hash_password"]
