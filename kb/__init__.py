"""kb: a knowledge base and script wiki for customer-service teams, Dutch first."""

from collections.abc import Mapping
from pathlib import Path

from flask import Flask

PACKAGE = Path(__file__).resolve().parent
# The checkout (content/, templates/, static/, migrations/ beside the kb package); for an
# installed wheel, the folder that holds the kb package.
ROOT = PACKAGE.parent

# A built wheel ships templates/, static/ and migrations/ inside the kb package (setup.py);
# a checkout keeps them beside it.
SHIPPED = PACKAGE if (PACKAGE / "migrations" / "alembic.ini").is_file() else ROOT
TEMPLATES = SHIPPED / "templates"
STATIC = SHIPPED / "static"
MIGRATIONS = SHIPPED / "migrations"


def create_app(overrides: Mapping | None = None) -> Flask:
    """Build the application. Pure: no database writes, migrations or prompts."""
    from kb import cli, config, errors, extensions, ops, static_files, web, write_behind
    from kb.ops.app import KbFlask
    from kb.ops.database import require_database_url

    require_database_url(overrides)
    app = KbFlask(
        __name__,
        instance_relative_config=True,
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
    )
    config.configure(app, overrides)
    # SQL parameters (e-mail addresses, token hashes) stay out of error messages and logs.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "hide_parameters": True,
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
    }
    web.register_guards(app)
    extensions.init_app(app)
    write_behind.init_app(app)
    ops.init_app(app)
    web.register_blueprints(app)
    errors.register(app)
    cli.register(app)
    web.register_filters(app)
    static_files.init_app(app)
    return app
