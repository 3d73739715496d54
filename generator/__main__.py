import os
import sys

from generator.cli import main

code = main(process_ends=True)
# Everything is written and closed by now. Freeing the site model object by object
# would take half a second at 10,000 pages; the system takes the memory back at once.
sys.stdout.flush()
sys.stderr.flush()
os._exit(code or 0)
