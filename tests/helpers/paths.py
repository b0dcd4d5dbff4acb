"""Where the tests find the checkout and the real data beside it."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# `../shared/data` beside the checkout: real clips and split files (read-only; absent in a
# user's fresh clone, where the tests that need it skip).
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
# A user's own code outside the tan-keras packages (a TemporalAttention subclass): on sys.path and
# PYTHONPATH for the whole test run (tests/conftest.py), as an installed package would be.
USER_CODE = REPO_ROOT / "tests" / "helpers" / "user_code"
