"""The storage layer: the only package that opens database sessions or writes SQL."""
