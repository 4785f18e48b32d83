"""WSGI entry point for gunicorn from a checkout: `gunicorn wsgi:app` in the checkout, or
`gunicorn --chdir /path/to/kb wsgi:app` from anywhere. An installed wheel has no wsgi.py:
there, `gunicorn 'kb:create_app()'` works from any folder."""

from kb import create_app

app = create_app()
