"""The live draw-a-digit page of your own model and a small serving API (FastAPI + uvicorn: ``convlens[serve]``).

Example:
    >>> from convlens.serve import create_app, serve   # serve(model) blocks; create_app(...) is the ASGI app
    >>> from convlens.serve import show, stop          # in a notebook: the page in an IFrame, served in a thread
"""
from convlens.serve.app import create_app
from convlens.serve.predictor import BadInput, Predictor, from_model, load_predictor
from convlens.serve.notebook import show, stop, url
from convlens.serve.server import serve

__all__ = ["BadInput", "Predictor", "create_app", "from_model", "load_predictor", "serve", "show", "stop", "url"]
