"""Photos and documents given for a ticket's `file` fields: checked on their content, stripped
of EXIF, kept by content hash (engine.store.files), and found again for a reader.

An upload is checked whole before anything is written: the field takes files, the count, each
file's size, and its kind decided from its bytes (magic numbers, then Pillow for images), never
from its name or declared Content-Type. A refusal is `FileRefused` naming the field and the
limit. What an event's data then holds for the field is the reference this module answers
(`sha256`, `name`, `type`, `size`), so the log's hash chain covers the file's content.
"""

from __future__ import annotations

import io
import secrets
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from engine.core.fields import MAX_FILE_NAME, file_refs
from engine.errors import FileRefused, InvalidData, NotFound
from engine.spec.model import FieldDef, Spec
from engine.store.files import FileStore

# Media type -> (leading bytes, Pillow's format name or None for a document).
_MAGIC: dict[str, tuple[bytes, str | None]] = {
    "image/jpeg": (b"\xff\xd8\xff", "JPEG"),
    "image/png": (b"\x89PNG\r\n\x1a\n", "PNG"),
    "application/pdf": (b"%PDF-", None),
}


# A thumbnail's longest side, in pixels (the ticket page shows them smaller still).
THUMB_PIXELS = 240

# The most pixels an image may have (a 50-megapixel phone photo has 8160 x 6120): a small file
# of many pixels (a "decompression bomb") would take gigabytes to turn upright or re-encode.
MAX_PIXELS = 64_000_000


@dataclass(frozen=True)
class Upload:
    name: str  # as the sender named it: kept for people, never used to decide anything
    content: bytes


def sniff(content: bytes) -> str | None:
    """The media type the bytes are (JPEG, PNG, WebP, PDF), or None."""
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        found: str | None = "image/webp"
    else:
        found = next((t for t, (magic, _) in _MAGIC.items() if content.startswith(magic)), None)
    if found is None or found == "application/pdf":
        return found
    try:  # an image must also open as one: a JPEG header on other bytes is not a photo
        with _opened(content) as img:
            img.verify()
            ok = img.format == (_MAGIC[found][1] if found in _MAGIC else "WEBP")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return found if ok else None


def pixels(content: bytes) -> int:
    """An image's width times height, read from its header (no pixel is decoded)."""
    try:
        with _opened(content) as img:
            return img.width * img.height
    except Image.DecompressionBombError:  # beyond twice Pillow's own limit
        return 2 * (Image.MAX_IMAGE_PIXELS or MAX_PIXELS) + 1


