"""``python -m tests.support.model_server``: serve the model server until SIGINT/SIGTERM."""

from tests.support.model_server.app import main

if __name__ == "__main__":
    main()
