"""Which rule counts a layer call: the first class of `RULES` the layer is an instance of.

The rules live beside their formulas: `layer_costs` (Keras' layers), `recurrent_costs` (LSTM,
GRU), `attention_costs` (TAN's attention, the spatial-attention pooling), `soft_attention_costs`
(`SoftAttentionLSTM`); this package's small layers are here. A layer no rule knows, or a
configuration a rule cannot count, gives None: the card lists it as uncounted rather than guess.
A layer that spans two parts (`SoftAttentionLSTM`) gives a dict of its shares, {'attention':
Count, 'recurrent': Count}, which `parts` puts in their parts.
"""

import math

from tan_keras.layers import FoldSnippets, GatedFusion, LastSnippet, UnfoldSnippets
from tan_keras.model_card import (attention_costs, layer_costs, recurrent_costs,
                                  soft_attention_costs)
from tan_keras.model_card.counts import Count, elementwise
from tan_keras.model_card.graph import LayerCall


def gated_fusion(layer, inputs, outputs) -> Count:
    """gate_s p_s + gate_t p_t: 3 FLOPs an output element."""
    return elementwise(math.prod(outputs[0]), 3)


PACKAGE_RULES = (
    (FoldSnippets, layer_costs.free),
    (UnfoldSnippets, layer_costs.free),
    (LastSnippet, layer_costs.free),
    (GatedFusion, gated_fusion),
)
RULES = (attention_costs.RULES + soft_attention_costs.RULES + recurrent_costs.RULES + PACKAGE_RULES
         + layer_costs.RULES)


def call_count(call: LayerCall) -> Count | dict | None:
    """The cost of one layer call (for its whole batch), a dict of shares for a layer that spans
    two parts, or None when no rule counts it."""
    for layer_class, rule in RULES:
        if isinstance(call.layer, layer_class):
            return rule(call.layer, call.inputs, call.outputs)
    return None
