"""Training loops for your framework: a CNN on handwritten digits, recurrent cells on a memory task.

Both loops return a history, the final test score and the trained model, print a progress bar to
stderr when asked, and draw on nothing but your own earlier files, nn.py and optim.py.
"""
import sys
from pathlib import Path

import numpy as np

from ..a1_optimizers.descent import cosine_annealing_lr
from ..a5_rnn.rnn import clip_grad_norm
from .nn import GRU, LSTM, RNN, Conv2d, CrossEntropyLoss, Flatten, Linear, MaxPool2d, MSELoss, ReLU, Sequential
from .optim import Adam

DIGITS = Path(__file__).with_name("digits.npz")  # the UCI digits, shipped with the course: digits.md
DIGITS_TEST_EVERY = 5  # every 5th sample of the digits is a test sample: 1437 train, 360 test


def load_digits_split():
    """The 8x8 digits of digits.npz beside this file (no download), split as the handout says.

    Returns a tuple of:
    - X_train (1437, 1, 8, 8) and X_test (360, 1, 8, 8): float64 pixels scaled to [0, 1].
    - y_train (1437,) and y_test (360,): integer labels 0..9.
    Sample i is a test sample when i % 5 == 0.
    """
    with np.load(DIGITS, allow_pickle=False) as digits:
        images, labels = digits["images"], digits["labels"]
    X = (images / 16.0).astype(np.float64)[:, None, :, :]
    y = labels.astype(np.int64)
    test = np.arange(len(y)) % DIGITS_TEST_EVERY == 0
    return X[~test], y[~test], X[test], y[test]


