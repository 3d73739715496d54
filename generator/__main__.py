import os
import sys

from generator.cli import main
from generator.heap import keep_heap_grown

keep_heap_grown()  # before the build allocates: see heap.py

code = main(process_ends=True)
# Everything is written and closed by now. Freeing the site model object by object
# would take half a second at 10,000 pages; the system takes the memory back at once.
sys.stdout.flush()
sys.stderr.flush()
os._exit(code or 0)
