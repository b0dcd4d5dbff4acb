"""The quickstart's table, claim check, stage clock and workspace guard on hand-made inputs."""

import json

import pytest

from experiments.quickstart import pipeline, report
from experiments.quickstart.options import SMOKE_OPTIONS, QuickstartOptions
from experiments.quickstart.progress import StageClock


def test_table_rounds_each_stream_to_one_decimal():
    accuracy = {"two_stream": {"spatial": 0.2, "temporal": 0.1875, "fused": 0.21},
                "tan": {"spatial": 0.8333, "temporal": 0.2, "fused": 0.8}}
    assert report.format_table(accuracy).splitlines() == [
        "| model | spatial | temporal | fusion |",
        "| --- | --- | --- | --- |",
        "| two-stream CNN + LSTM (average fusion) | 20.0 | 18.8 | 21.0 |",
        "| TAN | 83.3 | 20.0 | 80.0 |"]


def test_claim_check_by_hand():
    claim = report.claim_check(tan_top1=0.65, two_stream_top1=0.2, alpha_action_mass=0.5,
                               uniform=0.2)
    assert claim["tan_minus_two_stream_points"] == pytest.approx(45.0)
    assert claim["accuracy_target_met"] and claim["attention_target_met"]
    assert claim["attention_ratio_to_uniform"] == pytest.approx(2.5)
    claim = report.claim_check(tan_top1=0.35, two_stream_top1=0.2, alpha_action_mass=0.3,
                               uniform=0.2)
    assert not claim["accuracy_target_met"] and not claim["attention_target_met"]


def test_stage_clock_prints_names_and_keeps_durations():
    lines = []
    clock = StageClock(2, print_fn=lambda text, flush=False: lines.append(text))
    with clock.stage("generate", "videos"):
        pass
    assert set(clock.seconds) == {"generate"} and clock.seconds["generate"] >= 0
    assert "[1/2] generate: videos" in lines[0] and "[1/2] generate: done in" in lines[1]
    with pytest.raises(ValueError, match="Expected num_stages >= 1"):
        StageClock(0)


def test_default_positions_fall_inside_the_segments():
    options = QuickstartOptions()
    assert pipeline.stored_positions_aligned(options.frames_per_segment,
                                             options.positions_per_segment)
    # 6-frame segments, 5 positions each: 25 of the 29 candidate frames, some on a last frame.
    assert not pipeline.stored_positions_aligned(6, 5)


def test_a_workspace_made_with_other_options_is_refused(tmp_path):
    pipeline._check_workspace(tmp_path, SMOKE_OPTIONS)
    saved = json.loads((tmp_path / pipeline.OPTIONS_FILENAME).read_text())
    assert saved["train_videos_per_class"] == SMOKE_OPTIONS.train_videos_per_class
    pipeline._check_workspace(tmp_path, SMOKE_OPTIONS)  # Same options: a resume.
    with pytest.raises(ValueError, match=r"differs in \['batch_size', 'epochs', "):
        pipeline._check_workspace(tmp_path, QuickstartOptions())


def test_the_attention_plot_shows_one_video_of_each_class_first():
    assert pipeline.plotted_videos([4, 4, 4, 3, 3, 2, 1, 0], 4) == [0, 3, 5, 6]
    assert pipeline.plotted_videos([1, 1, 2], 4) == [0, 2, 1]
