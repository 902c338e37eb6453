import { runWithRequestContext } from '@shop/platform';
import type { BenchClient } from './clients';
import { isolatedSlice, type IsolatedArms } from './isolated';

export interface RoundPlan {
  rounds: number;
  /**
   * Slice pairs per round; each pair runs both clients of each comparison once, in alternating order (AB, BA,
   * AB, ...), and the isolated breaker and its action once each, alternating too.
   */
  pairsPerRound: number;
  sliceMs: number;
  concurrency: number;
  /** Calls in each isolated slice. */
  isolatedCalls: number;
}

/** The gRPC clients measured: the whole client pair (plain grpc-js, platform) and the breaker pair (direct, breaker). */
export type Arm = 'plain' | 'platform' | 'direct' | 'breaker';
export type Clients = Record<Arm, BenchClient>;
const COMPARISONS: ReadonlyArray<readonly [Arm, Arm]> = [
  ['plain', 'platform'],
  ['direct', 'breaker'],
];

/** One client's totals over a round's slices. */
export interface ClientTotals {
  calls: number;
  /** CPU time (user + system, all threads) of this process while the client's slices ran, in µs. */
  cpuUs: number;
  ms: number;
}

export interface RoundFigures extends Record<Arm, ClientTotals> {
  /** The breaker around an action that resolves at once, and that action alone, in the same process. */
  isolated: { direct: ClientTotals; breaker: ClientTotals };
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

/** AB on even turns, BA on odd ones: each goes first equally often. */
const ordered = <T>(pair: readonly [T, T], turn: number): readonly [T, T] => (turn % 2 === 0 ? pair : [pair[1], pair[0]]);

/**
 * Many short slices, the two sides of each comparison strictly alternating and each going first equally often: a
 * neighbour's burst on the shared machine, a GC of the other side's garbage or a CPU frequency change lands on both
 * alike. A round's figures pool its slices (total CPU / total calls), so a short slice weighs by what it measured.
 */
export async function measureRounds(
  clients: Clients,
  isolated: IsolatedArms,
  plan: RoundPlan,
  onRound: (round: number, figures: RoundFigures) => void,
): Promise<RoundFigures[]> {
  const rounds: RoundFigures[] = [];
  for (let round = 0; round < plan.rounds; round++) {
    const figures: RoundFigures = {
      plain: empty(),
      platform: empty(),
      direct: empty(),
      breaker: empty(),
      isolated: { direct: empty(), breaker: empty() },
    };
    for (let pair = 0; pair < plan.pairsPerRound; pair++) {
      const turn = round * plan.pairsPerRound + pair;
      for (const comparison of COMPARISONS) {
        for (const arm of ordered(comparison, turn)) add(figures[arm], await slice(clients[arm], plan.concurrency, plan.sliceMs));
      }
      for (const arm of ordered(['direct', 'breaker'] as const, turn)) add(figures.isolated[arm], await isolatedSlice(isolated[arm], plan.isolatedCalls));
    }
    rounds.push(figures);
    onRound(round, figures);
  }
  return rounds;
}

/** Every client until its calls succeed and the JIT has settled, before anything is measured. */
export async function warmUp(clients: Clients, isolated: IsolatedArms, plan: RoundPlan, ms: number): Promise<void> {
  const arms = COMPARISONS.flat();
  for (let turn = 0; turn < 4; turn++) {
    for (const arm of arms) await slice(clients[arm], plan.concurrency, ms / 4);
    for (const arm of ['direct', 'breaker'] as const) await isolatedSlice(isolated[arm], plan.isolatedCalls * 4);
  }
}
