import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../src/cluster.ts';

describe('freePort', () => {
  it('hands out distinct loopback ports below the ephemeral range, each free to listen on', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(new Set(ports).size).toBe(20);
    expect(ports.filter((p) => p < 20000 || p >= 32768)).toEqual([]);
    const s = createServer();
    await new Promise<void>((resolve, reject) => s.once('error', reject).listen(ports[0], '127.0.0.1', resolve));
    await new Promise((r) => s.close(r));
  });
});
