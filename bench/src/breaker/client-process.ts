// The calling side of the breaker micro-benchmark, in a process of its own (started by run.ts with the services'
// Node flags): its CPU time is then the two clients' and nothing else's. Prints one JSON line per round.
import { plainClient, platformClient, type BenchClient } from './clients';
import { measureRounds, ROUND_LINE_PREFIX, warmUp, type RoundPlan } from './measure';

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
    plan: { rounds: number('BREAKER_ROUNDS'), pairsPerRound: number('BREAKER_PAIRS'), sliceMs: number('BREAKER_SLICE_MS'), concurrency: number('BREAKER_CONCURRENCY') },
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
  const clients = { plain: plainClient(target), platform: platformClient(target) };
  try {
    await waitUntilAnswering(clients.plain, 30_000);
    await warmUp(clients, plan.concurrency, warmupMs);
    await measureRounds(clients, plan, (round, figures) => process.stdout.write(`${ROUND_LINE_PREFIX}${JSON.stringify({ round, ...figures })}\n`));
  } finally {
    clients.plain.close();
    clients.platform.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
