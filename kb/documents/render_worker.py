"""The helper process that renders Markdown: one JSON request per line in, one answer out.

Run by kb.documents.markdown as ``python -m kb.documents.render_worker``; it imports only
the renderer, so it starts fast and a runaway render can be killed without harm.
"""

import json
import sys


def main() -> None:
    from kb.documents.markdown import _render_in_child

    for line in sys.stdin:
        status, result = _render_in_child(json.loads(line)["body"])
        sys.stdout.write(json.dumps({"status": status, "result": result}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
