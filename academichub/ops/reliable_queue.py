"""Huey's queues (Redis, SQLite) with claims, so a job whose worker is killed runs again.

Huey pops a message and then runs it, so a worker killed with -9 in between
(or while the job runs) loses the job. Here the pop and a claim are one step
(a Lua script on Redis, one exclusive transaction on SQLite): the message
moves from the queue into this process's claims, and leaves them only when
Huey is done with the task (it ran, failed, was retried or
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

import hashlib
import logging
import os
import socket
import threading
import time
import uuid

from huey.api import Huey
from huey.storage import PriorityRedisStorage, SqliteStorage

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


class ClaimsMixin:
    """What both claiming storages share: who this process is, its heartbeat, and ending a claim.

    A storage's ``dequeue`` claims what it takes and keeps the claim in
    ``self._local.claimed``; it provides ``_release(claim)``,
    ``renew_lease()``, ``recover_dead_consumers()`` and ``claimed_count()``.
    """

    lease_seconds: int

    def _init_claims(self, lease_seconds: int) -> None:
        self.lease_seconds = lease_seconds
        self._local = threading.local()
        self._identity: tuple[int, str] | None = None

    @property
    def consumer(self) -> str:
        """This process's name in the queue: host, pid and a random part (every container may be pid 1)."""
        if self._identity is None or self._identity[0] != os.getpid():
            self._identity = (os.getpid(), f"{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
            threading.Thread(target=self._beat, name="huey-lease", daemon=True).start()
        return self._identity[1]

    def release_claim(self) -> None:
        """Huey is done with the message this thread dequeued last: forget it."""
        claim, self._local.claimed = getattr(self._local, "claimed", None), None
        if claim is not None:
            self._release(claim)

    def _beat(self) -> None:
        while True:
            time.sleep(self.lease_seconds / 3)  # renewed twice before it expires
            try:
                self.renew_lease()
                self.recover_dead_consumers()
            except Exception as exc:  # noqa: BLE001 — the queue may be away for a while; the next beat retries
                log.warning("queue heartbeat failed: %s", exc)

    @staticmethod
    def _log_recovery(consumer: str, requeued: int, dropped: list[bytes]) -> None:
        if requeued:
            log.warning("requeued %d job(s) of the stopped worker %s", requeued, consumer)
        for data in dropped:
            log.error("dropped a job that stopped its worker %d times: %r", MAX_RECOVERIES + 1, bytes(data[:200]))


class ClaimingRedisStorage(ClaimsMixin, PriorityRedisStorage):
    """The priority Redis queue, where a popped message stays claimed until `release_claim`."""

    def __init__(self, *args, lease_seconds: int = LEASE_SECONDS, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_claims(lease_seconds)
        self.claims_prefix = f"huey.claims.{self.name}."
        self.lease_prefix = f"huey.lease.{self.name}."
        self.consumers_key = f"huey.consumers.{self.name}"
        self.recoveries_key = f"huey.recoveries.{self.name}"
        self.wake_key = f"huey.wake.{self.name}"
        self._pop = self.conn.register_script(POP_AND_CLAIM)
        self._recover = self.conn.register_script(RECOVER)

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

    def _release(self, item) -> None:
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
            self._log_recovery(consumer, back, [item[8:] for item in dropped])
            requeued += back
        return requeued

    def renew_lease(self) -> None:
        self.conn.set(self.lease_prefix + self.consumer, 1, ex=self.lease_seconds)


class ClaimingSqliteStorage(ClaimsMixin, SqliteStorage):
    """Huey's SQLite queue (the one-machine default), where a taken message stays claimed until `release_claim`."""

    table_claim = ("create table if not exists claim (id integer not null primary key, queue text not null, "
                   "task integer not null, data blob not null, priority real not null, consumer text not null)")  # fmt: skip
    table_lease = ("create table if not exists lease (queue text not null, consumer text not null, "
                   "expires real not null, primary key(queue, consumer))")  # fmt: skip
    table_recovered = ("create table if not exists recovered (queue text not null, digest text not null, "
                       "times integer not null, primary key(queue, digest))")  # fmt: skip
    ddl = [*SqliteStorage.ddl, table_claim, table_lease, table_recovered]

    def __init__(self, *args, lease_seconds: int = LEASE_SECONDS, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_claims(lease_seconds)

    def dequeue(self):
        """Move the next message from the task table to the claim table in one exclusive transaction."""
        self._local.claimed = None
        if not self.sql("select 1 from task where queue = ? limit 1", (self.name,), results=True):
            return None
        consumer = self.consumer
        with self.db(commit=True) as cursor:
            cursor.execute("select id, data, priority from task where queue = ? order by priority desc, id limit 1",
                           (self.name,))  # fmt: skip
            row = cursor.fetchone()
            if row is None:
                return None
            cursor.execute("delete from task where id = ?", (row[0],))
            cursor.execute("insert into claim (queue, task, data, priority, consumer) values (?, ?, ?, ?, ?)",
                           (self.name, *row, consumer))  # fmt: skip
            self._local.claimed = (cursor.lastrowid, _digest(row[1]))
            self._renew(cursor, consumer)
        return bytes(row[1])

    def _renew(self, cursor, consumer: str) -> None:
        cursor.execute("insert or replace into lease (queue, consumer, expires) values (?, ?, ?)",
                       (self.name, consumer, time.time() + self.lease_seconds))  # fmt: skip

    def _release(self, claim: tuple[int, str]) -> None:
        with self.db(commit=True) as cursor:
            cursor.execute("delete from claim where id = ?", (claim[0],))
            cursor.execute("delete from recovered where queue = ? and digest = ?", (self.name, claim[1]))

    def claimed_count(self) -> int:
        return self.sql("select count(*) from claim where queue = ?", (self.name,), results=True)[0][0]

    def renew_lease(self) -> None:
        with self.db(commit=True) as cursor:
            self._renew(cursor, self.consumer)

    def recover_dead_consumers(self) -> int:
        """Put back the claims of every consumer whose lease expired; returns how many went back."""
        now, requeued, dropped = time.time(), {}, {}
        with self.db(commit=True) as cursor:
            cursor.execute("select id, task, data, priority, consumer from claim where queue = ? and consumer not in "
                           "(select consumer from lease where queue = ? and expires >= ?)", (self.name, self.name, now))
            for claim, task, data, priority, consumer in cursor.fetchall():
                if self._count_recovery(cursor, _digest(data)) <= MAX_RECOVERIES:
                    self._put_back(cursor, task, data, priority)
                    requeued[consumer] = requeued.get(consumer, 0) + 1
                else:
                    dropped.setdefault(consumer, []).append(bytes(data))
                cursor.execute("delete from claim where id = ?", (claim,))
            cursor.execute("delete from lease where queue = ? and expires < ?", (self.name, now))
        for consumer in sorted({*requeued, *dropped}):
            self._log_recovery(consumer, requeued.get(consumer, 0), dropped.get(consumer, []))
        return sum(requeued.values())

    def _put_back(self, cursor, task: int, data, priority: float) -> None:
        """Under its old id, so it keeps its place in the queue (a new id if that one was taken since)."""
        cursor.execute("insert or ignore into task (id, queue, data, priority) values (?, ?, ?, ?)",
                       (task, self.name, data, priority))  # fmt: skip
        if cursor.rowcount == 0:
            cursor.execute("insert into task (queue, data, priority) values (?, ?, ?)", (self.name, data, priority))

    def _count_recovery(self, cursor, digest: str) -> int:
        cursor.execute("insert into recovered (queue, digest, times) values (?, ?, 1) on conflict(queue, digest) "
                       "do update set times = times + 1", (self.name, digest))  # fmt: skip
        cursor.execute("select times from recovered where queue = ? and digest = ?", (self.name, digest))
        times = cursor.fetchone()[0]
        if times > MAX_RECOVERIES:
            cursor.execute("delete from recovered where queue = ? and digest = ?", (self.name, digest))
        return times


def _digest(data) -> str:
    return hashlib.sha256(bytes(data)).hexdigest()


class ClaimingHuey(Huey):
    """Huey on a claiming storage: the claim of a message ends when its task has been handled."""

    def execute(self, task, timestamp=None):
        try:
            return super().execute(task, timestamp)
        finally:
            release = getattr(self.storage, "release_claim", None)  # immediate mode runs on MemoryStorage
            if release is not None:
                release()


class ClaimingRedisHuey(ClaimingHuey):
    storage_class = ClaimingRedisStorage


class ClaimingSqliteHuey(ClaimingHuey):
    storage_class = ClaimingSqliteStorage
