"""The course's autograder: checks student functions against the reference solutions."""

__version__ = "0.1.0"
