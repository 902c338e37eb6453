import { credentials, Metadata } from '@grpc/grpc-js';
import { HealthCheckResponse_ServingStatus, HealthClient } from '@shop/proto/gen/grpc/health/v1/health';
import { type ManagedChild } from './child-process';

const POLL_MS = 250;

function checkServing(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const client = new HealthClient(address, credentials.createInsecure());
    client.check({ service: '' }, new Metadata(), { deadline: Date.now() + 1_000 }, (error, response) => {
      client.close();
      resolve(!error && response.status === HealthCheckResponse_ServingStatus.SERVING);
    });
  });
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Polls until ready; fails early if the child dies, and after timeoutMs. */
async function waitFor(child: ManagedChild, what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.hasExited()) throw new Error(`${child.name} exited during start-up (${await child.exited})`);
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`${child.name} was not ready (${what}) within ${timeoutMs / 1000} s`);
}

export const waitForGrpcServing = (child: ManagedChild, address: string, timeoutMs: number): Promise<void> =>
  waitFor(child, `grpc.health.v1 Check SERVING at ${address}`, () => checkServing(address), timeoutMs);

export const waitForHttpReady = (child: ManagedChild, url: string, timeoutMs: number): Promise<void> =>
  waitFor(child, `GET ${url} 200`, () => httpOk(url), timeoutMs);
