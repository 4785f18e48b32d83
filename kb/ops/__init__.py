"""Production operations: health checks, request ids and logs, proxies, backups, safe retries."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire the operational pieces into the app (no I/O: the factory stays pure)."""
    from kb.ops import health, proxy, requestlog

    requestlog.init_app(app)
    proxy.init_app(app)
    app.register_blueprint(health.bp)
