"""Exit 0 when the service at URL answers, 1 otherwise. Used by the Makefile and CI."""

import socket
import sys
from urllib.parse import urlparse

DEFAULT_PORTS = {"mariadb": 3306, "redis": 6379}


def reachable(kind: str, url: str, timeout: float = 2.0) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or DEFAULT_PORTS[kind]), timeout
        ):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(0 if reachable(sys.argv[1], sys.argv[2]) else 1)
