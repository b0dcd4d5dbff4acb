"""The library's refusals speak in its own terms (`name=value`, `name` in backquotes), never in
a command's flags; tests/experiments/test_command_errors.py shows the same refusals as flags."""

import pytest

from tan_keras.errors import IncompatibleInputError, MissingInputError
from tan_keras.training import initialization
from tan_keras.training.stage_run import check_full_batches
from tests.helpers.tiny import tiny_settings


def test_googlenet_from_imagenet_names_the_argument_and_the_checkpoint():
    with pytest.raises(MissingInputError) as refused:
        initialization.imagenet_weights("googlenet", None, instead="init='cnn'")
    message = str(refused.value)
    assert message.startswith("Expected imagenet_weights=<path to inception_v1.ckpt> for "
                              "backbone='googlenet' from ImageNet")
    assert "Received: imagenet_weights=None. Pass it, start from other weights (init='cnn') or "\
           "use another `backbone`." in message
    assert "--" not in message


def test_a_missing_pretrain_stage_names_init_and_the_arguments_that_make_it(tmp_path):
    settings = tiny_settings()
    with pytest.raises(MissingInputError) as refused:
        initialization.pretrained_cnn_weights(tmp_path, "ucf101", 1, settings, "records")
    message = str(refused.value)
    assert message.startswith("Expected a finished pretrain_cnn stage (ucf101, split 1, stream "
                              "rgb) for init='cnn'. Received: no "), message
    assert message.endswith(
        f"Run the pretrain_cnn stage first (`tan_keras.training.pretrain_cnn`, docs/training.md) "
        f"with records_dir=records, workspace={tmp_path}, stream='rgb', split=1, "
        f"backbone={settings.backbone!r}, image_size={settings.image_size}."), message
    assert "--" not in message and "python -m" not in message


def test_fewer_training_videos_than_one_global_batch_on_several_replicas():
    check_full_batches(3, 4, replicas=1, videos_of="split 1 of r")  # a smaller last batch: fine
    check_full_batches(4, 4, replicas=2, videos_of="split 1 of r")
    with pytest.raises(IncompatibleInputError,
                       match=r"^Expected at least batch_size=4 training videos in split 1 of r: "
                             r"with 2 replicas every step takes a full global batch\. Received: 3 "
                             r"training videos\. Pass a smaller `batch_size` \(at most 3, "
                             r"divisible by 2\), or strategy='default'\.$"):
        check_full_batches(3, 4, replicas=2, videos_of="split 1 of r")
