"""provenance: find republished wire stories and check their attribution."""

__version__ = "0.1.0"
