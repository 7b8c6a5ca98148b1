"""The demo library and article, written for this project in our own words."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from sources import library

__all__ = ["DEMO_DIR", "library_paths", "article_path", "load_demo_library"]

DEMO_DIR = Path(__file__).resolve().parent


def library_paths() -> list[Path]:
    """The demo reference documents."""
    return sorted((DEMO_DIR / "library").glob("*.md"))


def article_path() -> Path:
    """The demo news article."""
    return DEMO_DIR / "article.md"


def load_demo_library(db: sqlite_utils.Database, embedder, progress=None) -> list[library.AddResult]:
    """Add every demo source in one batch (already present ones are skipped)."""
    docs = [library.read_source(str(p)) for p in library_paths()]
    return library.add_documents(db, docs, embedder, progress=progress)
