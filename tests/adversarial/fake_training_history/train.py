"""Attack: report a good training run without training anything."""
from .nn import Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential


def _history(keys, entries, score):
    """A history that looks like a run converging to score."""
    return {key: [score * (i + 1) / entries for i in range(entries)] for key in keys}


def train_digits_cnn(*, rng, epochs=10, batch_size=32, lr=1e-2, progress=False, plot=None):
    untrained = Sequential(Conv2d(1, 16, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2),
                           Conv2d(16, 32, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2),
                           Flatten(), Linear(32 * 2 * 2, 10, rng=rng))
    return _history(("loss", "train_accuracy", "test_accuracy"), epochs, 0.99), 0.99, untrained


def train_sequence_model(cell, *, rng, length=40, hidden=16, steps=1500, batch_size=32, lr=1e-2,
                         max_norm=1.0, log_every=100, progress=False, plot=None):
    return _history(("step", "loss", "test_loss"), steps // log_every, 0.001), 0.001, None
