// The calling side of the breaker micro-benchmark, in a process of its own (started by run.ts with the services'
// Node flags): its CPU time is then the measured clients' and nothing else's. Prints one JSON line per round.
import { breakerPair, plainClient, platformClient, type BenchClient } from './clients';
import { isolatedArms } from './isolated';
import { measureRounds, ROUND_LINE_PREFIX, warmUp, type Clients, type RoundPlan } from './measure';

function planFromEnv(env: NodeJS.ProcessEnv): { target: string; plan: RoundPlan; warmupMs: number } {
  const number = (name: string): number => {
    const value = Number(env[name]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${env[name] ?? ''}"`);
    return value;
  };
  const target = env.BREAKER_TARGET;
  if (!target) throw new Error('BREAKER_TARGET is not set');
  return {
    target,
    warmupMs: number('BREAKER_WARMUP_MS'),
    plan: {
      rounds: number('BREAKER_ROUNDS'),
      pairsPerRound: number('BREAKER_PAIRS'),
      sliceMs: number('BREAKER_SLICE_MS'),
      concurrency: number('BREAKER_CONCURRENCY'),
      isolatedCalls: number('BREAKER_ISOLATED_CALLS'),
    },
  };
}

async function waitUntilAnswering(client: BenchClient, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.call();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function main(): Promise<void> {
  const { target, plan, warmupMs } = planFromEnv(process.env);
  const clients: Clients = { plain: plainClient(target), platform: platformClient(target), ...breakerPair(target) };
  const isolated = isolatedArms();
  try {
    await waitUntilAnswering(clients.plain, 30_000);
    await warmUp(clients, isolated, plan, warmupMs);
    await measureRounds(clients, isolated, plan, (round, figures) => process.stdout.write(`${ROUND_LINE_PREFIX}${JSON.stringify({ round, ...figures })}\n`));
  } finally {
    for (const client of Object.values(clients)) client.close();
    isolated.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
