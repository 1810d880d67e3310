"""careerpath: caseloads of employment services as plain YAML files under git.

The library is a pipeline of plain functions returning data; the CLI
(:mod:`careerpath.cli`) is a thin layer over it.

Modules:
    models       the file format (FORMAT.md) as pydantic models
    yamlfile     one YAML file -> plain data + positions + diagnostics (hostile input refused)
    loader       a caseload folder -> typed documents + diagnostics
    checks       reference and program-rule checks -> diagnostics
    diagnostics  the Diagnostic value and the table of codes
    schema       JSON Schema export for editors
    scaffold     ``init`` and ``new``
    fsio         atomic, private file writes
"""

__version__ = "0.1.0"

from .checks import validate  # noqa: E402
from .diagnostics import Diagnostic  # noqa: E402
from .loader import Caseload, load  # noqa: E402

__all__ = ["Caseload", "Diagnostic", "load", "validate", "__version__"]
