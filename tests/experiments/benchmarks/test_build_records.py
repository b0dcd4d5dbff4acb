"""experiments.benchmarks.build_records as a user runs it: the local JAX build, the same clips on
Beam's multiprocess runner with their bytes compared, and the OpenCV build, back to back."""

import pytest

from experiments.benchmarks.build_records import link_clips, same_bytes
from tests.helpers.commands import output_of, python_module

pytest.importorskip("jax")


@pytest.mark.slow  # about 18 s: the JAX compile, and Beam's workers starting
def test_local_jax_against_beam_and_opencv_as_typed(shared_data, tmp_path):
    run = python_module("experiments.benchmarks.build_records",
                        f"--video_dir={shared_data / 'videos' / 'ucf101'}", "--max_videos=1",
                        "--repeat=2", "--positions=2", "--frame_size=40x30", "--num_workers=2",
                        "--flow_engine=jax", "--flow_batch_size=1", "--beam",
                        "--beam_runners=multiprocess", "--opencv_baseline",
                        JAX_COMPILATION_CACHE_DIR=str(tmp_path / "jax_cache"),
                        JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0")
    assert run.returncode == 0, output_of(run)
    lines = run.stdout.splitlines()
    assert lines[0].startswith("(b) end-to-end build, jax, 2 workers, 2 videos, 4 pairs: "), lines
    assert lines[1].startswith("Beam multiprocess, jax, 2 workers: "), lines
    assert lines[1].endswith("bytes identical to (b)'s"), lines
    assert lines[2].startswith("local opencv, 2 workers: "), lines
    assert lines[3].startswith("(a) bare TV-L1, JAX kernel, batch 1, 2 call(s) at once, 40x30: ")
    assert all("CPU s a pair" in line for line in lines[:3]), lines


def test_repeated_clips_get_their_own_ids_and_a_changed_file_is_named(tmp_path):
    clip = tmp_path / "videos" / "Punch" / "v_Punch_g01_c01.avi"
    clip.parent.mkdir(parents=True)
    clip.write_bytes(b"not a real video")
    link_clips([str(clip)], str(tmp_path / "videos"), str(tmp_path / "linked"), repeat=3)
    linked = sorted(p.name for p in (tmp_path / "linked" / "Punch").iterdir())
    assert linked == ["v_Punch_g01_c01.avi", "v_Punch_g01_c01_r1.avi", "v_Punch_g01_c01_r2.avi"]
    assert all((tmp_path / "linked" / "Punch" / n).read_bytes() == b"not a real video"
               for n in linked)

    reference = {"a.tfrecord": "1" * 64, "manifest.json": "2" * 64}
    assert same_bytes(dict(reference), reference) == "identical"
    changed = {**reference, "manifest.json": "3" * 64}
    assert same_bytes(changed, reference) == "DIFFERENT: manifest.json"
    assert same_bytes({"a.tfrecord": "1" * 64}, reference) == "DIFFERENT: manifest.json"
