"""gunicorn entry point: ``gunicorn wsgi:app``."""
from council import create_app

app = create_app()
