"""The daemon's HTTP listener (`leadchase daemon --listen`): lead intake, and the routes other
modules add. Starlette and uvicorn (the `serve` extra) are imported only by app.py and serve.py,
so the rest of leadchase never needs them."""
