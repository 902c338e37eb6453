import { medianInterval } from './median-interval';

const oneTo = (n: number): number[] => Array.from({ length: n }, (_, index) => index + 1);

describe('medianInterval', () => {
  it('takes the 3rd and 10th of 12 values, the 6th and 15th of 20 (P(Binomial(n, 1/2) < k) <= 2.5%)', () => {
    expect(medianInterval(oneTo(12))).toEqual({ low: 3, high: 10 });
    expect(medianInterval(oneTo(20))).toEqual({ low: 6, high: 15 });
    expect(medianInterval(oneTo(9))).toEqual({ low: 2, high: 8 });
  });

  it('is min..max when there are too few values for more confidence', () => {
    expect(medianInterval(oneTo(8))).toEqual({ low: 1, high: 8 });
    expect(medianInterval([4])).toEqual({ low: 4, high: 4 });
  });

  it('sorts its input and ignores values that are not finite', () => {
    expect(medianInterval([9, Number.NaN, 1, 5, 12, 3, 7, 2, 11, 4, 6, 10, 8])).toEqual({ low: 3, high: 10 });
    expect(medianInterval([])).toEqual({ low: Number.NaN, high: Number.NaN });
  });
});
