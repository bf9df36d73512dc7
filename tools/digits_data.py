"""Write solutions/a6_framework/digits.npz, the a6 digits, from scikit-learn's bundled copy.

    python tools/digits_data.py

The 1,797 8x8 images of the UCI "Optical Recognition of Handwritten Digits" test set, as
scikit-learn ships them (sklearn.datasets.load_digits), stored as uint8 pixel counts 0..16 and
uint8 labels 0..9 in a compressed .npz; where they come from and their licence:
solutions/a6_framework/digits.md. Run once; the course ships the file, so that neither students
nor the grader need scikit-learn.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

TARGET = Path(__file__).resolve().parents[1] / "solutions" / "a6_framework" / "digits.npz"


def main() -> None:
    """Write TARGET, after checking that the conversion to uint8 loses nothing."""
    digits = load_digits()
    images, labels = digits.images.astype(np.uint8), digits.target.astype(np.uint8)
    assert np.array_equal(images, digits.images) and np.array_equal(labels, digits.target)
    np.savez_compressed(TARGET, images=images, labels=labels)
    print(f"wrote {TARGET}: {len(labels)} images, {TARGET.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
