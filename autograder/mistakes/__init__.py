"""The mistake library's content: one module per assignment, each registering realistic wrong
versions of its tasks with autograder.grading.mistake_registry.mistake."""
