r"""A model's card: parameters and FLOPs per part, per view and per 10-view video, and the flow.

    python -m experiments.model_card --preset=paper --model=tan --num_classes=101 \
        --output=card.json

or the card of a trained run (its settings.json says the model and its sizes):

    python -m experiments.model_card --run=ws/train_tan/ucf101_split1_tan_cnn --xla

Prints the card as markdown tables (parts x params, FLOPs per view, per video) and writes it as
JSON to --output. --xla adds XLA's own count of the compiled forward pass beside ours (on the
JAX backend, in a subprocess when this one runs TensorFlow; under a minute for GoogLeNet on a
2-core CPU). The library function is `tan_keras.model_card.model_card` (and `run_model_card`);
docs/model_card.md says what is counted and how.
"""

import json
import os

from absl import flags

from experiments import cli, shared_flags
from tan_keras import choices
from tan_keras.presets import PRESET_NAMES

FLAGS = flags.FLAGS
flags.DEFINE_enum("preset", "paper", list(PRESET_NAMES), "The architecture (tan_keras.presets): "
                  "backbone, T, S, the recurrent layer and the attention's sizes.")
flags.DEFINE_enum("model", "tan", list(choices.MODELS), "The model to count.")
flags.DEFINE_integer("num_classes", 101, "C, the classes (101: UCF101, 51: HMDB51).",
                     lower_bound=1)
flags.DEFINE_string("run", None, "A trained run's train_tan stage folder "
                    "(<workspace>/train_tan/<run_name>): its settings.json gives the model, C and "
                    "the sizes, in place of --preset, --model and --num_classes.")
shared_flags.define_attention_layer("TAN's attention layer, package.module:ClassName of a "
                                    "TemporalAttention subclass, for a --preset card (a --run "
                                    "card uses the one the run records).")
flags.adopt_module_key_flags(shared_flags)
flags.DEFINE_bool("xla", False, "Also compile the forward pass of one clip with XLA (JAX, CPU) "
                  "and show its FLOP count beside ours, per part and in total.")
flags.DEFINE_string("output", None, "Write the card as JSON to this file (default: print only).")

flags.register_validator("run", cli.existing_folder("a train_tan stage folder, with "
                                                     "settings.json"))


def _run_or_preset(values) -> bool:
    if values["run"] is None:
        return True
    given = [f"--{name}" for name in ("preset", "model", "num_classes", "attention_layer")
             if FLAGS[name].present]
    if given:
        raise flags.ValidationError(f"--run gives the model and its sizes; drop {', '.join(given)} "
                                    f"(or drop --run for a preset's card)")
    return True


flags.register_multi_flags_validator(["run", "preset", "model", "num_classes",
                                      "attention_layer"], _run_or_preset)


def main(argv):
    del argv
    from tan_keras.model_card import card_markdown, model_card, run_model_card

    if FLAGS.run:
        card = run_model_card(FLAGS.run, xla=FLAGS.xla)
    else:
        card = model_card(FLAGS.preset, FLAGS.num_classes, FLAGS.model, xla=FLAGS.xla,
                          attention_layer=FLAGS.attention_layer)
    print(card_markdown(card))
    if FLAGS.output:
        folder = os.path.dirname(FLAGS.output)
        if folder:
            os.makedirs(folder, exist_ok=True)
        with open(FLAGS.output, "w", encoding="utf-8") as file:
            json.dump(card, file, indent=2)
        print(f"\nwrote {FLAGS.output}")


if __name__ == "__main__":
    cli.run(main)
