// Benchmark (not a test): deterministic parser throughput and per-phrase latency over the phrase
// table. Run with `npm run bench:parser`; figures go in the README.
import { performance } from 'node:perf_hooks';
import { DateTime } from 'luxon';
import { parseWithFallbackParser } from '../../src/parse';
import { PHRASES } from '../unit/parse/phrases';
import { quantile } from './quantile';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50);
const inputs = PHRASES.map((phrase) => ({
  text: phrase.text,
  tz: phrase.tz,
  now: DateTime.fromISO(phrase.now, { zone: phrase.tz }).toJSDate(),
}));

// Warm up the JIT and chrono's pattern caches.
for (const input of inputs) parseWithFallbackParser(input.text, input);

const samples: number[] = [];
const started = performance.now();
for (let round = 0; round < ROUNDS; round += 1) {
  for (const input of inputs) {
    const before = performance.now();
    parseWithFallbackParser(input.text, input);
    samples.push(performance.now() - before);
  }
}
const elapsedMs = performance.now() - started;
samples.sort((a, b) => a - b);
const pick = (q: number) => quantile(samples, q);

process.stdout.write(
  `${[
    `deterministic parser: ${inputs.length} phrases x ${ROUNDS} rounds = ${samples.length} parses on Node ${process.version}`,
    `throughput: ${Math.round(samples.length / (elapsedMs / 1000))} phrases/s`,
    `latency per phrase: p50 ${pick(0.5).toFixed(3)} ms, p99 ${pick(0.99).toFixed(3)} ms, max ${pick(1).toFixed(3)} ms (target p99 < 5 ms)`,
  ].join('\n')}\n`,
);
