"""PyTorch oracle for a2_initializers: fans, gains and the exact scales of torch.nn.init.

torch has no function that returns a std or a bound, so the scales are read where torch uses
them: the initialisers run on a tensor whose uniform_/normal_ record their arguments instead of
drawing. LeCun's std is kaiming_normal_ with nonlinearity="linear" (gain 1, fan_in), as torch's
docs advise for SELU networks. Cases where torch raises ValueError are recorded too.

Each case holds ``calls`` (JSON: a list of [args, kwargs] in the spec's names) and ``values``
(one float per call; fans are (fan_in, fan_out) rows). Called by tools/torch_oracle.py.
"""

import math

import numpy as np
from torch_oracle import _meta, _str

SHAPES = [[3, 5], [5, 3], [4, 4], [1, 7], [7, 1], [2, 3, 5], [8, 3, 3, 3], [4, 6, 1, 5], [2, 3, 2, 3, 4], [16, 3, 7, 7]]
NONLINEARITIES = [
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "selu",
]
KAIMING = [
    {},
    {"a": 0.2},
    {"mode": "fan_out"},
    {"nonlinearity": "relu"},
    {"a": 0.1, "mode": "fan_out", "nonlinearity": "leaky_relu"},
    {"mode": "fan_in", "nonlinearity": "tanh"},
    {"nonlinearity": "selu", "mode": "fan_out"},
    {"a": 3, "nonlinearity": "leaky_relu"},
]
GAINS = [{}, {"gain": 0.5}, {"gain": 5.0 / 3}, {"gain": math.sqrt(2.0)}]


def _scale(torch, initialiser, shape, **kwargs):
    """The bound or std torch's initialiser would draw with, recorded instead of drawn."""
    tensor = torch.empty(shape)
    seen = []
    tensor.uniform_ = lambda low, high, generator=None: seen.append(high)
    tensor.normal_ = lambda mean, std, generator=None: seen.append(std)
    initialiser(tensor, **kwargs)
    (value,) = seen
    return float(value)


def _raises_value_error(call):
    try:
        call()
    except ValueError:
        return True
    return False


def cases(torch):
    init = torch.nn.init
    found = {}

    def add(case, kind, torch_call, calls, values):
        found[case] = {
            "meta": _meta(kind, torch_call),
            "calls": _str(calls),
            "values": np.asarray(values, dtype=np.float64),
        }

    add(
        "fans",
        "fan_in_and_fan_out",
        "torch.nn.init._calculate_fan_in_and_fan_out",
        [[[shape], {}] for shape in SHAPES],
        [init._calculate_fan_in_and_fan_out(torch.empty(shape)) for shape in SHAPES],
    )
    gain_calls = (
        [[[name], {}] for name in NONLINEARITIES]
        + [[["leaky_relu"], {"param": slope}] for slope in (0.0, 0.2, 1, 3.0)]
        + [[["relu"], {"param": 0.5}], [["tanh"], {"param": 2.0}]]
    )
    add(
        "gains",
        "calculate_gain",
        "torch.nn.init.calculate_gain",
        gain_calls,
        [init.calculate_gain(*args, **kwargs) for args, kwargs in gain_calls],
    )

    tables = {
        "xavier_std": (GAINS, init.xavier_normal_, lambda kw: kw),
        "xavier_bound": (GAINS, init.xavier_uniform_, lambda kw: kw),
        "kaiming_std": (KAIMING, init.kaiming_normal_, lambda kw: kw),
        "kaiming_bound": (KAIMING, init.kaiming_uniform_, lambda kw: kw),
        "lecun_std": ([{}], init.kaiming_normal_, lambda kw: {"mode": "fan_in", "nonlinearity": "linear"}),
    }
    for kind, (options, initialiser, to_torch) in tables.items():
        calls = [[[shape], kwargs] for shape in SHAPES for kwargs in options]
        add(
            kind,
            kind,
            f"torch.nn.init.{initialiser.__name__} (the argument of uniform_/normal_)",
            calls,
            [_scale(torch, initialiser, shape, **to_torch(kwargs)) for (shape,), kwargs in calls],
        )

    # the spec function, its arguments, and the same call in torch, which raises ValueError
    errors = [
        ("fan_in_and_fan_out", [[5]], {}, lambda: init._calculate_fan_in_and_fan_out(torch.empty(5))),
        ("fan_in_and_fan_out", [[]], {}, lambda: init._calculate_fan_in_and_fan_out(torch.empty(()))),
        ("calculate_gain", ["softmax"], {}, lambda: init.calculate_gain("softmax")),
        ("calculate_gain", ["ReLU"], {}, lambda: init.calculate_gain("ReLU")),
        ("calculate_gain", ["leaky_relu"], {"param": True}, lambda: init.calculate_gain("leaky_relu", True)),
        ("kaiming_std", [[3, 4]], {"mode": "fan_avg"}, lambda: init.kaiming_normal_(torch.empty(3, 4), mode="fan_avg")),
        ("orthogonal", [[6]], {}, lambda: init.orthogonal_(torch.empty(6))),
    ]
    for function, args, _kwargs, call in errors:
        if not _raises_value_error(call):
            raise AssertionError(f"torch no longer raises ValueError for {function}{args}")
    found["errors"] = {
        "meta": _meta("errors", "each call raises ValueError in torch"),
        "calls": _str([[f, a, k] for f, a, k, _ in errors]),
    }
    return found
