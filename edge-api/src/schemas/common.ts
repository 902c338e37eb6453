import { z } from 'zod';

export const CURRENCY = z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code').meta({ example: 'USD' });

/** Money in minor units; a JSON number, because every amount the shop handles is far below 2^53. */
export const MoneySchema = z
  .object({
    amountMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ description: 'Amount in minor units (cents)', example: 1999 }),
    currency: CURRENCY,
  })
  .strict()
  .meta({ title: 'Money' });

export const TimestampSchema = z.iso.datetime().meta({ description: 'RFC 3339 timestamp (UTC)' });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().meta({ description: 'gRPC status name, e.g. FAILED_PRECONDITION' }),
    reason: z.string().optional().meta({ description: 'Machine-readable cause, e.g. OUT_OF_STOCK' }),
    metadata: z.record(z.string(), z.string()).optional(),
    errors: z.array(z.object({ field: z.string(), description: z.string() })).optional(),
    requestId: z.string().optional(),
  })
  .meta({ title: 'Problem', description: 'RFC 9457 problem details' });

export const IdParams = z.object({ id: z.string().min(1).max(128) });

// Only the int32 range: the service clamps large sizes to its maximum (AIP-158), so the edge does not refuse them.
const pageSize = z.coerce.number().int().min(0).max(2_147_483_647).optional().meta({ description: '0 or absent means the default; larger values are clamped' });
const pageToken = z.string().max(2048).optional().meta({ description: 'nextPageToken of the previous page' });

export const PageQuery = z.object({ page_size: pageSize, page_token: pageToken });

export const NEXT_PAGE_TOKEN = z.string().meta({ description: 'Empty on the last page' });
