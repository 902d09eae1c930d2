"""Sub-commands of ``native-lambda``; each module exposes ``register(subparsers)``."""
