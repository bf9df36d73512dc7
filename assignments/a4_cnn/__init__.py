"""a4_cnn: convolution and pooling."""
