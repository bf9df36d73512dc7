"""Grading a class: batches of submissions in parallel workers, and the gradebook they fill."""
