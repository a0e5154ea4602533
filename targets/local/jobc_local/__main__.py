import sys

from .executor import main

sys.exit(main())
