"""What runs inside the worker process: plain data, probes, the wire format, the executor and
the worker's main program. This package imports only the standard library, numpy and itself
(the sandbox copies it alone into the worker), and holds no reference code."""
