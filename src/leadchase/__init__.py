"""leadchase: the follow-up engine for loan officers who work internet leads."""

__version__ = "0.1.0"
