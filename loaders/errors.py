"""The importer's own error type. Everything that goes wrong with a file becomes one of these,
with a message key in i18n/errors.*.toml, so the analyst reads a clear reason in their language
and never a traceback."""

from __future__ import annotations

from i18n import t


class ImportRejected(Exception):
    """The whole file is rejected; nothing is imported."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, lang: str = "id") -> str:
        return t(f"errors.{self.code}", lang, **self.params)

    def __str__(self) -> str:
        return self.message("en")
