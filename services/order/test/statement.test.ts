import { transitionStatement } from '../src/data/transition-statement';
import { generatedStatement, statement } from '../src/data/statement';

describe('prepared statement names (they name the pg spans in traces)', () => {
  it('reads as the statement it is', () => {
    expect(statement('claim_stale_test', 'SELECT 1', [])).toEqual({ name: 'order_claim_stale_test', text: 'SELECT 1', values: [] });
    // Asking again for the same statement is fine.
    expect(statement('claim_stale_test', 'SELECT 1', [2]).name).toBe('order_claim_stale_test');
  });

  it('refuses one name for two texts, which would run the wrong statement on a connection that prepared the first', () => {
    statement('twice_test', 'SELECT 1', []);
    expect(() => statement('twice_test', 'SELECT 2', [])).toThrow(/order_twice_test/);
  });

  it('gives each generated text its own name under a readable prefix', () => {
    const a = generatedStatement('shape_test', 'SELECT $1', [1]);
    const b = generatedStatement('shape_test', 'SELECT $1, $2', [1, 2]);
    expect(a.name).toMatch(/^order_shape_test_[0-9a-f]{16}$/);
    expect(b.name).toMatch(/^order_shape_test_[0-9a-f]{16}$/);
    expect(a.name).not.toBe(b.name);
    expect(generatedStatement('shape_test', 'SELECT $1', [3]).name).toBe(a.name);
  });

  it('names saga transitions order_transition_<hash>, one per shape', () => {
    const times = { now: new Date(), leaseUntil: null };
    const reserved = transitionStatement('id', 'owner', { step: 'RESERVED', event: 'RESERVED' }, times);
    const confirmed = transitionStatement('id', 'owner', { step: 'CAPTURED', status: 'CONFIRMED', event: 'CONFIRMED' }, times);
    expect(reserved.name).toMatch(/^order_transition_[0-9a-f]{16}$/);
    expect(confirmed.name).toMatch(/^order_transition_[0-9a-f]{16}$/);
    expect(reserved.name).not.toBe(confirmed.name);
  });
});
