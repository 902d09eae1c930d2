import sys

from native_lambda_toolchain.cli import main

sys.exit(main())
