"""a6_framework: a small deep learning framework of your own."""
