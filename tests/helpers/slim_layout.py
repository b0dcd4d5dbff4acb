"""TF-Slim's Inception-v1 layout, written out independently of the project's GoogLeNet."""


# The slim inception_v1_base layout, copied from tensorflow/models research/slim/nets/
# inception_v1.py as an independent reference: module -> (Branch_0 1x1, Branch_1 1x1, 3x3,
# Branch_2 1x1, 3x3, Branch_3 1x1).
SLIM_MODULES = [
    ("Mixed_3b", (64, 96, 128, 16, 32, 32)),
    ("Mixed_3c", (128, 128, 192, 32, 96, 64)),
    ("Mixed_4b", (192, 96, 208, 16, 48, 64)),
    ("Mixed_4c", (160, 112, 224, 24, 64, 64)),
    ("Mixed_4d", (128, 128, 256, 24, 64, 64)),
    ("Mixed_4e", (112, 144, 288, 32, 64, 64)),
    ("Mixed_4f", (256, 160, 320, 32, 128, 128)),
    ("Mixed_5b", (256, 160, 320, 32, 128, 128)),
    ("Mixed_5c", (384, 192, 384, 48, 128, 128)),
]


def slim_conv_layers():
    """[(slim scope, kernel size, in channels, out channels)] of inception_v1_base."""
    convs = [("Conv2d_1a_7x7", 7, 3, 64), ("Conv2d_2b_1x1", 1, 64, 64),
             ("Conv2d_2c_3x3", 3, 64, 192)]
    channels = 192
    for module, (b0, b1a, b1b, b2a, b2b, b3) in SLIM_MODULES:
        branch_2_3x3 = "Conv2d_0a_3x3" if module == "Mixed_5b" else "Conv2d_0b_3x3"
        convs += [
            (f"{module}/Branch_0/Conv2d_0a_1x1", 1, channels, b0),
            (f"{module}/Branch_1/Conv2d_0a_1x1", 1, channels, b1a),
            (f"{module}/Branch_1/Conv2d_0b_3x3", 3, b1a, b1b),
            (f"{module}/Branch_2/Conv2d_0a_1x1", 1, channels, b2a),
            (f"{module}/Branch_2/{branch_2_3x3}", 3, b2a, b2b),
            (f"{module}/Branch_3/Conv2d_0b_1x1", 1, channels, b3),
        ]
        channels = b0 + b1b + b2b + b3
    return convs


def slim_variable_shapes():
    """{slim variable name: shape} of the checkpoint, logits excluded."""
    shapes = {}
    for scope, k, c_in, c_out in slim_conv_layers():
        shapes[f"InceptionV1/{scope}/weights"] = (k, k, c_in, c_out)
        for statistic in ("beta", "moving_mean", "moving_variance"):
            shapes[f"InceptionV1/{scope}/BatchNorm/{statistic}"] = (c_out,)
    return shapes
