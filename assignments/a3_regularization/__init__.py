"""a3_regularization: overfitting, underfitting and what fights them."""
