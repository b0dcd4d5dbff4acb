r"""Export a trained run as one model from uint8 video frames to class scores.

    python -m experiments.export --workspace=ws --run_name=ucf101_split1_tan_cnn \
        --format=saved_model --output=exports/ucf101_tan

The model holds its preprocessing (the 10 views, the normalisation, the averaging over views),
the class names and the frames' settings; its inputs are uint8 `rgb [N, T, H, W, 3]` and
`flow [N, T, H, W, 2]`. `tan-predict --model=<the export>` runs it on a video. The library
functions are `tan_keras.inference.load_video_model` and `export_model`.
"""

from absl import flags

from experiments import cli, shared_flags
from tan_keras import choices

FLAGS = flags.FLAGS
shared_flags.define_workspace("Workspace holding train_tan/<run_name>/.")
shared_flags.define_attention_layer(shared_flags.ATTENTION_LAYER_HELP["load"])
flags.adopt_module_key_flags(shared_flags)
flags.DEFINE_string("run_name", None, "The finished train_tan run to export.", required=True)
flags.DEFINE_enum("format", "keras", list(choices.EXPORT_FORMATS), "keras: one .keras file. "
                  "saved_model: a TF SavedModel folder (serve and metadata endpoints). tflite: a "
                  ".tflite file and <file>.json with the classes and settings. onnx: one .onnx "
                  "file, classes and settings in its metadata (pip install \"tan-keras[onnx]\").")
flags.DEFINE_string("output", None, "The file or folder to write.", required=True)


def main(argv):
    del argv
    from tan_keras.inference import export_model, load_video_model

    video_model = load_video_model(FLAGS.workspace, FLAGS.run_name, FLAGS.attention_layer)
    for path in export_model(video_model, FLAGS.format, FLAGS.output):
        print(f"wrote {path}")


if __name__ == "__main__":
    cli.run(main)
