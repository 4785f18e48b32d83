"""The Flask subclass kb runs as: database outages logged as one line, not a traceback."""

from flask import Flask
from sqlalchemy.exc import InterfaceError, OperationalError

from kb.ops.database import one_line


class KbFlask(Flask):
    def log_exception(self, exc_info) -> None:
        """A database that is down or unreachable is an operations problem with one cause:
        one line (with the request id) says it. Every other 500 logs its traceback once."""
        exc = exc_info[1]
        if isinstance(exc, (OperationalError, InterfaceError)):
            from flask import request

            from kb.ops.requestlog import logged_path

            self.logger.error(
                "Database error on %s [%s]: %s", logged_path(), request.method, one_line(exc)
            )
            return
        super().log_exception(exc_info)
