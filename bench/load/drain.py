"""The catalog queue consumed while the transformers run, as the cataloger would."""

from __future__ import annotations

import threading

from bench.load.feed import depth
from bench.load.servers import Stack


class CatalogDrain:
    """Consumes the catalog queue while the transformers run, as the cataloger would.

    Without it the catalog queue grows by one message per file, and moto's
    SendMessageBatch slows down with the queue's length (about 10x at 4,000
    messages), which would throttle the transformers on the emulator only. It
    takes 8 connections because moto shares its one core between requests:
    with 2, the transformers' sends outnumbered it, the catalog queue grew past
    1,500 messages in a minute and every SQS call slowed in proportion.
    """

    def __init__(self, stack: Stack, url: str, threads: int = 8) -> None:
        self.url = url
        self.received = 0
        self._sqs = stack.client("sqs")
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def __enter__(self) -> CatalogDrain:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        self.received += depth(self._sqs, self.url)  # counted, not drained: that is slow

    def _take(self) -> int:
        batch = self._sqs.receive_message(
            QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", [])
        if batch:
            self._sqs.delete_message_batch(
                QueueUrl=self.url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)
                ],
            )
            with self._lock:
                self.received += len(batch)
        return len(batch)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._take()
