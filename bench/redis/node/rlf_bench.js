// rate-limiter-flexible (RateLimiterRedis on ioredis) measured the way
// gcra_redis_bench measures gcra: decisions per second on random keys out of
// 100 000, with 1 and with 64 requests in flight on one connection.
//
//   node rlf_bench.js <redis port> [seconds per run] [in-flight counts, default 1,64]
'use strict';
const Redis = require('ioredis');
const { RateLimiterRedis } = require('rate-limiter-flexible');

const port = Number(process.argv[2]);
const seconds = Number(process.argv[3] || 5);
const inFlights = (process.argv[4] || '1,64').split(',').map(Number);
if (!port) {
  console.error('usage: node rlf_bench.js <redis port> [seconds per run] [in-flight counts]');
  process.exit(2);
}

function randomKey() {
  return 'bench:' + String(Math.floor(Math.random() * 100000)).padStart(12, '0');
}

async function run(limiter, inFlight, runSeconds) {
  let decisions = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(runSeconds * 1e9));
  async function worker() {
    while (process.hrtime.bigint() < end) {
      try {
        await limiter.consume(randomKey());
      } catch (rejection) {
        if (rejection instanceof Error) throw rejection;  // a denial is not an Error
      }
      decisions++;
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  return decisions / elapsed;
}

async function main() {
  const redis = new Redis({ host: '127.0.0.1', port, enableOfflineQueue: false, lazyConnect: true });
  await redis.connect();
  // Generous enough that every request is admitted, as in the gcra runs.
  const limiter = new RateLimiterRedis({ storeClient: redis, points: 1000000, duration: 1, keyPrefix: 'rlf' });
  await run(limiter, 1, 1);  // warm-up: script loading, JIT
  for (const inFlight of inFlights) {
    const rate = await run(limiter, inFlight, seconds);
    console.log(`rate-limiter-flexible in_flight=${inFlight} decisions_per_s=${Math.round(rate)}`);
  }
  redis.disconnect();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
