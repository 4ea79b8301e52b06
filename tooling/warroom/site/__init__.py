"""The status site: pure producers of {path: bytes}; `writer` puts them on disk."""
