// Container healthcheck that needs nothing beyond what the image already has (no grpc_health_probe, curl or wget):
//   node /app/deploy/dist/healthcheck.js grpc 127.0.0.1:50051 [...]   grpc.health.v1 Check of "" is SERVING
//   node /app/deploy/dist/healthcheck.js http http://127.0.0.1:8080/readyz     the URL answers 200
// Exit code 0 means healthy, 1 unhealthy, 2 wrong usage. Docker only reads the exit code; the one output line is
// what `docker inspect` shows as the probe's log.
import { credentials, Metadata } from '@grpc/grpc-js';
import { HealthCheckResponse_ServingStatus, HealthClient } from '@shop/proto/gen/grpc/health/v1/health';

// Below the compose healthcheck timeout, so that a hung server is reported by this script rather than killed.
const TIMEOUT_MS = 3_000;

function checkGrpc(address: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const client = new HealthClient(address, credentials.createInsecure());
    client.check({ service: '' }, new Metadata(), { deadline: Date.now() + TIMEOUT_MS }, (error, response) => {
      client.close();
      if (error) resolve(`grpc ${address}: ${error.message}`);
      else if (response.status !== HealthCheckResponse_ServingStatus.SERVING) {
        resolve(`grpc ${address}: status ${HealthCheckResponse_ServingStatus[response.status] ?? response.status}`);
      } else resolve(undefined);
    });
  });
}

async function checkHttp(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await response.body?.cancel();
    return response.status === 200 ? undefined : `http ${url}: status ${response.status}`;
  } catch (error) {
    return `http ${url}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function main(argv: string[]): Promise<number> {
  const [kind, ...targets] = argv;
  if (targets.length === 0 || (kind !== 'grpc' && kind !== 'http')) {
    console.error('usage: healthcheck.js grpc <host:port>... | http <url>...');
    return 2;
  }
  // Several targets share one process start (the expensive part of a check): all must be healthy.
  const problems = await Promise.all(targets.map((target) => (kind === 'grpc' ? checkGrpc(target) : checkHttp(target))));
  const failed = problems.filter((problem): problem is string => problem !== undefined);
  process.stdout.write(`${failed.length > 0 ? failed.join('; ') : `${kind} ${targets.join(' ')}: healthy`}\n`);
  return failed.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
