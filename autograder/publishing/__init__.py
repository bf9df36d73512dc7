"""What the course gives out: stubs and handouts (release), the student, Gradescope and nbgrader
bundles, recorded reference outputs, notebooks and their API, and the pytest plugin."""
