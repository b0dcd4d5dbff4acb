"""Where the tests find the checkout and the real data beside it."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# `../shared/data` beside the checkout: real clips and split files (read-only; absent in a
# user's fresh clone, where the tests that need it skip).
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
