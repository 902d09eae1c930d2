"""Build fixtures: the example compiled once per session (filled in with the toolchain)."""
