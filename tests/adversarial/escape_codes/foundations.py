"""Attack: error messages, warnings and output full of terminal escape sequences, written to
redraw the grader's table as a perfect score."""
import warnings

import numpy as np

FAKE_TABLE = ("\x1b[2J\x1b[H\x1b]0;all tests passed\x07"  # clear the screen, home, retitle the window
              "assignment      task          points  status\r\n"
              "a0_foundations  relu_forward  1/1     ok\r\n"
              "total 1/1\x1b[8m\u202e\x9b2J\b\b")  # hide what follows, bidi override, C1 CSI, backspaces


def relu_forward(x):
    raise ValueError(FAKE_TABLE)


def sigmoid_forward(x):
    warnings.warn(FAKE_TABLE)
    out = 0.5 * (1 + np.tanh(0.5 * np.asarray(x)))
    return out, out.copy()


def tanh_forward(x):
    print(FAKE_TABLE)
    out = np.tanh(x)
    return out, out
