"""--engine=beam on real runners: Beam on a 2-process Dask cluster and on Beam's multi-process
runner build the real clips into the local engine's bytes, in worker processes other than the
driver; failure reports match; a killed build resumes without recomputing finished videos; and
the command downloads nothing (no Prism binary, network unreachable).

One Dask LocalCluster (2 worker processes) serves the module. The local reference is the
session's `ucf_records_root` (3 positions of 80x60 frames, the 6 UCF101 clips).
"""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from data_prep.build import local as build_lib
from data_prep.build import plan as plan_lib
from data_prep.build.beam_runners import resolve_runner
from data_prep.build.extract import PrepSettings
from data_prep.build.summary import format_summary
from tan_keras.errors import IncompatibleInputError
from tests.data_prep.build.test_damaged_videos import SETTINGS as DAMAGED_SETTINGS
from tests.data_prep.build.test_damaged_videos import TRUNCATED_ID, damaged_dir  # noqa: F401 (fixture)
from tests.helpers.commands import kill_when_a_video_is_built, output_of
from tests.helpers.paths import REPO_ROOT

SETTINGS = PrepSettings(positions=3, frame_width=80, frame_height=60)  # as ucf_records_root's


@pytest.fixture(scope="module")
def dask_address():
    """The scheduler address of a LocalCluster of 2 worker processes, one thread each."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def _ucf_plan(ucf_records_root: Path, shared_data: Path) -> plan_lib.BuildPlan:
    """The plan of ucf_records_root's build (same split files: the manifests' params match)."""
    return plan_lib.make_plan("ucf101", str(shared_data / "videos" / "ucf101"), "ucf101",
                              SETTINGS, splits_dir=str(ucf_records_root / "splits"))


def _assert_same_files(got: Path, want: Path):
    assert sorted(os.listdir(got)) == sorted(os.listdir(want))
    for name in os.listdir(want):
        assert (got / name).read_bytes() == (want / name).read_bytes(), name


def _assert_ran_in_workers(stats, at_least: int = 2):
    pids = {int(w.rsplit(":", 1)[1]) for w in stats.worker_ids}
    assert len(pids) >= at_least and os.getpid() not in pids, stats.worker_ids


def test_the_runner_is_chosen_by_name_and_never_one_that_downloads():
    assert resolve_runner(None) == "multiprocess"
    assert resolve_runner("dask", [], "10.0.0.5:8786") == "dask"
    assert resolve_runner(None, ["--runner=DataflowRunner", "--project=p"]) == "DataflowRunner"
    assert resolve_runner(None, "--runner FlinkRunner") == "FlinkRunner"
    for refused in ("--runner=DirectRunner", "--runner=PrismRunner", "--runner=direct"):
        with pytest.raises(IncompatibleInputError, match="fetches a binary at run time"):
            resolve_runner(None, [refused])
    with pytest.raises(IncompatibleInputError, match="Expected one runner"):
        resolve_runner("dask", ["--runner=FlinkRunner"])
    with pytest.raises(IncompatibleInputError, match="Expected --beam_runner=dask"):
        resolve_runner(None, ["--runner=DaskRunner"])
    with pytest.raises(IncompatibleInputError, match="with --dask_address"):
        resolve_runner("multiprocess", [], "10.0.0.5:8786")


@pytest.mark.slow
def test_dask_cluster_builds_the_local_bytes_in_two_worker_processes(
        ucf_records_root, shared_data, dask_address, tmp_path):
    from data_prep.build.beam_pipeline import run_beam
    plan = _ucf_plan(ucf_records_root, shared_data)
    manifest, stats = run_beam(plan, str(tmp_path), SETTINGS, "dask", dask_address=dask_address,
                               progress=False)
    _assert_same_files(tmp_path, ucf_records_root / "ucf101")
    _assert_ran_in_workers(stats)
    assert (stats.videos_done, stats.pairs_done, stats.videos_resumed) == (6, 18, 0)
    assert stats.runner == f"Beam on Dask, the cluster at {dask_address} (2 worker(s), 2 thread(s))"
    assert "6 video(s) computed by 2 worker process(es)." in format_summary(manifest, stats)


@pytest.mark.slow
def test_dask_failures_and_damage_are_reported_as_locally(damaged_dir, dask_address,  # noqa: F811
                                                          tmp_path):
    from data_prep.build.beam_pipeline import run_beam
    (damaged_dir / "Punch" / "garbage.avi").write_bytes(b"garbage" * 100)
    plan = plan_lib.make_plan("folder", str(damaged_dir), "damaged", DAMAGED_SETTINGS)
    local, local_stats = build_lib.run_local(plan, str(tmp_path / "local"), DAMAGED_SETTINGS, 1,
                                             progress=False)
    beam, beam_stats = run_beam(plan, str(tmp_path / "beam"), DAMAGED_SETTINGS, "dask",
                                dask_address=dask_address, progress=False)
    _assert_same_files(tmp_path / "beam", tmp_path / "local")
    assert [f["video"] for f in beam["failures"]] == ["Punch/garbage.avi", TRUNCATED_ID]
    report = [line for line in format_summary(beam, beam_stats).splitlines()
              if not line.startswith(("Ran on", "This run", "Projected"))]
    assert report == format_summary(local, local_stats).splitlines()[:len(report)]
    assert len(report) == 3  # the counts, then both failures with their reasons


def _cli(args, **popen):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", **popen.pop("env", {}))
    return subprocess.Popen([sys.executable, "-m", "data_prep.build_records", "--progress=false",
                             *map(str, args)], cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, **popen)


def _ucf_args(ucf_records_root, shared_data, out):
    return ["--dataset=ucf101", f"--video_dir={shared_data / 'videos' / 'ucf101'}",
            f"--splits_dir={ucf_records_root / 'splits'}", f"--output_dir={out}",
            "--positions=3", "--frame_size=80x60", "--engine=beam", "--num_workers=2"]


@pytest.mark.slow
def test_killed_beam_build_resumes_without_recomputing_finished_videos(
        ucf_records_root, shared_data, dask_address, tmp_path):
    from data_prep.build.beam_pipeline import run_beam
    out = tmp_path / "records"
    proc = _cli(_ucf_args(ucf_records_root, shared_data, out), start_new_session=True)
    kill_when_a_video_is_built(proc, out, timeout=180)
    assert not (out / "manifest.json").exists(), "the build finished before it was killed"
    finished = {f for f in os.listdir(out / ".work") if f.endswith(".json")} - {"params.json"}
    assert 1 <= len(finished) < 6

    # Rerun on the Dask cluster: each per-video file names the run that computed it.
    plan = _ucf_plan(ucf_records_root, shared_data)
    _, stats = run_beam(plan, str(out), SETTINGS, "dask", dask_address=dask_address,
                        progress=False)
    assert (stats.videos_resumed, stats.videos_done) == (len(finished), 6 - len(finished))
    _assert_same_files(out, ucf_records_root / "ucf101")


_NO_NETWORK = textwrap.dedent('''\
    """Loaded by every Python process of the test (PYTHONPATH): the network is unreachable, and
    every attempt to reach it is written to $NETWORK_ATTEMPTS before it fails."""
    import os, socket, urllib.request

    def _attempt(what):
        with open(os.environ["NETWORK_ATTEMPTS"], "a") as f:
            f.write(f"{os.getpid()} {what}\\n")
        raise OSError(f"network unreachable in this test: {what}")

    _connect = socket.socket.connect

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost") \\
                and self.family in (socket.AF_INET, socket.AF_INET6):
            _attempt(f"connect {address}")
        return _connect(self, address)

    socket.socket.connect = connect
    urllib.request.urlopen = lambda url, *a, **k: _attempt(f"urlopen {url}")
    ''')


@pytest.mark.slow
def test_the_command_builds_on_beam_without_downloading_anything(ucf_records_root, shared_data,
                                                                  tmp_path):
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(_NO_NETWORK)
    home, attempts = tmp_path / "home", tmp_path / "attempts.txt"
    home.mkdir()
    env = {"PYTHONPATH": os.pathsep.join([str(guard), os.environ.get("PYTHONPATH", "")]),
           "NETWORK_ATTEMPTS": str(attempts), "HOME": str(home)}  # no cached Prism binary

    # The guard catches what Beam's Prism runner would do (the test can fail).
    check = subprocess.run([sys.executable, "-c", "import urllib.request; urllib.request."
                            "urlopen('https://github.com/apache/beam/releases')"],
                           env=dict(os.environ, **env), capture_output=True, text=True)
    assert check.returncode != 0 and attempts.read_text().count("urlopen") == 1
    attempts.unlink()

    out = tmp_path / "records"
    proc = _cli(_ucf_args(ucf_records_root, shared_data, out), env=env)
    stdout, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, stdout
    assert not attempts.exists(), attempts.read_text()
    assert "prism" not in stdout.lower(), stdout
    assert not (home / ".apache_beam").exists()
    assert ("Ran on Beam multiprocess runner, 2 worker process(es): 6 video(s) computed by 2 "
            "worker process(es).") in stdout
    _assert_same_files(out, ucf_records_root / "ucf101")

    refused = _cli(_ucf_args(ucf_records_root, shared_data, tmp_path / "refused")
                   + ["--beam_options=--runner=DirectRunner"])
    stdout, _ = refused.communicate(timeout=120)
    assert refused.returncode == 1 and "fetches a binary at run time" in stdout, stdout
    assert not (tmp_path / "refused").exists()
