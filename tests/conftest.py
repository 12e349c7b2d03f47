"""Shared fixtures: the real spaCy model, the real coder, the shared/ folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Tests must not read a developer's own actor file (~/.config/aftershock/actors.yaml);
# tests of that feature point AFTERSHOCK_ACTORS at a file of their own.
os.environ["AFTERSHOCK_ACTORS"] = ""

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("AFTERSHOCK_SHARED", REPO.parent / "shared"))


def shared_file(rel: str) -> Path:
    """A file from ../shared. Missing in CI is a failure, not a skip: tests that
    silently skip let code and tests drift apart."""
    path = SHARED / rel
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI must run with shared/ beside the clone")
        pytest.skip(f"{path} not found (set AFTERSHOCK_SHARED to the shared/ folder)")
    return path


@pytest.fixture(scope="session")
def coder():
    from aftershock.coder import Coder

    return Coder()


@pytest.fixture(scope="session")
def gaz():
    """The default gazetteer (built once and cached)."""
    from aftershock.nlp.places import default_gazetteer

    return default_gazetteer()


@pytest.fixture(scope="session")
def resolver(coder):
    """The coder's own place resolver."""
    return coder.places