def _opened(content: bytes) -> Image.Image:
    """The image, opened lazily; its size is checked against MAX_PIXELS by `pixels`, so
    Pillow's warning for a large one is not needed (and would be an error under pytest)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(io.BytesIO(content))


def without_exif(content: bytes, media_type: str) -> bytes:
    """The image with its EXIF (GPS included) and XMP removed, turned upright first as its
    EXIF said; bytes with no such metadata are returned as they are."""
    with Image.open(io.BytesIO(content)) as img:
        info = img.info
        if not img.getexif() and "xmp" not in info and "XML:com.adobe.xmp" not in info:
            return content
        upright = ImageOps.exif_transpose(img)
        fmt = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}[media_type]
        options: dict[str, Any] = {}
        if info.get("icc_profile"):
            options["icc_profile"] = info["icc_profile"]
        if fmt == "JPEG":
            options["quality"] = "keep" if upright is img else 90
        if fmt == "WEBP":
            options["lossless"] = bool(info.get("lossless"))
            options["quality"] = 90
        out = io.BytesIO()
        upright.save(out, format=fmt, **options)
        return out.getvalue()


class Attachments:
    """The data folder's files, as the API uploads and serves them."""

    def __init__(self, root: Path) -> None:
        self.store = FileStore(root)
        self.thumbs = root / "thumbs"  # made on first use, by content hash; removable any time

    def thumbnail(self, sha: str, content: bytes) -> tuple[bytes, str]:
        """A small picture of the stored image `sha` (its bytes: `content`), at most
        THUMB_PIXELS on its longest side: PNG when it has transparency, JPEG otherwise; with
        its media type. Made once, then read from the thumbs folder. NotFound for a file
        that is not an image (a PDF is shown by its name)."""
        kind = sniff(content)
        if kind is None or not kind.startswith("image/"):
            raise NotFound(f"file {sha[:12]}... is not an image", file=sha)
        for ext, media in (("jpg", "image/jpeg"), ("png", "image/png")):
            cached = self.thumbs / f"{sha}-{THUMB_PIXELS}.{ext}"
            if cached.is_file():
                return cached.read_bytes(), media
        with _opened(content) as img:
            small = ImageOps.exif_transpose(img)
            small.thumbnail((THUMB_PIXELS, THUMB_PIXELS))
            alpha = small.mode in ("RGBA", "LA", "PA") or "transparency" in small.info
            out = io.BytesIO()
            if alpha:
                small.save(out, format="PNG")
            else:
                small.convert("RGB").save(out, format="JPEG", quality=85)
        ext, media = ("png", "image/png") if alpha else ("jpg", "image/jpeg")
        self.thumbs.mkdir(parents=True, exist_ok=True)
        target = self.thumbs / f"{sha}-{THUMB_PIXELS}.{ext}"
        spare = target.with_name(f"{target.name}.{secrets.token_hex(4)}.part")
        spare.write_bytes(out.getvalue())
        spare.replace(target)  # whole or not at all, when two requests make it at once
        return out.getvalue(), media

    def accept(self, spec: Spec, field_id: str, uploads: Sequence[Upload]) -> list[dict[str, Any]]:
        """Check every upload against the field, then store them; their references."""
        fdef = file_field(spec, field_id)
        if not uploads:
            raise FileRefused(
                f"{fdef.label}: no file given", errors={field_id: ["give at least one file"]}
            )
        if len(uploads) > fdef.max_files:
            raise FileRefused(
                f"{fdef.label}: at most {fdef.max_files} file(s), {len(uploads)} given",
                errors={field_id: [f"at most {fdef.max_files} file(s)"]},
                limit={"max_files": fdef.max_files},
            )
        kinds = [_checked(fdef, up) for up in uploads]
        refs = []
        for up, kind in zip(uploads, kinds, strict=True):
            content = up.content
            if kind.startswith("image/") and not fdef.keep_exif:
                content = without_exif(content, kind)
            digest, _new = self.store.put(content)
            name = up.name.replace("\\", "/").rsplit("/", 1)[-1][:MAX_FILE_NAME] or "berkas"
            refs.append({"sha256": digest, "name": name, "type": kind, "size": len(content)})
        return refs

    def check_refs(self, values: Mapping[str, Any], spec: Spec | None = None) -> None:
        """Every file reference in `values` (a ticket's fields, an event's data) names a stored
        file, with its type and size; `spec` gives the fields' labels for the message."""
        errors: dict[str, str] = {}
        for key, value in values.items():
            if any(not self._matches(ref) for ref in file_refs(value)):
                fdef = _field(spec, key) if spec is not None else None
                errors[key] = (
                    f"{fdef.label if fdef else key}: no stored file of this sha256, type and "
                    "size; upload it first (POST /v1/tickets/{id}/files)"
                )
        if errors:
            raise InvalidData(
                "invalid data: " + "; ".join(f"{k}: {v}" for k, v in errors.items()),
                errors=errors,
            )

    def _matches(self, ref: Mapping[str, Any]) -> bool:
        sha = str(ref["sha256"])
        if not self.store.has(sha):  # (a malformed reference is the core's to refuse)
            return False
        content = self.store.read(sha)
        return len(content) == ref.get("size") and sniff(content) == ref.get("type")

    def find(
        self, spec: Spec, entries: Iterable[Mapping[str, Any]], fields: Mapping[str, Any], sha: str
    ) -> tuple[FieldDef, dict[str, Any], bytes]:
        """The field that holds the file `sha` on this ticket (now, or in one of its log
        entries), its reference and its bytes; NotFound when the ticket never held it."""
        for values in (fields, *(e.get("data") or {} for e in entries)):
            for key, value in values.items():
                fdef = _field(spec, key)
                if fdef is None or fdef.type != "file":
                    continue
                for ref in file_refs(value):
                    if ref["sha256"] == sha and self.store.has(sha):
                        return fdef, dict(ref), self.store.read(sha)
        raise NotFound(f"the ticket holds no file {sha[:12]}...", file=sha)


def _field(spec: Spec, key: str) -> FieldDef | None:
    return next((f for f in spec.fields if f.id == key), None)


def file_field(spec: Spec, field_id: str) -> FieldDef:
    """The SOP's `file` field `field_id`; InvalidData when it has none of that id."""
    fdef = _field(spec, field_id)
    if fdef is None or fdef.type != "file":
        accepted = ", ".join(f.id for f in spec.fields if f.type == "file") or "none"
        raise InvalidData(
            f"{field_id!r} is not a file field of this ticket's SOP; file fields: {accepted}",
            errors={"field": [f"not a file field; file fields: {accepted}"]},
        )
    return fdef


def _checked(fdef: FieldDef, up: Upload) -> str:
    """The upload's media type, when the field takes it and its size; else FileRefused."""
    if len(up.content) > fdef.max_bytes:
        raise FileRefused(
            f"{fdef.label}: {up.name!r} is larger than {fdef.max_size_mb} MB, the most a "
            "file of this field may have",
            errors={fdef.id: [f"at most {fdef.max_size_mb} MB per file"]},
            limit={"max_size_mb": fdef.max_size_mb},
        )
    kind = sniff(up.content)
    if kind is not None and kind.startswith("image/") and pixels(up.content) > MAX_PIXELS:
        raise FileRefused(
            f"{fdef.label}: {up.name!r} has more than {MAX_PIXELS // 1_000_000} megapixels",
            errors={fdef.id: [f"at most {MAX_PIXELS // 1_000_000} megapixels per image"]},
            limit={"max_pixels": MAX_PIXELS},
        )
    if kind is None or kind not in fdef.media_types:
        accepted = ", ".join(fdef.accept)
        what = f"is {kind}" if kind else "is none of JPEG, PNG, WebP, PDF"
        raise FileRefused(
            f"{fdef.label}: {up.name!r} {what} (by its content); the field accepts {accepted}",
            errors={fdef.id: [f"accepts {accepted} (decided by the content, not the name)"]},
            limit={"accept": list(fdef.accept)},
        )
    return kind
