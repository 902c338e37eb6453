import { runWithRequestContext } from '@shop/platform';
import type { BenchClient } from './clients';

export interface RoundPlan {
  rounds: number;
  /** Slice pairs per round; each pair runs both clients once, in alternating order (AB, BA, AB, ...). */
  pairsPerRound: number;
  sliceMs: number;
  concurrency: number;
}

/** One client's totals over a round's slices. */
export interface ClientTotals {
  calls: number;
  /** CPU time (user + system, all threads) of this process while the client's slices ran, in µs. */
  cpuUs: number;
  ms: number;
}

export interface RoundFigures {
  plain: ClientTotals;
  platform: ClientTotals;
}

const REQUEST_ID = 'bench-request-0001';

/** How the client process prints a round's figures on its stdout (one JSON object after it). */
export const ROUND_LINE_PREFIX = 'breaker-round ';

/**
 * `concurrency` callers call as fast as they can for `ms`. Each caller runs inside one request context, as a
 * handler making outgoing calls does: entering the context is the caller's cost, so neither client pays it per call.
 */
async function slice(client: BenchClient, concurrency: number, ms: number): Promise<ClientTotals> {
  const started = performance.now();
  const until = started + ms;
  const cpuBefore = process.cpuUsage();
  let calls = 0;
  const caller = (): Promise<void> =>
    runWithRequestContext({ requestId: REQUEST_ID }, async () => {
      while (performance.now() < until) {
        await client.call();
        calls += 1;
      }
    });
  await Promise.all(Array.from({ length: concurrency }, caller));
  const cpu = process.cpuUsage(cpuBefore);
  return { calls, cpuUs: cpu.user + cpu.system, ms: performance.now() - started };
}

const add = (into: ClientTotals, from: ClientTotals): void => {
  into.calls += from.calls;
  into.cpuUs += from.cpuUs;
  into.ms += from.ms;
};

const empty = (): ClientTotals => ({ calls: 0, cpuUs: 0, ms: 0 });

/**
 * Many short slices, the two clients strictly alternating and each going first equally often: a neighbour's
 * burst on the shared machine, a GC of the other client's garbage or a CPU frequency change lands on both alike.
 * A round's figures pool its slices (total CPU / total calls), so a short slice weighs by what it measured.
 */
export async function measureRounds(
  clients: { plain: BenchClient; platform: BenchClient },
  plan: RoundPlan,
  onRound: (round: number, figures: RoundFigures) => void,
): Promise<RoundFigures[]> {
  const rounds: RoundFigures[] = [];
  for (let round = 0; round < plan.rounds; round++) {
    const figures: RoundFigures = { plain: empty(), platform: empty() };
    for (let pair = 0; pair < plan.pairsPerRound; pair++) {
      const order = (round * plan.pairsPerRound + pair) % 2 === 0 ? (['plain', 'platform'] as const) : (['platform', 'plain'] as const);
      for (const name of order) add(figures[name], await slice(clients[name], plan.concurrency, plan.sliceMs));
    }
    rounds.push(figures);
    onRound(round, figures);
  }
  return rounds;
}

/** Both clients until their calls succeed and the JIT has settled, before anything is measured. */
export async function warmUp(clients: { plain: BenchClient; platform: BenchClient }, concurrency: number, ms: number): Promise<void> {
  for (let pair = 0; pair < 4; pair++) {
    await slice(clients.plain, concurrency, ms / 4);
    await slice(clients.platform, concurrency, ms / 4);
  }
}
