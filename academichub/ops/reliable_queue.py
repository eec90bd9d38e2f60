"""Huey's Redis queue with claims, so a job whose worker is killed runs again.

Huey pops a message and then runs it, so a worker killed with -9 in between
(or while the job runs) loses the job. Here the pop and a claim are one Lua
script: the message moves from the queue into this process's claim hash, and
leaves it only when Huey is done with the task (it ran, failed, was retried or
put on the schedule). Each process keeps a lease key alive from a heartbeat
thread. Any process that finds a registered consumer whose lease has expired
puts that consumer's claimed messages back on the queue, at most
``MAX_RECOVERIES`` times per message: a job that kills its worker every time
is dropped with an error in the log instead of taking every worker down.

So a job may run twice (it was half done when its worker died, or a worker
lost Redis for longer than the lease), never zero times: every job of the hub
is written to be run again (imports upsert, digests record what was sent,
briefings check their status).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid

from huey.api import Huey
from huey.storage import PriorityRedisStorage

log = logging.getLogger("academichub.queue")

LEASE_SECONDS = 30  # default: a consumer silent this long is taken as dead (HUEY_LEASE_SECONDS)
MAX_RECOVERIES = 3
WAKE_BACKLOG = 1000  # wake-up tokens kept for blocked consumers

POP_AND_CLAIM = """
local item = redis.call('ZPOPMIN', KEYS[1])
if #item == 0 then return false end
redis.call('HSET', KEYS[2], item[1], item[2])
redis.call('SET', KEYS[3], '1', 'EX', ARGV[1])
redis.call('SADD', KEYS[4], ARGV[2])
return item[1]
"""

RECOVER = """
if redis.call('EXISTS', KEYS[3]) == 1 then return {0} end
local entries = redis.call('HGETALL', KEYS[2])
local result = {0}
for i = 1, #entries, 2 do
  if redis.call('HINCRBY', KEYS[4], entries[i], 1) <= tonumber(ARGV[1]) then
    redis.call('ZADD', KEYS[1], entries[i + 1], entries[i])
    result[1] = result[1] + 1
  else
    redis.call('HDEL', KEYS[4], entries[i])
    table.insert(result, entries[i])
  end
end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[5], ARGV[2])
return result
"""


class ClaimingRedisStorage(PriorityRedisStorage):
    """The priority Redis queue, where a popped message stays claimed until `release_claim`."""

    def __init__(self, *args, lease_seconds: int = LEASE_SECONDS, **kwargs):
        super().__init__(*args, **kwargs)
        self.lease_seconds = lease_seconds
        self.claims_prefix = f"huey.claims.{self.name}."
        self.lease_prefix = f"huey.lease.{self.name}."
        self.consumers_key = f"huey.consumers.{self.name}"
        self.recoveries_key = f"huey.recoveries.{self.name}"
        self.wake_key = f"huey.wake.{self.name}"
        self._pop = self.conn.register_script(POP_AND_CLAIM)
        self._recover = self.conn.register_script(RECOVER)
        self._local = threading.local()
        self._identity: tuple[int, str] | None = None

    @property
    def consumer(self) -> str:
        """This process's name in Redis: host, pid and a random part (every container may be pid 1)."""
        if self._identity is None or self._identity[0] != os.getpid():
            self._identity = (os.getpid(), f"{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
            self._start_heartbeat()
        return self._identity[1]

    def enqueue(self, data, priority=None):
        super().enqueue(data, priority)
        with self.conn.pipeline(transaction=False) as pipe:
            pipe.lpush(self.wake_key, 1).ltrim(self.wake_key, 0, WAKE_BACKLOG - 1).execute()

    def dequeue(self):
        """Pop and claim the next message; when there is none, wait up to `read_timeout` for one."""
        item = self._pop_and_claim()
        if item is None and self.blocking:
            self.conn.blpop(self.wake_key, timeout=self.read_timeout)
            item = self._pop_and_claim()
        self._local.claimed = item
        return item[8:] if item is not None else None  # the queue's members start with an 8-byte timestamp

    def _pop_and_claim(self):
        consumer = self.consumer
        keys = [self.queue_key, self.claims_prefix + consumer, self.lease_prefix + consumer, self.consumers_key]
        return self._pop(keys=keys, args=[self.lease_seconds, consumer]) or None

    def release_claim(self) -> None:
        """Huey is done with the message this thread dequeued last: forget it."""
        item, self._local.claimed = getattr(self._local, "claimed", None), None
        if item is not None:
            with self.conn.pipeline(transaction=False) as pipe:
                pipe.hdel(self.claims_prefix + self.consumer, item).hdel(self.recoveries_key, item).execute()

    def claimed_count(self) -> int:
        """Messages claimed by live or dead consumers and not yet released (for metrics)."""
        return sum(self.conn.hlen(self.claims_prefix + c.decode()) for c in self.conn.smembers(self.consumers_key))

    def recover_dead_consumers(self) -> int:
        """Put the messages of every consumer whose lease expired back on the queue; returns how many."""
        requeued = 0
        for raw in self.conn.smembers(self.consumers_key):
            consumer = raw.decode()
            keys = [self.queue_key, self.claims_prefix + consumer, self.lease_prefix + consumer,
                    self.recoveries_key, self.consumers_key]  # fmt: skip
            back, *dropped = self._recover(keys=keys, args=[MAX_RECOVERIES, consumer])
            requeued += back
            if back:
                log.warning("requeued %d job(s) of the stopped worker %s", back, consumer)
            for item in dropped:
                log.error("dropped a job that stopped its worker %d times: %r", MAX_RECOVERIES + 1, item[8:200])
        return requeued

    def renew_lease(self) -> None:
        self.conn.set(self.lease_prefix + self.consumer, 1, ex=self.lease_seconds)

    def _start_heartbeat(self) -> None:
        threading.Thread(target=self._beat, name="huey-lease", daemon=True).start()

    def _beat(self) -> None:
        while True:
            time.sleep(self.lease_seconds / 3)  # renewed twice before it expires
            try:
                self.renew_lease()
                self.recover_dead_consumers()
            except Exception as exc:  # noqa: BLE001 — Redis may be away for a while; the next beat retries
                log.warning("queue heartbeat failed: %s", exc)


class ClaimingRedisHuey(Huey):
    """Huey on `ClaimingRedisStorage`: the claim of a message ends when its task has been handled."""

    storage_class = ClaimingRedisStorage

    def execute(self, task, timestamp=None):
        try:
            return super().execute(task, timestamp)
        finally:
            self.storage.release_claim()
