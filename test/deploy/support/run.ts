import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { credentials, Metadata } from '@grpc/grpc-js';
import { HealthCheckResponse_ServingStatus, HealthClient } from '@shop/proto/gen/grpc/health/v1/health';

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

export interface Running {
  child: ChildProcess;
  output(): string;
  exited: Promise<Finished>;
  /** SIGTERM, then SIGKILL after graceMs; resolves with how the process ended. */
  stop(graceMs?: number): Promise<Finished>;
}

/** The environment a container would have: only what is given, plus PATH and a HOME for tools that want one. */
export function containerLikeEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env };
}

export function start(command: string[], cwd: string, env: NodeJS.ProcessEnv): Running {
  const [file, ...args] = command;
  if (!file) throw new Error('empty command');
  const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<Finished>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, output }));
    child.once('error', (error) => resolve({ code: null, signal: null, output: `${output}\n${error.message}` }));
  });
  return {
    child,
    output: () => output,
    exited,
    async stop(graceMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const finished = await exited;
      clearTimeout(timer);
      return finished;
    },
  };
}

/** Runs to completion (killed after timeoutMs). */
export async function run(command: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<Finished> {
  const running = start(command, cwd, env);
  const timer = setTimeout(() => running.child.kill('SIGKILL'), timeoutMs);
  const finished = await running.exited;
  clearTimeout(timer);
  return finished;
}

export function grpcServing(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const client = new HealthClient(address, credentials.createInsecure());
    client.check({ service: '' }, new Metadata(), { deadline: Date.now() + 1_000 }, (error, response) => {
      client.close();
      resolve(!error && response.status === HealthCheckResponse_ServingStatus.SERVING);
    });
  });
}

export async function httpOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Polls until probe() is true; fails with the process's output when it exits first or time runs out. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, process: Running | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process && (process.child.exitCode !== null || process.child.signalCode !== null)) {
      throw new Error(`${what}: the process exited (${process.child.exitCode ?? process.child.signalCode}):\n${process.output()}`);
    }
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what}: not ready within ${timeoutMs} ms:\n${process?.output() ?? ''}`);
}

export interface FakeCollector {
  endpoint: string;
  /** Raw bodies of the OTLP/HTTP trace exports received so far, with their content type. */
  exports: { contentType: string; body: Buffer }[];
  close(): Promise<void>;
}

/** Stands in for the collector's OTLP/HTTP receiver (POST /v1/traces), so that exports can be observed. */
export async function startFakeCollector(): Promise<FakeCollector> {
  const exports: FakeCollector['exports'] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/v1/traces') {
        exports.push({ contentType: request.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
      }
      response.writeHead(200, { 'content-type': 'application/x-protobuf' });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    exports,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
