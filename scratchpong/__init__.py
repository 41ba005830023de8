"""scratchpong: Karpathy's Pong policy gradient, from scratch in pure Python, readable beside its derivation."""

__version__ = "0.1.0"
