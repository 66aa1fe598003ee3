"""The indexer: archive files → articles and paragraphs → the search engine.

This package's namespace is its public face; the portal (and any other
caller) uses only these names and never reaches into the stages
(reading, cleaning, splitting, enrichment), so the stages can change
without the portal noticing. tests/portal/test_boundaries.py keeps it so.

* find files: ``discover``, ``display_path``, ``file_sha256``
* parse one file: ``parse_file`` → ``ParsedFile`` (``UnreadableFile`` when it cannot be read)
* ingest: ``ingest_files``, ``run_ingest``, ``io_failure_message``, the run's ``RunReport``
* admit an upload: ``content_suffix``, ``check_readable``, ``same_file`` (``Refused`` with the reason)
* record a correction: ``record_correction``, ``CORRECTION_FIELDS`` (``CorrectionError``)

How a file flows through the stages is drawn in docs/architecture.md.
"""

from __future__ import annotations

from indexer.admission import Refused, check_readable, content_suffix, same_file
from indexer.corrections import CorrectionError, record_correction
from indexer.enrichment.sidecar import FIELDS as CORRECTION_FIELDS
from indexer.ingest import file_sha256, ingest_files, io_failure_message, run_ingest
from indexer.pipeline import ParsedFile, discover, display_path, parse_file
from indexer.reading import UnreadableFile
from indexer.report import RunReport

__all__ = [
    "CORRECTION_FIELDS",
    "CorrectionError",
    "ParsedFile",
    "Refused",
    "RunReport",
    "UnreadableFile",
    "check_readable",
    "content_suffix",
    "discover",
    "display_path",
    "file_sha256",
    "ingest_files",
    "io_failure_message",
    "parse_file",
    "record_correction",
    "run_ingest",
    "same_file",
]
