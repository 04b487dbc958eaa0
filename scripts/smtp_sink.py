"""A mail server for the tests on 127.0.0.1 (aiosmtpd): every message it takes becomes one JSON file in a folder,
with the envelope's sender and recipients and the message as received, so a test can assert it arrived.

    python smtp_sink.py --host 127.0.0.1 --port PORT --dir DIR

It offers no STARTTLS: a client that requires TLS must fail against it, which the tests check too.
"""

import argparse
import json
import os
import signal
import threading
import uuid

from aiosmtpd.controller import Controller


class Folder:
    def __init__(self, folder):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "data": envelope.content.decode("utf-8", errors="replace"),
        }
        name = uuid.uuid4().hex
        temporary = os.path.join(self.folder, f".{name}.tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(record, out)
        # Whole files only: a reader never sees half a message.
        os.rename(temporary, os.path.join(self.folder, f"{name}.json"))
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    controller = Controller(Folder(args.dir), hostname=args.host, port=args.port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
