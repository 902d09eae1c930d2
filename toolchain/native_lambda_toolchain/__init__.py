"""The developer side of native-lambda: build, sandbox, emulator and deploy.

Nothing here is compiled into a bootstrap, and nothing in ``native_lambda`` imports it.
"""
