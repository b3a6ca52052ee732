"""The China Digital Governance Corpus: load its tables, or rebuild it from sources.

    >>> import corpus
    >>> corpus.versions()
    >>> paragraphs = corpus.load("paragraphs")
    >>> dd = corpus.load_dataset()          # needs the [hf] extra
"""

from importlib import metadata as _metadata

from .errors import ChecksumError, CorpusError, SchemaError, UnknownNameError
from .load import info, load, load_dataset, release_dir, versions
from .manifest import verify
from .tables import TABLES

__all__ = ["load", "load_dataset", "versions", "verify", "info", "release_dir", "TABLES",
           "CorpusError", "UnknownNameError", "ChecksumError", "SchemaError", "__version__"]

try:
    __version__ = _metadata.version("china-digital-governance-corpus")
except _metadata.PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0+unknown"
