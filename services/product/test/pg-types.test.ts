import { types } from 'pg';
import { parseTimestamptz, POOL_TYPES } from '../src/data/pg-types';

const pgParser = types.getTypeParser(1184, 'text') as (value: string) => Date | number | null;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const asComparable = (value: Date | number | null) => (value instanceof Date ? value.getTime() : value);

/** How PostgreSQL prints `millis` at a session offset of `offsetMinutes`, with the given fraction digits. */
function printed(millis: number, offsetMinutes: number, fraction: 'none' | 'ms' | 'us' | 'trimmed'): string {
  const local = new Date(millis + offsetMinutes * 60_000);
  const ms = pad(local.getUTCMilliseconds(), 3);
  const frac = { none: '', ms: `.${ms}`, us: `.${ms}456`, trimmed: ms === '000' ? '' : `.${ms.replace(/0+$/, '')}` }[fraction];
  const abs = Math.abs(offsetMinutes);
  const offset = `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}${abs % 60 ? `:${pad(abs % 60)}` : ''}`;
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${frac}${offset}`
  );
}

describe('timestamptz parser', () => {
  it('agrees with pg on PostgreSQL ISO output across dates, fractions and offsets', () => {
    const offsets = [0, 330, -480, 60, -210, 765];
    const fractions = ['none', 'ms', 'us', 'trimmed'] as const;
    // A deterministic spread from 1900 to 2100, leap days and month ends included.
    for (let k = 0; k < 20_000; k++) {
      const millis = -2_208_988_800_000 + ((k * 7_919_113_331) % 6_311_433_600_000) + (k % 1000);
      const text = printed(millis, offsets[k % offsets.length]!, fractions[k % fractions.length]!);
      const parsed = parseTimestamptz(text);
      expect(parsed).toBeInstanceOf(Date);
      expect(asComparable(parsed)).toBe(asComparable(pgParser(text)));
    }
    for (const text of ['2024-02-29 23:59:59.999+00', '2000-03-01 00:00:00+00', '1999-12-31 23:59:59.999-03:30:15', '2026-11-22 07:12:05.1-08']) {
      expect(asComparable(parseTimestamptz(text))).toBe(asComparable(pgParser(text)));
    }
  });

  it('truncates sub-millisecond digits like pg', () => {
    expect((parseTimestamptz('2026-01-02 03:04:05.678999+00') as Date).toISOString()).toBe('2026-01-02T03:04:05.678Z');
  });

  it('hands every other shape to pg', () => {
    for (const text of ['infinity', '-infinity', '2020-01-01 00:00:00+00 BC', '0099-01-01 00:00:00+00', '12020-01-01 00:00:00+00', '2020-01-01', 'garbage']) {
      expect(asComparable(parseTimestamptz(text))).toStrictEqual(asComparable(pgParser(text)));
    }
  });

  it('is the pool parser for timestamptz text only', () => {
    expect(POOL_TYPES.getTypeParser(1184, 'text')).toBe(parseTimestamptz);
    expect(POOL_TYPES.getTypeParser(1114, 'text')).toBe(types.getTypeParser(1114, 'text'));
    expect(POOL_TYPES.getTypeParser(20, 'text')).toBe(types.getTypeParser(20, 'text'));
  });
});
