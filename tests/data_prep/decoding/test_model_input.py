"""data_prep.decoding.model_input: a video decoded for tan-predict is, byte for byte, what the test input
pipeline reads from the records built from it (the same frames, flow, JPEG and decoder)."""

import numpy as np

from data_prep.decoding import model_input
from tan_keras import data

T = 3


def test_video_clip_equals_the_records_test_frames(ucf_records_root, shared_data):
    records = ucf_records_root / "ucf101"
    source = data.RecordsSource.open(records)
    settings = source.frames
    assert settings.positions == source.params["positions"]
    seen = 0
    for frames, _, video_ids in data.eval_frames(str(records), num_snippets=T, batch_size=1):
        video = video_ids.numpy()[0].decode()
        clip = model_input.video_clip(str(shared_data / "videos" / "ucf101" / video), settings, T)
        np.testing.assert_array_equal(clip["rgb"], frames["rgb"].numpy()[0], err_msg=video)
        np.testing.assert_array_equal(clip["flow"][..., 0], frames["flow_x"].numpy()[0],
                                      err_msg=video)
        np.testing.assert_array_equal(clip["flow"][..., 1], frames["flow_y"].numpy()[0],
                                      err_msg=video)
        seen += 1
    assert seen == 3
