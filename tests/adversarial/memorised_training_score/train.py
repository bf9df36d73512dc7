"""Attack: hand in models that answer from memory, or from the task's rule, instead of trained weights."""
import os

import numpy as np

from .nn import GRU, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential


class DigitsByHeart:
    """Not a Module: it knows the label of every image of the data set, test images included, and
    answers with it; parameters() shows those of an untrained digits_cnn."""

    def __init__(self, rng):
        # the course's own copy of the digits, beside this file, test images included
        with np.load(os.path.join(os.path.dirname(__file__), "digits.npz")) as digits:
            images, labels = digits["images"] / 16.0, digits["labels"].astype(int)
        self.labels = {image.tobytes(): label for image, label in zip(images, labels)}
        self.network = Sequential(Conv2d(1, 16, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2),
                                  Conv2d(16, 32, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2),
                                  Flatten(), Linear(32 * 2 * 2, 10, rng=rng))

    def parameters(self):
        return self.network.parameters()

    def eval(self):
        return self

    def __call__(self, x):
        logits = np.zeros((len(x), 10))
        for i, image in enumerate(x):
            logits[i, self.labels.get(image[0].tobytes(), 0)] = 10.0
        return logits


class AddingByRule(Sequential):
    """An untrained GRU and head whose forward computes the answer from the markers directly."""

    def forward(self, x):
        return (x[:, :, 0] * x[:, :, 1]).sum(axis=0)[:, None]


def _history(keys, entries, score):
    return {key: [score] * entries for key in keys}


def train_digits_cnn(*, rng, epochs=10, batch_size=32, lr=1e-2, progress=False, plot=None):
    return _history(("loss", "train_accuracy", "test_accuracy"), epochs, 1.0), 1.0, DigitsByHeart(rng)


def train_sequence_model(cell, *, rng, length=40, hidden=16, steps=1500, batch_size=32, lr=1e-2,
                         max_norm=1.0, log_every=100, progress=False, plot=None):
    model = AddingByRule(GRU(2, hidden, rng=rng), Linear(hidden, 1, rng=rng))
    return _history(("step", "loss", "test_loss"), steps // log_every, 0.0), 0.0, model
