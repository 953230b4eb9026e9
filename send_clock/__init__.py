"""send-clock: a statutory deadline engine for SEN casework in England and Jersey."""

__version__ = "0.1.0"
