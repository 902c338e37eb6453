import { createHmac, hash } from 'node:crypto';
import { normalizedCardNumber, type CardDetails } from './card';

/**
 * Identifies a card across requests without keeping anything that could recover it: an HMAC under a server
 * secret of number and expiry. The CVC is left out on purpose (it may not be kept in any form).
 */
export function cardFingerprint(secret: string, card: CardDetails): string {
  return createHmac('sha256', secret)
    .update(`${normalizedCardNumber(card)}|${card.expMonth}|${card.expYear}`)
    .digest('hex');
}

/** SHA-256 over an operation's parameters, compared when a request id comes back (one-shot: no Hash object per call). */
export function requestFingerprint(parts: Record<string, string>): string {
  const canonical = Object.keys(parts)
    .sort()
    .map((key) => `${key}=${JSON.stringify(parts[key])}`)
    .join('&');
  return hash('sha256', canonical, 'hex');
}
