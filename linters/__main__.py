import sys

from .check_client import main

# `check` goes to the project's check server when one is running (`python -m linters server`): same output, no start-up
sys.exit(main())
