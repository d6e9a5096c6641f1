/**
 * The statistics of the Go comparison: ratios are taken within each paired run, then summarized
 * by their median with the lowest and highest run; a median of two runs is their mean, never the
 * higher one (the figure an outside re-run found published: 132.6k from runs of 35.0k and 132.6k).
 */
import { describe, expect, it } from 'vitest';
import { median, pairedRatios } from '../src/ratios.js';

describe('median', () => {
  it('is the middle of an odd count and the mean of the middle two of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([35_000, 132_600])).toBe(83_800);
    expect(median([5, 1, 4, 2])).toBe(3);
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('pairedRatios', () => {
  it('pairs Go and TypeScript within each run, then takes the median of the runs\u2019 ratios', () => {
    const run = (go: number, node: number) => [
      { name: 'aesgcm/1KiB/encrypt/go', opsPerSec: go },
      { name: 'aesgcm/1KiB/encrypt/node', opsPerSec: node },
    ];
    // The machine was slow in run 2 for both sides: its ratio is still 0.5.
    const rows = pairedRatios([run(100, 50), run(40, 20), run(100, 70)]);
    expect(rows).toEqual([
      { cell: 'aesgcm/1KiB/encrypt', go: 100, backends: [{ backend: 'node', opsPerSec: 50, ratio: 0.5, ratioMin: 0.5, ratioMax: 0.7 }] },
    ]);
  });

  it('a single run gives its own ratio, with no spread', () => {
    const rows = pairedRatios([[{ name: 'x/1KiB/decrypt/go', opsPerSec: 10 }, { name: 'x/1KiB/decrypt/noble', opsPerSec: 5 }]]);
    expect(rows[0]?.backends[0]).toEqual({ backend: 'noble', opsPerSec: 5, ratio: 0.5, ratioMin: 0.5, ratioMax: 0.5 });
  });
});

describe('CPU time', () => {
  it('gives a CPU ratio beside the wall ratio when both sides measured it', () => {
    const rows = pairedRatios([
      [
        { name: 'a/1KiB/encrypt/go', opsPerSec: 100, opsPerCpuSec: 100 },
        { name: 'a/1KiB/encrypt/node', opsPerSec: 80, opsPerCpuSec: 40 },
      ],
    ]);
    expect(rows[0]?.backends[0]).toMatchObject({ ratio: 0.8, cpuRatio: 0.4 });
  });
});
