"""The daemon's HTTP listener (`leadchase daemon --listen`): lead intake and Twilio's webhooks.
Starlette, uvicorn and python-multipart (the `serve` extra) are imported only by the listener's
modules, so the rest of leadchase never needs them."""
