import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { REQUEST_ID_HEADER } from '@shop/platform';

// Incoming ids end up in logs and other services' metadata, so only short, plain tokens are trusted.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const acceptRequestId = (incoming: string | undefined): string =>
  incoming !== undefined && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();

/** Takes the caller's X-Request-Id when it is sane (else makes one), keeps it in res.locals and echoes it. */
export function assignRequestId(req: Request, res: Response): string {
  const id = acceptRequestId(req.get(REQUEST_ID_HEADER));
  res.locals.requestId = id;
  res.setHeader('X-Request-Id', id);
  return id;
}
