import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineTopology, repoRoot, type AppDefinition, type RoleSpec, type Topology } from '@kubevirt-ci/topology';

/**
 * How the bundled CLI (tools/bin/cli.mjs) imports a package's entry: from the build when it
 * holds it, else through tsx. Absent under tsx and vitest, which import the TypeScript itself.
 */
const bundled = (globalThis as Record<symbol, { load(entry: string): Promise<unknown> } | undefined>)[Symbol.for('kubevirt-ci.bundled-modules')];

async function importEach<T>(root: string, folder: 'apps' | 'clusters', exportName: string, what: string): Promise<T[]> {
  const dir = join(root, folder);
  const out: T[] = [];
  for (const name of readdirSync(dir).sort()) {
    const entry = join(dir, name, 'src/index.ts');
    if (!existsSync(entry)) continue;
    const mod = (await (bundled ? bundled.load(entry) : import(pathToFileURL(entry).href))) as Record<string, unknown>;
    if (!mod[exportName]) {
      throw new Error(`${folder}/${name}/src/index.ts: exports no "${exportName}"; every package in ${folder}/ must export its ${what} as "${exportName}"`);
    }
    out.push(mod[exportName] as T);
  }
  return out;
}

/** The repository's topology: every package in apps/ and every role in clusters/. */
export async function loadTopology(root: string = repoRoot): Promise<Topology> {
  const apps = await importEach<AppDefinition>(root, 'apps', 'app', 'AppDefinition (defineApp)');
  const roles = await importEach<RoleSpec>(root, 'clusters', 'role', 'RoleSpec (defineRole)');
  return defineTopology({ apps, roles });
}
