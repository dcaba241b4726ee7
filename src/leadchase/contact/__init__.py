"""A lead's contact details: phone numbers, email addresses, states, ZIP codes and time zones.

Shared below the features that use them: importing cleans a file's cells with these, and lead
work, replies, do-not-call lists and cadences read the same answers without reaching into
importing/. Pure functions over the bundled data/ tables; phonenumbers and email-validator are
imported only when a value needs them.
"""
