"""Content on disk: Markdown files with YAML front matter, imported and exported idempotently."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kb.auth.models import SYSTEM
from kb.db import unit_of_work
from kb.documents import bulk, markdown, service
from kb.documents.models import MAX_BODY, Document, Revision, Status
from kb.documents.policy import default_min_edit_role
from kb.documents.schemas import DocumentCreate, DocumentUpdate, parse
from kb.errors import Invalid
from kb.extensions import db

FRONT_MATTER_KEYS = {
    "title",
    "slug",
    "kind",
    "audience",
    "channel",
    "category",
    "tags",
    "min_edit_role",
    "language",
    "status",
}
REQUIRED_KEYS = ("title", "slug", "kind")
# Front matter plus a body at its limit, even if every character takes four bytes in UTF-8.
MAX_FILE_BYTES = 4 * MAX_BODY + 64 * 1024
# New documents are written this many at a time (kb.documents.bulk).
BATCH = 500
# libyaml's parser when PyYAML has it (same documents and errors, ten times faster).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ContentError(Exception):
    """A content file is unusable; the message names the file and, where known, the line."""


@dataclass
class ContentFile:
    path: Path
    meta: dict[str, Any]
    body: str
    meta_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _key_lines(text: str) -> dict[str, int]:
    """Line numbers (1-based, in the file) of top-level front matter keys."""
    lines = {}
    for number, line in enumerate(text.splitlines(), start=2):
        if line and not line[0].isspace() and ":" in line:
            lines[line.split(":", 1)[0].strip()] = number
    return lines


def parse_file(path: Path) -> ContentFile:
    """Split and check front matter. Raises ContentError with file and line."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ContentError(f"{path}: file too large ({size} bytes; at most {MAX_FILE_BYTES})")
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ContentError(
            f"{path}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        ) from exc
    text = text.replace("\r\n", "\n")
    if not text.startswith("---\n"):
        raise ContentError(f"{path}:1: the file must start with '---' and YAML front matter")
    end = text.find("\n---", 4)
    if end == -1:
        raise ContentError(f"{path}:1: the front matter is not closed with '---'")
    raw = text[4:end]
    body = text[end + 4 :].split("\n", 1)[1] if "\n" in text[end + 4 :] else ""
    try:
        meta = yaml.load(raw, Loader=SAFE_LOADER) or {}  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        # Where the broken construct starts (an unclosed '['), else where parsing stopped.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        raise ContentError(f"{path}:{line}: invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(meta, dict):
        raise ContentError(f"{path}:2: the front matter must be a mapping of fields")
    lines = _key_lines(raw)
    lines["body"] = raw.count("\n") + 4  # the first line after the closing '---'
    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            raise ContentError(f"{path}:{lines.get(key, 2)}: unknown field '{key}'")
    for key, value in meta.items():
        if key != "tags" and value is not None and not isinstance(value, str):
            raise ContentError(
                f"{path}:{lines.get(key, 2)}: field '{key}' must be text (put it in quotes)"
            )
    for key in REQUIRED_KEYS:
        if not meta.get(key):
            raise ContentError(f"{path}:2: missing field '{key}'")
    if "tags" in meta and not isinstance(meta["tags"], list):
        raise ContentError(f"{path}:{lines.get('tags', 2)}: field 'tags' must be a list")
    if meta.get("status", Status.PUBLISHED) not in tuple(Status):
        raise ContentError(
            f"{path}:{lines.get('status', 2)}: field 'status' must be draft, published or archived"
        )
    return ContentFile(path=path, meta=meta, body=body.lstrip("\n"), meta_lines=lines)


def find_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise ContentError(f"{directory}: no such directory")
    return sorted(p for p in directory.rglob("*.md") if p.name.lower() != "readme.md")


def _invalid_to_content_error(cf: ContentFile, exc: Invalid) -> ContentError:
    name = next(iter(exc.errors))
    return ContentError(
        f"{cf.path}:{cf.meta_lines.get(name, 2)}: field '{name}': {exc.errors[name]}"
    )


def import_files(
    files: Iterable[ContentFile], progress: Callable[[ContentFile], None] | None = None
) -> ImportResult:
    """Create or update one document per file, all in one transaction.

    An unchanged file makes no revision; a changed one makes exactly one. Raises ContentError
    (with file and line) and leaves the database as it was.
    """
    files = list(files)
    seen: dict[str, Path] = {}
    for cf in files:
        slug = cf.meta["slug"]
        if slug in seen:
            raise ContentError(
                f"{cf.path}:{cf.meta_lines.get('slug', 2)}: slug '{slug}' also used by {seen[slug]}"
            )
        seen[slug] = cf.path
    result = ImportResult()
    existing = _current_bodies(list(seen))
    # Only the bodies an import will store are rendered: new documents and changed bodies.
    bodies = _bodies_to_render(files, existing)
    timeout = current_app.config["KB_RENDER_TIMEOUT"]
    batch: list[tuple[ContentFile, Document, bool]] = []

    def add_batch() -> None:
        try:
            bulk.add_new(SYSTEM, [(doc, published) for _cf, doc, published in batch])
        except IntegrityError:
            raise ContentError(
                f"{batch[0][0].path} … {batch[-1][0].path}: one of these slugs was taken by "
                "someone else during the import; nothing was imported, run it again"
            ) from None
        for cf, doc, _published in batch:
            result.created.append(doc.slug)
            if progress:
                progress(cf)
        batch.clear()

    with markdown.rendering_ahead(bodies, timeout), unit_of_work():
        for cf in files:
            slug, status = cf.meta["slug"], cf.meta.get("status", "published")
            try:
                if slug in existing or status == "archived":
                    _import_one(cf, result, slug in existing)
                else:
                    batch.append((cf, _new_document(cf), status == "published"))
            except Invalid as exc:
                raise _invalid_to_content_error(cf, exc) from exc
            if batch and batch[-1][0] is cf:
                if len(batch) >= BATCH:
                    add_batch()
            elif progress:
                progress(cf)
        if batch:
            add_batch()
    return result


def _new_document(cf: ContentFile) -> Document:
    """A new file's document, checked, for bulk.add_new: what _import_one creates."""
    meta = dict(cf.meta)
    meta.pop("status", None)
    fields = {**meta, "body": cf.body, "message": f"Import: {cf.path.name}"}
    return service.new_document(SYSTEM, parse(DocumentCreate, fields))


def _stored_body(body: str) -> str:
    """A body as the document schemas store it (kb.documents.schemas.Body)."""
    return body.replace("\r\n", "\n").rstrip()


def _bodies_to_render(files: list[ContentFile], existing: dict[str, str]) -> Iterator[str]:
    for cf in files:
        body = _stored_body(cf.body)
        if existing.get(cf.meta["slug"]) != body:
            yield body


def _current_bodies(slugs: list[str], chunk: int = 500) -> dict[str, str]:
    """Slug -> current body of the documents that already exist, in a few queries."""
    bodies: dict[str, str] = {}
    for start in range(0, len(slugs), chunk):
        query = (
            select(Document.slug, Revision.body)
            .join(
                Revision,
                (Revision.document_id == Document.id)
                & (Revision.number == Document.current_number),
            )
            .where(Document.slug.in_(slugs[start : start + chunk]))
        )
        bodies.update((slug, body) for slug, body in db.session.execute(query))
    return bodies


def _import_one(cf: ContentFile, result: ImportResult, exists: bool) -> None:
    meta = dict(cf.meta)
    status = meta.pop("status", "published")
    fields = {**meta, "body": cf.body, "message": f"Import: {cf.path.name}"}
    doc = None
    if exists:
        doc = db.session.scalar(select(Document).where(Document.slug == meta["slug"]))
    if doc is None:
        doc = service.create_document(SYSTEM, parse(DocumentCreate, fields))
        result.created.append(doc.slug)
    else:
        fields.pop("slug")
        if fields.pop("kind") != doc.kind:
            raise Invalid(
                {"kind": f"the document '{doc.slug}' is a {doc.kind}; a kind never changes"}
            )
        changes = parse(DocumentUpdate, fields)
        changed = service.save_revision(doc, SYSTEM, doc.current_number, changes)
        (result.updated if changed else result.unchanged).append(doc.slug)
        if (
            not changed
            and doc.status == status
            and (status != "published" or doc.published_number == doc.current_number)
        ):
            return
    if status == "published":
        service.publish(doc, SYSTEM)
    elif status == "archived":
        service.archive(doc, SYSTEM)
    elif doc.status != "draft":
        service.unpublish(doc, SYSTEM)


def export_path(doc: Document) -> Path:
    if doc.kind == "script":
        return Path("scripts") / (doc.channel or "other") / f"{doc.slug}.md"
    if doc.audience == "internal":
        return Path("articles") / "intern" / f"{doc.slug}.md"
    return Path("articles") / f"{doc.slug}.md"


def render_file(doc: Document) -> str:
    """Front matter plus body: the published revision if there is one, else the current."""
    revision = doc.published if doc.status == "published" and doc.published else doc.current
    meta: dict[str, Any] = {"title": revision.title, "slug": doc.slug, "kind": doc.kind}
    if doc.kind != "script":
        meta["audience"] = revision.audience
    if revision.channel:
        meta["channel"] = revision.channel
    meta["category"] = revision.category
    meta["tags"] = list(revision.tags or [])
    if doc.min_edit_role != default_min_edit_role(revision.category, revision.channel):
        meta["min_edit_role"] = doc.min_edit_role
    if revision.language != "nl":
        meta["language"] = revision.language
    if doc.status != "published":
        meta["status"] = doc.status
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None)
    body = (
        revision.body if revision.body.endswith("\n") or not revision.body else revision.body + "\n"
    )
    return f"---\n{front}---\n{body}"


def export_documents(
    documents: Iterable[Document],
    directory: Path,
    progress: Callable[[Document], None] | None = None,
) -> int:
    """Write each document to its place under ``directory``; returns the number written."""
    count = 0
    for doc in documents:
        target = directory / export_path(doc)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_file(doc), encoding="utf-8")
        count += 1
        if progress:
            progress(doc)
    return count
