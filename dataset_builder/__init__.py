"""Builder for the vietnam-japan-news dataset."""

__version__ = "1.1.0"
