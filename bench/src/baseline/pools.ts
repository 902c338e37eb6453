import { DEFAULT_IDLE_TIMEOUT_MS } from '@shop/platform/src/db/pool';
import { Pool } from 'pg';

/** The baseline talks to the same three databases as the services, with the same pool size and idle timeout per database. */
export interface BaselinePools {
  product: Pool;
  order: Pool;
  payment: Pool;
  close(): Promise<void>;
}

function open(connectionString: string, max: number): Pool {
  const pool = new Pool({ connectionString, max, idleTimeoutMillis: DEFAULT_IDLE_TIMEOUT_MS });
  // An idle client dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

export function openPools(urls: { product: string; order: string; payment: string }, max: number): BaselinePools {
  const product = open(urls.product, max);
  const order = open(urls.order, max);
  const payment = open(urls.payment, max);
  return {
    product,
    order,
    payment,
    close: async () => {
      await Promise.all([product.end(), order.end(), payment.end()]);
    },
  };
}
