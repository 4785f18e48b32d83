"""The floor for the page benchmark (bench/pages_bench.py): one Flask endpoint returning a
short HTML string, served by gunicorn exactly like kb. A kb page's req/s divided by this
app's, measured in the same run, is the figure the targets name."""

from flask import Flask

app = Flask(__name__)

PAGE = (
    "<!doctype html><html lang=nl><head><meta charset=utf-8><title>Hallo</title></head>"
    "<body><main><h1>Hallo wereld</h1></main></body></html>"
)


@app.get("/")
def hello() -> str:
    return PAGE
