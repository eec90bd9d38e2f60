"""AcademicHub: a self-hosted academic intelligence hub."""

__version__ = "0.1.0"
