"""Importers from other status-page tools (cState, Statuspage); see docs/importing.md."""
