'use strict';
// Loaded with `node --require` by npm start, before anything runs on libuv's thread pool: libuv
// reads UV_THREADPOOL_SIZE once, when the pool is first used, and an ES module entry is itself
// read through the pool, too late to set it there. One pool thread per core, at least 2 and at
// most libuv's own 4, unless the environment names a size. With as many threads as cores the
// password hasher keeps every thread busy with argon2 during a flood and one more check queued
// behind them, so a thread that finishes a check starts the next at once instead of sleeping
// until the event loop hands it one; on one core the pool of 2 keeps one check at a time and a
// thread free (defaultConcurrency in src/auth/password-hasher.ts).
if (!process.env.UV_THREADPOOL_SIZE) {
  const cores = require('node:os').availableParallelism();
  process.env.UV_THREADPOOL_SIZE = String(Math.min(Math.max(cores, 2), 4));
}
