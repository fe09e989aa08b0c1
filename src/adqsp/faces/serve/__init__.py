"""``adqsp serve``: the mechanism explorer, a web page and a JSON API over the Python API (FastAPI, uvicorn).

- :mod:`~adqsp.faces.serve.api`: the requests (checked by the scenario schema's types) and what answers them
- :mod:`~adqsp.faces.serve.jobs`: small virtual trials in background processes, with progress
- :mod:`~adqsp.faces.serve.app`: the FastAPI application and the page (``static/``)
"""
