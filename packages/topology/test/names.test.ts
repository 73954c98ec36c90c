import { describe, expect, it } from 'vitest';
import { formatPath, hasPath, isDnsLabel, isHostname, mergeValues } from '../src/index.ts';

describe('names', () => {
  it.each([
    ['prow-workloads', true],
    ['a', true],
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
    ['-lead', false],
    ['trail-', false],
    ['Upper', false],
    ['under_score', false],
    ['', false],
  ])('isDnsLabel(%j) is %s', (s, ok) => expect(isDnsLabel(s)).toBe(ok));

  it.each([
    ['prow.ci.kubevirt.io', true],
    ['localhost', false],
    ['prow..kubevirt.io', false],
    ['prow.ci.kubevirt.io.', false],
    ['PROW.ci.kubevirt.io', false],
    [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`, true],
    [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`, false],
  ])('isHostname(%j) is %s', (s, ok) => expect(isHostname(s)).toBe(ok));
});

describe('mergeValues', () => {
  it('merges objects key by key and replaces arrays and scalars', () => {
    expect(mergeValues({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { c: [3] }, d: undefined, e: 2 })).toEqual({ a: { b: 1, c: [3] }, d: 'x', e: 2 });
  });
  it('replaces a union variant whole when the override picks another, and merges the same variant', () => {
    const local = { type: 'local', size: '1Ti', path: '/d' };
    expect(mergeValues({ storage: local, onCacheNode: true }, { storage: { type: 'claim', size: '2Gi' } })).toEqual({ storage: { type: 'claim', size: '2Gi' }, onCacheNode: true });
    expect(mergeValues({ storage: local }, { storage: { type: 'local', size: '2Ti' } })).toEqual({ storage: { type: 'local', size: '2Ti', path: '/d' } });
  });
  it('keeps the base when there is no override', () => {
    expect(mergeValues({ a: 1 }, undefined)).toEqual({ a: 1 });
  });
  it('finds paths and formats them', () => {
    expect(hasPath({ a: { b: [0, { c: 1 }] } }, ['a', 'b', 1, 'c'])).toBe(true);
    expect(hasPath({ a: { b: 1 } }, ['a', 'c'])).toBe(false);
    expect(formatPath(['a', 'b', 1, 'c'])).toBe('a.b[1].c');
  });
});
