"""hemifacial: evidence-based work-up of hemifacial spasm.

Decision support only: every result shows its uncertainty and the evidence behind it.
"""

__version__ = "0.1.0"
