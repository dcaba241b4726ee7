"""Compliance rules: contact windows by state and zone, attempt caps, opt-outs, do-not-call."""
