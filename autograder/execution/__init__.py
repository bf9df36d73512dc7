"""Reaching student code: the Submission interface and its errors, the in-process submission,
the worker client and the sandbox it starts."""