def adding_problem(rng, n, length):
    """The adding problem (Hochreiter and Schmidhuber, 1997): a task that needs memory.

    Each step of a sequence carries two numbers: a value drawn from U(0, 1) and a marker, 1 at
    exactly two steps (one in the first half, one in the second) and 0 elsewhere. The target is
    the sum of the two marked values. Predicting the mean answer, 1, gives a mean squared error
    of 1/6 = 0.167; doing better means remembering the first marked value to the end.

    Returns a tuple of:
    - x: float64 array (length, n, 2), values then markers.
    - y: float64 array (n, 1), the targets.
    """
    values = rng.uniform(0.0, 1.0, size=(length, n))
    markers = np.zeros((length, n))
    columns = np.arange(n)
    markers[rng.integers(0, length // 2, size=n), columns] = 1.0
    markers[rng.integers(length // 2, length, size=n), columns] = 1.0
    return np.stack([values, markers], axis=2), (values * markers).sum(axis=0)[:, None]


def progress_bar(done, total, text="", width=30, stream=None):
    """Redraw a one-line progress bar on stream (stderr by default): `[=====     ] 5/10 text`."""
    stream = stream or sys.stderr
    filled = int(width * done / total) if total else width
    stream.write(f"\r[{'=' * filled}{' ' * (width - filled)}] {done}/{total} {text}")
    if done >= total:
        stream.write("\n")
    stream.flush()


def accuracy(model, x, y, batch_axis=0, batch_size=512):
    """Fraction of samples whose largest logit is the label, in eval mode, batch by batch."""
    # BEGIN SOLUTION
    model.eval()
    correct = 0
    for start in range(0, len(y), batch_size):
        index = slice(start, start + batch_size)
        batch = x[index] if batch_axis == 0 else x[:, index]
        correct += int((model(batch).argmax(axis=1) == y[index]).sum())
    model.train()
    return correct / len(y)
    # END SOLUTION


def train_step(model, loss_fn, optimizer, x, y):
    """One step of gradient descent on a batch: zero_grad, forward, loss, backward, step.

    Returns the batch loss (float).
    """
    # BEGIN SOLUTION
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    model.backward(loss_fn.backward())
    optimizer.step()
    return float(loss)
    # END SOLUTION


def digits_cnn(*, rng):
    """The digits model: conv 3x3 (16) - ReLU - maxpool 2 - conv 3x3 (32) - ReLU - maxpool 2 -
    flatten - linear (128 -> 10), all convolutions padded by 1."""
    return Sequential(Conv2d(1, 16, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2),
                      Conv2d(16, 32, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2),
                      Flatten(), Linear(32 * 2 * 2, 10, rng=rng))


def train_digits_cnn(*, rng, epochs=10, batch_size=32, lr=1e-2, progress=False, plot=None):
    """Train digits_cnn on load_digits_split() with Adam and mini-batches drawn by rng.

    The learning rate of epoch e is a1's cosine_annealing_lr(lr, e, epochs): large steps first,
    small ones to settle at the end.

    Inputs:
    - rng: numpy.random.Generator for the initial weights and the batch order.
    - epochs, batch_size, lr: the training budget and Adam's learning rate.
    - progress: draw a progress bar on stderr.
    - plot: a file name; when given, save the loss and accuracy curves there as a PNG.

    Returns the tuple (history, test_accuracy, model):
    - history: dict of lists, one entry per epoch: "loss" (mean training loss of the epoch),
      "train_accuracy", "test_accuracy".
    - test_accuracy: float, the accuracy on the test set after the last epoch.
    - model: the trained digits_cnn itself, images (N, 1, 8, 8) -> logits (N, 10); the grader
      measures its accuracy on its own.
    """
    # BEGIN SOLUTION
    X_train, y_train, X_test, y_test = load_digits_split()
    model, loss_fn = digits_cnn(rng=rng), CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=lr)
    history = {"loss": [], "train_accuracy": [], "test_accuracy": []}
    for epoch in range(epochs):
        optimizer.hyperparameters["lr"] = cosine_annealing_lr(lr, epoch, epochs)
        order = rng.permutation(len(y_train))
        losses = [train_step(model, loss_fn, optimizer, X_train[batch], y_train[batch])
                  for batch in np.array_split(order, max(1, len(order) // batch_size))]
        history["loss"].append(float(np.mean(losses)))
        history["train_accuracy"].append(accuracy(model, X_train, y_train))
        history["test_accuracy"].append(accuracy(model, X_test, y_test))
        if progress:
            progress_bar(epoch + 1, epochs, f"loss {history['loss'][-1]:.4f} "
                                            f"test accuracy {history['test_accuracy'][-1]:.3f}")
    if plot:
        plot_history(history, plot, title="digits CNN")
    return history, history["test_accuracy"][-1], model
    # END SOLUTION


CELLS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


def train_sequence_model(cell, *, rng, length=40, hidden=16, steps=1500, batch_size=32, lr=1e-2,
                         max_norm=1.0, log_every=100, progress=False, plot=None):
    """Train a recurrent layer (cell: "rnn", "lstm" or "gru") and a linear head on adding_problem.

    The model is CELLS[cell](2, hidden) followed by Linear(hidden, 1), trained with MSELoss and
    Adam on a fresh batch from rng at every step; the gradients are clipped to a global norm of
    max_norm (a5's clip_grad_norm) before each step. The test set is 1000 sequences drawn from
    rng before training.

    Returns the tuple (history, test_loss, model):
    - history: dict of lists, one entry per `log_every` steps: "step", "loss" (mean training
      loss since the last entry), "test_loss".
    - test_loss: float, the test mean squared error after the last step.
    - model: the trained Sequential(CELLS[cell](2, hidden), Linear(hidden, 1)) itself; it maps
      sequences (T, N, 2) to predictions (N, 1), and the grader measures its loss on its own.
    """
    # BEGIN SOLUTION
    x_test, y_test = adding_problem(rng, 1000, length)
    model = Sequential(CELLS[cell](2, hidden, rng=rng), Linear(hidden, 1, rng=rng))
    loss_fn = MSELoss()
    params = model.parameters()
    optimizer = Adam(params, lr=lr)
    history = {"step": [], "loss": [], "test_loss": []}
    losses = []
    for step in range(1, steps + 1):
        x, y = adding_problem(rng, batch_size, length)
        optimizer.zero_grad()
        losses.append(float(loss_fn(model(x), y)))
        model.backward(loss_fn.backward())
        clipped, _ = clip_grad_norm([p.grad for p in params], max_norm)
        for param, grad in zip(params, clipped):
            param.grad = grad
        optimizer.step()
        if step % log_every == 0 or step == steps:
            model.eval()
            history["step"].append(step)
            history["loss"].append(float(np.mean(losses)))
            history["test_loss"].append(float(loss_fn(model(x_test), y_test)))
            model.train()
            losses = []
            if progress:
                progress_bar(step, steps, f"{cell} loss {history['loss'][-1]:.4f} "
                                          f"test loss {history['test_loss'][-1]:.4f}")
    if plot:
        plot_history(history, plot, title=f"{cell} on the adding problem (length {length})", x="step")
    return history, history["test_loss"][-1], model
    # END SOLUTION


def plot_history(history, path, *, title, x=None):
    """Save the loss and accuracy curves of a history as a PNG (needs matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt

    steps = history[x] if x else range(1, len(history["loss"]) + 1)
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    left.plot(steps, history["loss"])
    left.set(title=f"{title}: training loss", xlabel=x or "epoch", ylabel="loss")
    for key in ("train_accuracy", "test_accuracy", "test_loss"):
        if key in history:
            right.plot(steps, history[key], label=key.replace("_", " "))
    right.set(title="test loss" if "test_loss" in history else "accuracy", xlabel=x or "epoch")
    right.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
