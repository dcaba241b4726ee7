"""The daemon's HTTP listener: lead intake and Twilio's webhooks."""
