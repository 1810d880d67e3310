"""Process-wide defaults the CLI sets for one run (kept in a module that imports nothing).

``cache_default``: whether ``loader.load`` uses the load cache when not told.
Off for library callers (no files are written behind their back); the CLI
turns it on for the length of one command unless ``--no-cache`` is given.
"""

cache_default = False
