"""Files: what users send and the bot uploads, stored so that getFile and the download URL work.
"""

from __future__ import annotations

from typing import Any

from bot.sandbox.standin.protocol import bad
from bot.sandbox.standin.records import StoredFile


class Files:
    """Mixed into BotApiStandIn."""

    # ---------------------------------------------------------------- files

    def _register_file(
        self,
        content: bytes,
        folder: str,
        suffix: str,
        *,
        size: int | None = None,
        name: str | None = None,
        mime: str | None = None,
    ) -> StoredFile:
        n = next(self._file_counter)
        stored = StoredFile(
            file_id=f"BQACAgIAAxk{n:010d}{folder[:3]}",
            file_unique_id=f"AgAD{n:08d}",
            file_path=f"{folder}/file_{n}{suffix}",
            content=content,
            file_size=len(content) if size is None else size,
            file_name=name,
            mime_type=mime,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    @staticmethod
    def _photo_size_object(f: StoredFile, side: int) -> dict[str, Any]:
        return {
            "file_id": f.file_id,
            "file_unique_id": f.file_unique_id,
            "width": side,
            "height": side * 3 // 4,
            "file_size": f.file_size,
        }

    def _photo_sizes(self, content: bytes, largest: int) -> list[dict[str, Any]]:
        """Thumbnail to full size, as Telegram lists them; all share ``content``."""
        sizes = []
        for side, share in ((90, 0.02), (320, 0.15), (800, 0.5), (1280, 1.0)):
            size = largest if share == 1.0 else max(1, int(largest * share))
            f = self._register_file(content, "photos", ".jpg", size=size, mime="image/jpeg")
            sizes.append(self._photo_size_object(f, side))
        return sizes

    @staticmethod
    def _document_object(f: StoredFile) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "file_id": f.file_id,
            "file_unique_id": f.file_unique_id,
            "file_size": f.file_size,
        }
        if f.file_name:
            doc["file_name"] = f.file_name
        if f.mime_type:
            doc["mime_type"] = f.mime_type
        return doc

    def _get_file(self, p: dict, files: dict) -> dict:
        stored = self._files.get(str(p.get("file_id", "")))
        if stored is None:
            raise bad("wrong file_id or the file is temporarily unavailable")
        if stored.file_size > self.max_file_size:
            raise bad("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }
