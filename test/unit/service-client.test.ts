import { describe, expect, it } from 'vitest';
import { yieldEvery } from '../../src/cloud/service-client.js';

describe('yieldEvery', () => {
  it('lets the event loop turn after every n-th message and passes the others straight on', async () => {
    const hook = yieldEvery(3);
    const done: number[] = [];
    for (let i = 1; i <= 7; i++) hook({}, () => done.push(i));
    // Messages 3 and 6 wait for the next turn of the event loop; the rest are done at once.
    expect(done).toEqual([1, 2, 4, 5, 7]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(done.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
