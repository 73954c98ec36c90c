import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enable } from '@kubevirt-ci/topology';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '@kubevirt-ci/topology';
import { filesByRole, findDrift, finishPendingSwaps, loadTopology, render, swapJournal, writeManifests, type Rendered, type WriteStep } from '../src/index.ts';
import { renders } from './kill-child.ts';
import { dashboards, topology, widgets } from './fixtures.ts';

const rendered = render(topology([enable(widgets), enable(dashboards)], [enable(widgets)]));
const hubFiles = [...rendered.clusters[0]!.files.keys()];
const spokeFiles = [...rendered.clusters[1]!.files.keys()];

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'synth-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function tree(dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return (readdirSync(abs, { recursive: true }) as string[]).filter((f) => statSync(join(abs, f)).isFile()).map((f) => `${dir}/${f}`).sort();
}

describe('writeManifests', () => {
  it('writes every rendered file under its role', () => {
    expect(writeManifests(root, rendered)).toEqual([
      { role: 'hub', files: hubFiles.length, changed: true },
      { role: 'spokes', files: spokeFiles.length, changed: true },
    ]);
    expect(tree('clusters/hub/manifests')).toEqual([...hubFiles].sort());
    expect(tree('clusters/spokes/manifests')).toEqual([...spokeFiles].sort());
    for (const f of hubFiles) expect(readFileSync(join(root, f), 'utf8')).toBe(rendered.clusters[0]!.files.get(f));
    expect(readdirSync(join(root, 'clusters/hub'))).toEqual(['manifests']);
  });

  it('removes stale files and leaves an unchanged role untouched', () => {
    writeManifests(root, rendered);
    const stale = 'clusters/hub/manifests/hub-1/old-app/deployment-gone.yaml';
    mkdirSync(join(root, 'clusters/hub/manifests/hub-1/old-app'));
    writeFileSync(join(root, stale), 'kind: Deployment\n');
    const before = statSync(join(root, spokeFiles[0]!)).mtimeMs;
    expect(writeManifests(root, rendered).map((r) => [r.role, r.changed])).toEqual([
      ['hub', true],
      ['spokes', false],
    ]);
    expect(existsSync(join(root, stale))).toBe(false);
    expect(statSync(join(root, spokeFiles[0]!)).mtimeMs).toBe(before);
  });

  it('writes only the roles asked for', () => {
    expect(writeManifests(root, rendered, ['spokes']).map((r) => r.role)).toEqual(['spokes']);
    expect(tree('clusters/hub/manifests')).toEqual([]);
  });

  it('leaves the previous manifests intact when writing fails part-way', () => {
    writeManifests(root, rendered);
    const before = tree('clusters/hub/manifests').map((f) => [f, readFileSync(join(root, f), 'utf8')]);
    const first = hubFiles[0]!;
    // A file and a directory of the same name cannot both be written.
    const broken: Rendered = {
      ...rendered,
      clusters: rendered.clusters.map((c, i) =>
        i === 0 ? { ...c, files: new Map([...c.files, [`${first}/impossible.yaml`, 'x: 1\n']]) } : c,
      ),
    };
    expect(() => writeManifests(root, broken)).toThrow(/ENOTDIR|EEXIST/);
    expect(tree('clusters/hub/manifests').map((f) => [f, readFileSync(join(root, f), 'utf8')])).toEqual(before);
    expect(readdirSync(join(root, 'clusters/hub'))).toEqual(['manifests']);
  });

  it('clears what a killed run left behind', () => {
    writeManifests(root, rendered);
    mkdirSync(join(root, 'clusters/hub/.manifests-staging-99999/hub-1'), { recursive: true });
    mkdirSync(join(root, 'clusters/hub/.manifests-old-99999'), { recursive: true });
    writeFileSync(join(root, hubFiles[0]!), 'edited\n');
    writeManifests(root, rendered);
    expect(readdirSync(join(root, 'clusters/hub'))).toEqual(['manifests']);
  });
});

describe('loadTopology', () => {
  it('names a package that exports no app or role, and what it must export', async () => {
    mkdirSync(join(root, 'apps/greenhouse/src'), { recursive: true });
    mkdirSync(join(root, 'clusters'), { recursive: true });
    writeFileSync(join(root, 'apps/greenhouse/src/index.ts'), 'export const greenhouse = {};\n');
    await expect(loadTopology(root)).rejects.toThrow(
      'apps/greenhouse/src/index.ts: exports no "app"; every package in apps/ must export its AppDefinition (defineApp) as "app"',
    );
  });
});

describe('findDrift', () => {
  it('finds nothing right after a write', () => {
    writeManifests(root, rendered);
    expect(findDrift(root, rendered)).toEqual([]);
  });

  it('lists missing, unwanted and differing files per role', () => {
    writeManifests(root, rendered);
    const [changed, removed] = [hubFiles[0]!, hubFiles[1]!];
    writeFileSync(join(root, changed), 'edited by hand\n');
    rmSync(join(root, removed));
    writeFileSync(join(root, 'clusters/hub/manifests/hub-1/extra.yaml'), 'kind: ConfigMap\n');
    expect(findDrift(root, rendered)).toEqual([
      { role: 'hub', added: [removed], removed: ['clusters/hub/manifests/hub-1/extra.yaml'], changed: [changed] },
    ]);
  });

  it('reports everything as missing when nothing was ever written', () => {
    expect(findDrift(root, rendered, ['spokes'])).toEqual([{ role: 'spokes', added: [...spokeFiles].sort(), removed: [], changed: [] }]);
  });
});

