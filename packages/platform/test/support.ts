import { spawn } from 'node:child_process';
import path from 'node:path';
import type { ServiceError } from '@grpc/grpc-js';
import { PaymentServiceService, type GetPaymentResponse } from '@shop/proto/gen/shop/payment/v1/payment';
import { notFound, unavailable } from '../src/errors/domain-error';
import { parseServiceError } from '../src/errors/grpc-status';
import { implement } from '../src/grpc/implement';
import { startGrpcServer } from '../src/grpc/server';
import { memoryLogger } from '../src/testing/memory-logger';

export { memoryLogger };

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The gRPC code and ErrorInfo reason `work` failed with; throws if it succeeded. */
export async function grpcFailureOf(work: Promise<unknown>): Promise<{ code: number; reason: string | undefined }> {
  try {
    await work;
  } catch (error) {
    return { code: (error as ServiceError).code, reason: parseServiceError(error as ServiceError)?.reason };
  }
  throw new Error('expected a failure');
}

/**
 * A real gRPC server on an ephemeral port whose GetPayment behaves as the payment id says, so that the client
 * factory's deadline and breaker behaviour can be observed from both sides.
 */
export async function startBehaviourServer(options: { readiness?: () => Promise<boolean> } = {}) {
  const received: string[] = [];
  /** What arrived with each call besides the request. */
  const seen: Array<{ paymentId: string; requestId: string; authorization: string | undefined; deadline: number | undefined }> = [];
  const attempts = new Map<string, number>();
  const { logger, lines } = memoryLogger('behaviour-server');
  const server = await startGrpcServer({
    serviceName: 'payment',
    host: '127.0.0.1',
    port: 0,
    logger,
    readiness: options.readiness,
    readinessIntervalMs: 100,
    services: [
      implement(PaymentServiceService, {
        async getPayment(request, ctx): Promise<GetPaymentResponse> {
          received.push(request.paymentId);
          seen.push({ paymentId: request.paymentId, requestId: ctx.requestId, authorization: ctx.authorization, deadline: ctx.deadline });
          ctx.logger.info({ paymentId: request.paymentId }, 'handling');
          const attempt = (attempts.get(request.paymentId) ?? 0) + 1;
          attempts.set(request.paymentId, attempt);
          // "flaky-N-...": UNAVAILABLE for the first N attempts, then answers.
          const flaky = /^flaky-(\d+)/.exec(request.paymentId);
          if (flaky && attempt <= Number(flaky[1])) throw unavailable('PROCESSOR_DOWN', 'Processor unreachable');
          if (request.paymentId.startsWith('slow')) await delay(1_000);
          // "down-..." fails at once, "slow-...-down" after the delay.
          if (request.paymentId.startsWith('down') || request.paymentId.endsWith('-down')) throw unavailable('PROCESSOR_DOWN', 'Processor unreachable');
          if (request.paymentId.startsWith('missing')) throw notFound('No such payment');
          return { payment: undefined };
        },
        authorizePayment: () => Promise.reject(new Error('unused')),
        capturePayment: () => Promise.reject(new Error('unused')),
        voidPayment: () => Promise.reject(new Error('unused')),
        refundPayment: () => Promise.reject(new Error('unused')),
        listPayments: () => Promise.reject(new Error('unused')),
      }),
    ],
  });
  return { server, received, seen, lines };
}

/**
 * Runs a fixture of test/fixtures in a Node process of its own (instrumentation patches modules through Node's own
 * require, which jest bypasses) with exactly `env` besides PATH and HOME. Resolves with its stdout and the JSON of
 * its `RESULT ` line; rejects with both outputs if it failed or printed none.
 */
export async function runFixtureProcess<R>(fixture: string, env: Record<string, string> = {}): Promise<{ result: R; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', fixture)], {
    cwd: path.join(__dirname, '..'),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const resultLine = stdout.split('\n').find((line) => line.startsWith('RESULT '));
  if (code !== 0 || !resultLine) throw new Error(`fixture failed (${code}):\n${stdout}\n${stderr}`);
  return { result: JSON.parse(resultLine.slice('RESULT '.length)) as R, stdout };
}
