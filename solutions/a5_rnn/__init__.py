"""a5_rnn: recurrent cells and backpropagation through time."""
