// The baseline server as its own process (like the edge), so that it never shares an event loop with the load generator.
import { createBaselineApp } from './app';
import { openPools } from './pools';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const port = Number(required('BASELINE_PORT'));
  const pools = openPools(
    { product: required('PRODUCT_DATABASE_URL'), order: required('ORDER_DATABASE_URL'), payment: required('PAYMENT_DATABASE_URL') },
    Number(process.env.BASELINE_POOL_SIZE ?? '10'),
  );
  const server = createBaselineApp(pools).listen(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const stop = (): void => {
    server.close();
    server.closeAllConnections();
    void pools.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
