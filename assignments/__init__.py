"""Your solutions: fill in every function that raises NotImplementedError."""
