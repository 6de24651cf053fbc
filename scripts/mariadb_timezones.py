"""Load MariaDB's time zone tables when they are empty (Django needs them with USE_TZ).

Usage: python scripts/mariadb_timezones.py mysql://root@127.0.0.1:3306/test
"""

import shutil
import subprocess
import sys
from urllib.parse import unquote, urlparse

import MySQLdb


def main(url: str) -> int:
    parsed = urlparse(url)
    params = {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 3306,
        "user": unquote(parsed.username or "root"),
        "password": unquote(parsed.password or ""),
    }
    conn = MySQLdb.connect(**params)
    cursor = conn.cursor()
    cursor.execute("SELECT CONVERT_TZ('2026-01-01 00:00:00', 'UTC', 'Europe/Madrid')")
    if cursor.fetchone()[0] is not None:
        return 0
    command = (
        f"mariadb-tzinfo-to-sql /usr/share/zoneinfo | mariadb -h {params['host']} -P {params['port']} "
        f"-u {params['user']} mysql"
    )
    if not shutil.which("mariadb-tzinfo-to-sql") or not shutil.which("mariadb"):
        print(f"MariaDB has no time zone tables. Load them with:\n  {command}")
        return 1
    print("Loading MariaDB's time zone tables (needed by Django with USE_TZ)…")
    env = {"MYSQL_PWD": str(params["password"])} if params["password"] else None
    generated = subprocess.run(
        ["mariadb-tzinfo-to-sql", "/usr/share/zoneinfo"], capture_output=True, check=True
    ).stdout
    subprocess.run(
        ["mariadb", "-h", str(params["host"]), "-P", str(params["port"]), "-u", str(params["user"]), "mysql"],
        input=generated,
        env=env,
        check=True,
        capture_output=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