describe('a write killed at any point', () => {
  const steps: WriteStep[] = ['staged hub', 'staged spokes', 'journal written', 'swapped hub', 'swapped spokes', 'done'];
  const oldFiles = filesByRole(renders.old());
  const newFiles = filesByRole(renders.new());
  /** Every file under each role's directory, and what it holds. */
  const snapshot = (dir: string) => Object.fromEntries(['hub', 'spokes'].map((role) => [role, Object.fromEntries(tree(`clusters/${role}/manifests`).map((f) => [f, readFileSync(join(dir, f), 'utf8')]))]));
  const expected = (files: Map<string, Map<string, string>>) => Object.fromEntries([...files].map(([role, f]) => [role, Object.fromEntries([...f].sort(([a], [b]) => a.localeCompare(b)))]));

  it('leaves every role old or, once the next run finishes its journal, every role new; never some of each', () => {
    writeManifests(root, renders.old());
    const pristine = mkdtempSync(join(tmpdir(), 'synth-old-'));
    cpSync(root, pristine, { recursive: true });
    expect(findDrift(root, renders.new()).map((d) => d.role)).toEqual(['hub', 'spokes']);
    const seen: string[] = [];
    for (const step of steps) {
      rmSync(root, { recursive: true, force: true });
      cpSync(pristine, root, { recursive: true });
      const child = spawnSync(join(repoRoot, 'node_modules/.bin/tsx'), [join(import.meta.dirname, 'kill-child.ts'), root, 'new', step], { encoding: 'utf8' });
      // tsx runs the script in a child of its own and exits as it did: 128 + SIGKILL's 9.
      expect([step, child.status ?? child.signal]).toEqual([step, 137]);
      const journalled = existsSync(join(root, swapJournal));
      finishPendingSwaps(root);
      const after = snapshot(root);
      const state = JSON.stringify(after) === JSON.stringify(expected(oldFiles)) ? 'old' : JSON.stringify(after) === JSON.stringify(expected(newFiles)) ? 'new' : 'mixed';
      seen.push(`${step}: ${state}${journalled ? ', journal finished' : ''}`);
      // The next run takes the tree to what it renders and leaves nothing of the killed one.
      writeManifests(root, renders.new());
      expect(snapshot(root)).toEqual(expected(newFiles));
      expect(['hub', 'spokes'].flatMap((r) => readdirSync(join(root, 'clusters', r)))).toEqual(['manifests', 'manifests']);
    }
    rmSync(pristine, { recursive: true, force: true });
    expect(seen).toEqual([
      'staged hub: old',
      'staged spokes: old',
      'journal written: new, journal finished',
      'swapped hub: new, journal finished',
      'swapped spokes: new, journal finished',
      'done: new',
    ]);
  });
});

describe('synth killed at random moments of its write', () => {
  // KILL_RUNS=50 for the fifty in a row; the suite runs ten.
  const runs = Number(process.env['KILL_RUNS'] ?? 10);
  const child = join(import.meta.dirname, 'kill-random.ts');

  /** Runs the child writing the new render into root; kills it `after` ms past "writing" (never, if undefined). */
  function writeNew(dir: string, after?: number): Promise<{ status: number | null; signal: string | null; wroteIn?: number }> {
    return new Promise((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', child, dir, 'new'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
      let started = 0;
      let wroteIn: number | undefined;
      p.stdout.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        if (text.includes('writing')) {
          started = performance.now();
          if (after !== undefined) setTimeout(() => p.kill('SIGKILL'), after);
        }
        if (text.includes('wrote')) wroteIn = performance.now() - started;
      });
      p.on('exit', (status, signal) => resolve({ status, signal, ...(wroteIn === undefined ? {} : { wroteIn }) }));
    });
  }

  it(`leaves the whole tree old or new, and the next run finishes it with nothing left over (${runs} runs)`, async () => {
    const base = await loadTopology();
    const { variant } = await import('./kill-random.ts');
    const oldRender = render(base);
    const newRender = render(variant(base));
    const files = (r: Rendered) => JSON.stringify([...filesByRole(r)].map(([role, f]) => [role, [...f].sort(([a], [b]) => a.localeCompare(b))]));
    const onDisk = () =>
      JSON.stringify(
        [...filesByRole(oldRender).keys()].map((role) => [role, tree(`clusters/${role}/manifests`).map((f) => [f, readFileSync(join(root, f), 'utf8')])]),
      );
    const allFiles = () => tree('clusters');
    writeManifests(root, oldRender);
    const pristine = mkdtempSync(join(tmpdir(), 'synth-random-'));
    cpSync(root, pristine, { recursive: true });
    const clean = await writeNew(root);
    expect([clean.status, onDisk() === files(newRender)]).toEqual([0, true]);
    const window = clean.wroteIn! * 1.2;
    const outcomes: string[] = [];
    for (let i = 0; i < runs; i++) {
      rmSync(root, { recursive: true, force: true });
      cpSync(pristine, root, { recursive: true });
      const after = Math.random() * window;
      const r = await writeNew(root, after);
      finishPendingSwaps(root);
      const state = onDisk() === files(oldRender) ? 'old' : onDisk() === files(newRender) ? 'new' : 'mixed';
      outcomes.push(`${r.signal ?? 'finished'}: ${state}`);
      writeManifests(root, newRender);
      const expectedFiles = [...filesByRole(newRender).values()].flatMap((f) => [...f.keys()]).sort();
      expect([i, after.toFixed(1), state === 'mixed', onDisk() === files(newRender), allFiles()]).toEqual([i, after.toFixed(1), false, true, expectedFiles]);
    }
    rmSync(pristine, { recursive: true, force: true });
    expect(outcomes.filter((o) => o.endsWith('mixed'))).toEqual([]);
    // The kills land inside the write (the window is 1.2 times a whole write), not only after it.
    expect(outcomes.some((o) => o.startsWith('SIGKILL'))).toBe(true);
  }, 600_000);
});
