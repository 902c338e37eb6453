import { createHash } from 'node:crypto';
import { requestFingerprint } from '../src/domain/fingerprint';

describe('requestFingerprint', () => {
  // Fingerprints are stored with idempotency keys: a retry after a deploy must still match the first call's.
  it('is the SHA-256 of the sorted, quoted parameters, as stored by earlier versions', () => {
    const expected = createHash('sha256').update('amount="100"&operation="capture"&paymentId="p-1"').digest('hex');
    expect(requestFingerprint({ paymentId: 'p-1', operation: 'capture', amount: '100' })).toBe(expected);
  });
});
