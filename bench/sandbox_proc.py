"""The benchmark sandbox in its own process: prints one JSON line (base URL, key), runs until stdin closes."""
