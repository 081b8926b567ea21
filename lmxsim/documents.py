"""The project documents (``docs/*.md``) that ship with the package: ``lmxsim docs NAME``.

The model description (ODD), the parameter table, the calibration against the literature
and the findings are what a user needs to read and cite the model, so a wheel installs
them as ``lmxsim/docs/`` (pyproject.toml maps the repository's ``docs/`` folder there).
In a source checkout they are read from ``docs/`` beside the package instead.
"""

from __future__ import annotations

from pathlib import Path

from lmxsim.errors import LMXInputError

_PACKAGE = Path(__file__).resolve().parent


def docs_dir() -> Path:
    """The folder holding the documents: installed ``lmxsim/docs/``, else a checkout's ``docs/``."""
    for candidate in (_PACKAGE / "docs", _PACKAGE.parent / "docs"):
        if (candidate / "ODD.md").is_file():
            return candidate
    raise FileNotFoundError("lmxsim's documents were not installed (no lmxsim/docs/ODD.md and no docs/ODD.md "
                            "beside the package)")


def doc_names() -> list[str]:
    """Names of the documents (file stems, e.g. ``"ODD"``), sorted case-insensitively."""
    return sorted((p.stem for p in docs_dir().glob("*.md")), key=str.lower)


def doc_path(name: str) -> Path:
    """The file of document ``name`` (case-insensitive, with or without ``.md``).

    Raises :class:`LMXInputError` naming the documents there are if there is no such one.
    """
    stem = name[:-3] if name.lower().endswith(".md") else name
    for known in doc_names():
        if known.lower() == stem.lower():
            return docs_dir() / f"{known}.md"
    raise LMXInputError("docs NAME", name, "one of " + ", ".join(doc_names()))


def doc_title(name: str) -> str:
    """The first Markdown heading of document ``name`` (without the ``#``)."""
    for line in doc_path(name).read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return name
