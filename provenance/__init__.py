"""provenance: find republished wire stories and check their attribution.

Installed from the package index as ``wire-provenance`` (the index's ``provenance`` is an
unrelated project); the import package and the command are ``provenance``.
"""

__version__ = "0.1.0"
DISTRIBUTION = "wire-provenance"
PROJECT_URL = f"https://pypi.org/project/{DISTRIBUTION}/"
