import os from 'node:os';
import type { BenchResults } from './report/model';

export function describeMachine(): BenchResults['machine'] {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
  };
}

export const BASELINE_DESCRIPTION = [
  'express 5 + pg in its own process (pool of 10 per database, like each service), same PostgreSQL server and databases as the system; no gRPC, no ORM, no telemetry, no token verification (the user is named by a header)',
  "product by id: the product service's own SELECT (same columns, named prepared statement), same JSON shape as the edge",
  "product by id, gathered (scenario 1b only): the edge's own loader gathers the reads of one event-loop turn into the product service's BatchGetProducts statement (= ANY($1::uuid[]))",
  "search: the product service's buildListProductsQuery (websearch_to_tsquery over the GIN-indexed tsvector, ts_rank order, page of 20 + a signed page token)",
  'checkout: the saga\'s writes in the same three databases (order, product, payment), in saga order, as 6 transactions + 1 read: order + items + idempotency key + first step; pricing read; reservation + conditional stock hold + ledger rows; payment + AUTHORIZATION row + key; reservation commit (stock sold) + ledger rows; CAPTURE row + status + key; order CONFIRMED + price snapshots + step + stored answer. Not done: the saga\'s intermediate step records, leases, JWT checks and the gRPC hops',
  'PostgreSQL: a throwaway embedded cluster (fsync off, synchronous_commit off) shared by the system and the baseline',
];
