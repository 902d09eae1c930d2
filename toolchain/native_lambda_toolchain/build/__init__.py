"""The build core: what runs inside the build image (Python 3.9 floor, no docker, no network).

``pipeline.build`` checks the handler, compiles it with Nuitka (``compile``, ``entry``,
``startup``), moves libraries into the layer (``vendor``: analyse, plan, apply), checks the
ABI against the target's ``policy`` and writes the zips (``package``) and the build record
(``native_lambda_toolchain.dist``). ``python -m native_lambda_toolchain.build`` is its own
entry, which the container build runs. This door imports nothing: import the modules.
"""

#: The oldest Python the build core runs on (the bullseye build image's).
MIN_PYTHON = (3, 9)
