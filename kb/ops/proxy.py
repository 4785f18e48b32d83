"""KB_PROXY_COUNT: how many reverse proxies stand in front of kb and may be believed.

With n proxies, Werkzeug's ProxyFix takes the client address, scheme and host from the
n-th last X-Forwarded-* value, so the login throttle, the audit log and external URLs see the
real client and https. With 0 (the default) these headers are ignored: a client could forge them.
"""

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from kb.config import ConfigError


def proxy_count(app: Flask) -> int:
    raw = app.config.get("KB_PROXY_COUNT", os.environ.get("KB_PROXY_COUNT", "0"))
    try:
        count = int(str(raw).strip() or "0")
    except ValueError:
        count = -1
    if not 0 <= count <= 10:
        raise ConfigError(f"KB_PROXY_COUNT must be a number of proxies from 0 to 10, not {raw!r}")
    return count


def init_app(app: Flask) -> None:
    count = proxy_count(app)
    app.config["KB_PROXY_COUNT"] = count
    if count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )
