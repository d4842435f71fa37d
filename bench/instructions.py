"""The program ``bench/instructions.sh`` runs under valgrind: builds the bench's large council
once (kept in ``BENCH_INSTRUCTIONS_DIR``, default ``instance/bench-instructions``), signs in as
its secretary in the test client, warms the page up, then, when the script has switched
callgrind's instrumentation on, requests it N times.

Instruction counts do not move with the machine's load, so changes worth a few percent show.
"""
import gc
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

WORK = Path(os.environ.get("BENCH_INSTRUCTIONS_DIR", ROOT / "instance" / "bench-instructions"))
PASSWORD = "bench-instructions-password"
READY, GO, DONE = (WORK / name for name in ("ready", "go", "done"))


def main() -> None:
    path, count = sys.argv[1], int(sys.argv[2])
    WORK.mkdir(parents=True, exist_ok=True)
    database = WORK / "large.db"
    key_file = WORK / "secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
    os.environ.update({"COUNCIL_ENV": "development", "SECRET_KEY": key_file.read_text(),
                       "COUNCIL_INSTANCE_PATH": str(WORK / "instance"), "DATABASE_URL": f"sqlite:///{database}",
                       "COUNCIL_HTTPS": "0", "COUNCIL_PROXY_FIX": "0"})
    fresh = not database.exists()
    if fresh:
        subprocess.run([sys.executable, "-m", "flask", "--app", "council", "db", "upgrade"], cwd=ROOT,
                       check=True, capture_output=True)
    from run import csrf_token  # bench/run.py
    from seed import BENCH_EMAIL, Size, seed

    from council import create_app

    app = create_app()
    if fresh:
        with app.app_context():
            seed(Size(), password=PASSWORD)
    client = app.test_client()
    token = csrf_token(client.get("/login").data)
    signed_in = client.post("/login", data={"email": BENCH_EMAIL, "password": PASSWORD, "csrf_token": token})
    assert signed_in.status_code == 302, signed_in.status_code
    for _ in range(3):
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    gc.collect()
    READY.write_text(str(os.getpid()))
    while not GO.exists():
        time.sleep(0.05)
    for _ in range(count):
        client.get(path)
    DONE.write_text("done")
    while GO.exists():
        time.sleep(0.05)


if __name__ == "__main__":
    main()
