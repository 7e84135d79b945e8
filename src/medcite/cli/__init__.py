"""The command line: one module per command group, sharing ``common``."""
