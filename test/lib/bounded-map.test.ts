import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../src/lib/bounded-map.js';

const keys = (map: BoundedMap<string, number>, of: string[]) => of.filter((k) => map.peek(k) !== undefined);

describe('BoundedMap', () => {
  it('drops the entry set longest ago once it holds more than its limit', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('c', 3);
    expect(map.size).toBe(2);
    expect(keys(map, ['a', 'b', 'c'])).toEqual(['b', 'c']);
  });

  it('counts a get as a use, so the entry read last stays', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2);
    expect(map.get('a')).toBe(1);
    map.set('c', 3);
    expect(keys(map, ['a', 'b', 'c'])).toEqual(['a', 'c']);
  });

  it('reads with peek without moving the entry', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2);
    expect(map.peek('a')).toBe(1);
    map.set('c', 3);
    expect(keys(map, ['a', 'b', 'c'])).toEqual(['b', 'c']);
  });

  it('moves a key set again to the back, with its new value, and never holds it twice', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('a', 10).set('c', 3);
    expect(map.size).toBe(2);
    expect(map.peek('a')).toBe(10);
    expect(map.peek('b')).toBeUndefined();
  });

  it('keeps every other entry when a key it holds is set again at its limit', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('b', 3);
    expect(map.size).toBe(2);
    expect(map.peek('a')).toBe(1);
    expect(map.get('b')).toBe(3);
  });

  it('treats a falsy value as held: a get of 0 moves it and returns it', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('zero', 0).set('b', 2);
    expect(map.get('zero')).toBe(0);
    map.set('c', 3);
    expect(keys(map, ['zero', 'b', 'c'])).toEqual(['zero', 'c']);
  });

  it('answers undefined for a key it never held or has dropped, and empties on clear', () => {
    const map = new BoundedMap<string, number>(1);
    expect(map.get('x')).toBeUndefined();
    map.set('a', 1).set('b', 2);
    expect(map.get('a')).toBeUndefined();
    map.clear();
    expect(map.size).toBe(0);
    expect(map.get('b')).toBeUndefined();
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses a limit of %s', (limit) => {
    expect(() => new BoundedMap(limit)).toThrow(RangeError);
  });
});
