"""Rate-drop alerts: market rates by day, who a drop concerns, and the payment they would save.

payments.py holds the one amortisation formula; market.py reads what `rates set` is given;
alerts.py decides who gets a rate-drop campaign and plans it; service.py is what the commands
and the daemon call.
"""
