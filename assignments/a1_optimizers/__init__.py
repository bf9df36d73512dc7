"""a1_optimizers: gradient descent and its variants."""
