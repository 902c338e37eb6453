import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { credentials, loadPackageDefinition, type GrpcObject, type ServiceClientConstructor, type ClientDuplexStream } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { HealthCheckResponse_ServingStatus, HealthService } from '@shop/proto/gen/grpc/health/v1/health';
import { PaymentServiceService } from '@shop/proto/gen/shop/payment/v1/payment';
import { createServiceClient } from '../src/grpc/client';
import { runWithRequestContext } from '../src/request-context';
import { memoryLogger, startBehaviourServer } from './support';

const buf = path.join(require.resolve('@bufbuild/buf/package.json'), '..', 'bin', 'buf');
const run = promisify(execFile);
const reflectionProto = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto');

/** Lists services through the real reflection protocol, as grpcurl does. */
async function listServicesByReflection(port: number, version: 'v1' | 'v1alpha'): Promise<string[]> {
  const definition = loadSync(`grpc/reflection/${version}/reflection.proto`, { includeDirs: [reflectionProto], keepCase: true });
  const grpcObject = loadPackageDefinition(definition) as unknown as { grpc: { reflection: Record<string, GrpcObject> } };
  const Reflection = grpcObject.grpc.reflection[version]!.ServerReflection as ServiceClientConstructor;
  const client = new Reflection(`127.0.0.1:${port}`, credentials.createInsecure());
  try {
    const stream = (client as unknown as { ServerReflectionInfo(): ClientDuplexStream<object, { list_services_response?: { service: Array<{ name: string }> } }> }).ServerReflectionInfo();
    const names = await new Promise<string[]>((resolve, reject) => {
      stream.on('data', (message: { list_services_response?: { service: Array<{ name: string }> } }) => resolve((message.list_services_response?.service ?? []).map((service) => service.name)));
      stream.on('error', reject);
      stream.write({ list_services: '' });
    });
    stream.end();
    return names.sort();
  } finally {
    client.close();
  }
}

describe('gRPC server bootstrap', () => {
  it('answers health Check SERVING for the server and each service, NOT_SERVING while not ready', async () => {
    let ready = true;
    const { server } = await startBehaviourServer({ readiness: async () => ready });
    const health = createServiceClient(HealthService, { service: 'health', target: `127.0.0.1:${server.port}`, logger: memoryLogger().logger });
    try {
      for (const service of ['', 'shop.payment.v1.PaymentService']) {
        expect((await health.check({ service })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      }
      ready = false;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await health.check({ service: '' })).status).toBe(HealthCheckResponse_ServingStatus.NOT_SERVING);
    } finally {
      health.close();
      await server.shutdown();
    }
  });

  it("gives each call's logger the method and that call's request id", async () => {
    const { server, lines } = await startBehaviourServer();
    const client = createServiceClient(PaymentServiceService, { service: 'payment', target: `127.0.0.1:${server.port}`, logger: memoryLogger().logger });
    try {
      for (const requestId of ['req-a', 'req-b']) {
        await runWithRequestContext({ requestId }, () => client.getPayment({ paymentId: `logged-${requestId}` }));
      }
      const handling = lines().filter((line) => line.msg === 'handling');
      expect(handling.map((line) => [line.rpc, line.request_id, line.paymentId])).toEqual([
        ['shop.payment.v1.PaymentService/GetPayment', 'req-a', 'logged-req-a'],
        ['shop.payment.v1.PaymentService/GetPayment', 'req-b', 'logged-req-b'],
      ]);
    } finally {
      client.close();
      await server.shutdown();
    }
  });

  it.each(['v1', 'v1alpha'] as const)('lists every served service through reflection %s', async (version) => {
    const { server } = await startBehaviourServer();
    try {
      expect(await listServicesByReflection(server.port, version)).toEqual([
        'grpc.health.v1.Health',
        'grpc.reflection.v1.ServerReflection',
        'grpc.reflection.v1alpha.ServerReflection',
        'shop.payment.v1.PaymentService',
      ]);
    } finally {
      await server.shutdown();
    }
  });

  it('lets `buf curl` (like grpcurl) describe and call a method through reflection alone', async () => {
    const { server } = await startBehaviourServer();
    const base = `http://127.0.0.1:${server.port}`;
    const curl = (...args: string[]) => run(buf, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', ...args]);
    try {
      const methods = (await curl('--list-methods', base)).stdout;
      expect(methods).toContain('shop.payment.v1.PaymentService/AuthorizePayment');
      expect(methods).toContain('grpc.health.v1.Health/Check');
      await expect(curl('-d', '{"paymentId":"missing-1"}', `${base}/shop.payment.v1.PaymentService/GetPayment`)).rejects.toMatchObject({
        stderr: expect.stringContaining('not_found'),
      });
      expect(JSON.parse((await curl('-d', '{}', `${base}/grpc.health.v1.Health/Check`)).stdout)).toEqual({ status: 'SERVING' });
    } finally {
      await server.shutdown();
    }
  });

  it('drains an in-flight call on SIGTERM before the process exits', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures/slow-server.ts')], {
      cwd: path.join(__dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /PORT=(\d+)/.exec(output);
        if (match) resolve(Number(match[1]));
      });
      child.on('exit', (code) => reject(new Error(`server exited early with ${code}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const client = createServiceClient(PaymentServiceService, { service: 'payment', target: `127.0.0.1:${port}`, logger: memoryLogger().logger, defaultDeadlineMs: 5_000 });
    try {
      const inFlight = client.getPayment({ paymentId: 'in-flight' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      child.kill('SIGTERM');
      const response = await inFlight;
      expect(response.payment?.orderId).toBe('drained');
      expect(await exited).toBe(0);
      expect(output).toContain('ON_SHUTDOWN');
    } finally {
      client.close();
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
