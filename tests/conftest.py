"""Shared fixtures: where the real clips and split files live, quiet TensorFlow logs, and the
expensive inputs several test files share (the records of the real clips, their TFDS build, a
trained and evaluated tiny run), each built once per run, also under pytest-xdist."""

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tests.helpers.built_once import built_once
from tests.helpers.paths import SHARED_DATA, USER_CODE

# The user's attention module (tests/helpers/user_code) is importable here and in every command
# the tests start, as an installed package of theirs would be.
sys.path.insert(0, str(USER_CODE))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(USER_CODE),
                                                         os.environ.get("PYTHONPATH")]))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real UCF101/HMDB51 clips and official split files; skips when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA} (a fresh clone has no ../shared)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def ucf_records_root(shared_data, tmp_path_factory) -> Path:
    """<root>/ucf101: records of the 6 real clips, 3 positions of 80x60 frames (built once).

    Read-only for the tests: a test that changes records copies them first."""
    from tests.helpers.real_records import build_ucf101_records

    return Path(built_once(tmp_path_factory, "ucf_records",
                           lambda folder: str(build_ucf101_records(shared_data, folder))))


@pytest.fixture(scope="session")
def tfds_ucf101(shared_data, tmp_path_factory) -> Path:
    """The version folder of a TFDS build (TanVideoFlow, ucf101 split 1) of the 6 real clips."""
    from tests.helpers.real_records import build_tfds_ucf101

    return Path(built_once(tmp_path_factory, "tfds_ucf101",
                           lambda folder: str(build_tfds_ucf101(shared_data, folder))))


@pytest.fixture(scope="session")
def evaluated_tiny_run(ucf_records_root, tmp_path_factory):
    """(records dir, workspace, run name): a tiny TAN trained one epoch on the real clips and
    evaluated (scores.npz), for the tests of export and predict, by the commands as typed, with a
    user's attention subclass (`real_records.USER_ATTENTION`). Read-only for the tests."""
    from tests.helpers.real_records import train_and_evaluate_tiny

    records = ucf_records_root / "ucf101"

    def build(workspace):
        return [str(workspace), train_and_evaluate_tiny(records, workspace)]

    workspace, run = built_once(tmp_path_factory, "tiny_run", build)
    return records, Path(workspace), run


# The longest test files, longest first (seconds on the 2-core CI machine, 2026-12-06): they start
# first so that the two workers finish together. Only an order: a file missing here runs anyway.
LONGEST_FILES = [
    "tests/experiments/test_multi_process.py",            # ~140: 10 training processes
    "tests/experiments/test_commands_end_to_end.py",      # ~120: every table on a tiny workspace
    "tests/experiments/test_train_tan.py",                # ~110
    "tests/test_jax_backend.py",                          # ~90: the JAX rerun, one test
    "tests/data_prep/build/test_build_jax.py",            # ~70
    "tests/data_prep/flow/test_tvl1_jax.py",              # ~60
    "tests/experiments/test_command_errors.py",           # ~55
    "tests/experiments/test_stages_on_jax.py",            # ~50
]


def pytest_collection_modifyitems(config, items):
    """Runs the longest test files first, then the other files that hold slow tests, then the
    rest, each file's tests in their order.

    With the suite split over workers (pytest-xdist, whole files at a time, in this order:
    pytest.ini turns off xdist's reordering by test count), the long files starting first let
    the workers finish together instead of one waiting on a long file picked up last. A file
    stays together, so its module fixtures are set up once.
    """
    root = Path(str(config.rootpath))
    rank = {root / name: i for i, name in enumerate(LONGEST_FILES)}
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: (rank.get(item.path, len(rank)),
                                 item.path not in slow_files))  # stable: order kept otherwise
