"""a0_foundations: derivatives and backprop basics."""
