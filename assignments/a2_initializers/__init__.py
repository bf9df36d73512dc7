"""a2_initializers: weight initialization."""
