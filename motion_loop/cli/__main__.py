import sys

from motion_loop.cli import main

sys.exit(main())
