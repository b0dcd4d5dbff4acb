"""A card as markdown: the parts' table, the video's totals, the flow, XLA's counts beside ours."""

import numpy as np


def _unit(card: dict) -> tuple[float, str]:
    return (1e9, "GFLOPs") if card["total"]["flops_per_view"] >= 1e9 else (1e6, "MFLOPs")


def _number(value, scale: float) -> str:
    """value / scale with 3 decimals, or 2 significant digits under 0.1 (0.0001, not 1e-04)."""
    if value is None:
        return ""
    scaled = value / scale
    if scaled >= 0.1 or scaled == 0:
        return f"{scaled:,.3f}"
    return np.format_float_positional(scaled, precision=2, unique=False, fractional=False,
                                      trim="-")


def parts_table(card: dict) -> str:
    """| part | params | FLOPs per view | per video | (XLA per view) |, the totals at the end."""
    scale, unit = _unit(card)
    xla = card.get("xla")
    views = card["per_video"]["views"]
    header = ["part", "params", f"{unit} per view", f"{unit} per video ({views} views)"]
    if xla:
        header.append(f"XLA {unit} per view")
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]

    def add(name, params, per_view, per_video, xla_value=None):
        cells = [name, "" if params is None else f"{params:,}", _number(per_view, scale),
                 _number(per_video, scale)]
        if xla:
            cells.append(_number(xla_value, scale))
        lines.append("| " + " | ".join(cells) + " |")

    for name, part in card["parts"].items():
        add(name, part["params"], part["flops_per_view"], part["flops_per_video"],
            xla["parts"][name]["xla"] if xla else None)
    total, video = card["total"], card["per_video"]
    add("**the model**", total["params"], total["flops_per_view"], video["model_flops"],
        xla["per_view"]["xla"] if xla else None)
    add("test views (in-model preprocessing)", None, None, video["test_views_flops"])
    add("view averaging", None, None, video["view_averaging_flops"])
    add("**a video**", total["params"], None, video["flops"])
    return "\n".join(lines)


def flow_lines(card: dict) -> str:
    """The TV-L1 cost, in a few lines."""
    flow = card["tvl1"]
    scales = ", ".join(f"{w}x{h}" for h, w in flow["scales"])
    pair = flow["ops_per_pair"]
    lines = [f"TV-L1 flow at {flow['frame_width']}x{flow['frame_height']} ({len(flow['scales'])} "
             f"scales: {scales}): {pair['typical'] / 1e9:,.2f} G ops a pair at the mean "
             f"iterations of real pairs, {pair['max'] / 1e9:,.2f} G ops with every loop at its "
             "cap."]
    for name, what in (("test_snippets", "the T test snippets"),
                       ("stored_positions", "the K positions data_prep stores")):
        if name in flow["per_video"]:
            need = flow["per_video"][name]
            lines.append(f"A video, {what} ({need['pairs']} pairs): "
                         f"{need['typical'] / 1e9:,.1f} G ops typical, "
                         f"{need['max'] / 1e9:,.1f} G ops at most.")
    return "\n".join(lines)


def xla_table(card: dict) -> str:
    """| part | ours | ours without 'same' padding | XLA | XLA / ours without padding |."""
    xla = card["xla"]
    scale, unit = _unit(card)
    lines = [f"| part | analytic {unit} | without 'same' padding | XLA {unit} | XLA / without "
             "padding | transcendentals (analytic / XLA) |", "|" + " --- |" * 6]
    rows = list(xla["parts"].items()) + [("**the model**", xla["per_view"])]
    for name, row in rows:
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.4f}"
        lines.append(f"| {name} | {_number(row['analytic'], scale)} | "
                     f"{_number(row['analytic_without_padding'], scale)} | "
                     f"{_number(row['xla'], scale)} | {ratio} | "
                     f"{row['analytic_transcendentals']:,} / {row['xla_transcendentals']:,} |")
    return "\n".join(lines)


def card_markdown(card: dict) -> str:
    """The whole card as markdown: a title line, the parts, the flow, XLA's counts."""
    arch = card["architecture"]
    title = (f"Model card: {card['model']}, {card['num_classes']} classes, {arch['backbone']} "
             f"at {arch['image_size']} px, T = {arch['num_snippets']}, {arch['rnn']} "
             f"{arch['rnn_units']}, attention {arch['attention_units']} ({card['source']})")
    sections = [title, "", parts_table(card), "",
                f"Per view, {card['total']['padding_flops_per_view'] / _unit(card)[0]:,.3f} "
                f"{_unit(card)[1]} of these are on 'same' zero padding; "
                f"{card['total']['transcendentals_per_view']:,} transcendentals (not in the "
                "FLOPs). A FLOP is one multiply or one add.", "", flow_lines(card)]
    if card["uncounted"]:
        sections += ["", "Not counted (no rule): " + ", ".join(card["uncounted"])]
    if "xla" in card:
        sections += ["", f"XLA's cost analysis (JAX, CPU; compiled in "
                         f"{card['xla']['compile_seconds']:.0f} s):", "", xla_table(card)]
    return "\n".join(sections)
