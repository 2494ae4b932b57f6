"""Entry script of the functions-host Python worker: ``python worker.py <launch args>``.

The worker itself is the package ``functions_host_worker`` next to this file (this directory is
``sys.path[0]`` when the script runs, as are its generated ``*_pb2`` modules). The package's public
names are re-exported here for tools and tests that ``import worker``.
"""
from functions_host_worker import *  # noqa: F401,F403
from functions_host_worker import main

if __name__ == "__main__":
    main()
