"""The jobc-runtime version (kept equal to pyproject.toml's); alerts send it as their User-Agent."""

VERSION = "0.1.0"
