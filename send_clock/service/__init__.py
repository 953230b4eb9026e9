"""The HTTP service (FastAPI). The only module that imports FastAPI."""
