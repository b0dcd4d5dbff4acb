"""A model's card: parameters and FLOPs part by part, per view and per video, and the flow.

Keras has no FLOPs API, so the card counts analytically: it runs the built model's graph on
symbolic inputs of one clip (`graph`) and counts each layer call from its config and concrete
shapes (`rules`: `layer_costs`, `recurrent_costs`, `attention_costs`, `soft_attention_costs`),
part by part (`parts`).
A FLOP is one multiply or one add (a multiply-add is 2); transcendentals are counted apart
(`counts`). Around the model it counts the 10-view protocol's preprocessing and averaging
(`protocol_costs`) and the TV-L1 flow a video needs (`tvl1`), and it can put XLA's own count
of the compiled forward pass beside its own (`xla`). docs/model_card.md shows the paper's card.

  model_card(architecture, num_classes, model='tan', ...) -> dict: a preset or sizes.
  run_model_card(stage_dir) -> dict: a trained run (a train_tan stage folder).
  count_model(model) -> ModelCount: any built model of `tan_keras.models`, by part.
  card_markdown(card) -> str: the card as markdown tables.
  tvl1_cost(frame_height, frame_width, num_snippets, positions) -> dict: the flow's ops.

Example:

>>> card = model_card("paper", num_classes=101)
>>> card["parts"]["attention"]["params"], card["total"]["flops_per_view"] / 1e9
(1049088, 30.229454426)
"""

from tan_keras.model_card.card import model_card, run_model_card
from tan_keras.model_card.counts import Count
from tan_keras.model_card.parts import PARTS, ModelCount, count_model
from tan_keras.model_card.report import card_markdown
from tan_keras.model_card.tvl1 import tvl1_cost

__all__ = ["model_card", "run_model_card", "count_model", "ModelCount", "Count", "PARTS",
           "card_markdown", "tvl1_cost"]
