// @ts-check
/**
 * node tools/bin/cli.mjs <command> [args...]: runs tools/src/<command>.ts as JavaScript built
 * once, instead of compiling every module on every start (tsx's loader hooks cost about a
 * second per run, most of it on the modules of node_modules passing through them).
 *
 * The build is esbuild's bundle of our own TypeScript and of the Kubernetes model packages;
 * every other package from node_modules stays outside it and is imported from where it is
 * installed, by its resolved path. Each source
 * file keeps its own import.meta.url, so files read beside a module (policy YAML, generated
 * JSON) are found where they are. The build is kept under node_modules/.cache, keyed by this
 * checkout's path, and is used only while every input has the size and modification time it
 * had when it was built (and apps/ and clusters/ hold the same packages); otherwise it is
 * built again first. A build never changes in place: it is written to a new folder named by
 * its inputs, and the pointer to it is renamed into place, so runs at the same time never
 * see half of one.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The folders whose packages synth imports at run time (packages/synth/src/load.ts). */
const topologyFolders = ['apps', 'clusters'];
/**
 * Installed packages bundled into the build rather than imported where they are: the model
 * packages are ESM without side effects, one small file a kind, so importing them file by
 * file cost a start some 1,600 file loads.
 */
const inlined = /\/node_modules\/(?:kubernetes-models|@kubernetes-models\/[^/]+)\//;
/** The key under which the bundle hands load.ts the topology's modules. */
const registryKey = 'kubevirt-ci.bundled-modules';
const cacheDir = join(root, 'node_modules/.cache/kubevirt-ci/cli', createHash('sha256').update(root).digest('hex').slice(0, 12));

/** Each package of apps/ and clusters/ that has an entry, as synth finds them. */
function topologyEntries() {
  return topologyFolders.flatMap((folder) => {
    const dir = join(root, folder);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .sort()
      .map((name) => join(dir, name, 'src/index.ts'))
      .filter((entry) => existsSync(entry));
  });
}

/** @param {string} path */
function fingerprint(path) {
  try {
    const st = statSync(path);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

/**
 * The build of a command when it is still current, else undefined.
 * @param {string} command
 * @returns {string | undefined}
 */
function currentBuild(command) {
  let pointer;
  try {
    pointer = JSON.parse(readFileSync(join(cacheDir, `${command}.json`), 'utf8'));
  } catch {
    return undefined;
  }
  if (JSON.stringify(pointer.entries) !== JSON.stringify(topologyEntries())) return undefined;
  for (const [path, print] of Object.entries(pointer.inputs)) if (fingerprint(path) !== print) return undefined;
  const main = join(cacheDir, pointer.dir, `${command}.mjs`);
  return existsSync(main) ? main : undefined;
}

/**
 * The esbuild plugin: our TypeScript is bundled with each file's own import.meta; every other
 * package is left out, imported by the path it resolves to from the importing file.
 * @returns {import('esbuild').Plugin}
 */
function sourcesPlugin() {
  return {
    name: 'kubevirt-ci-sources',
    setup(build) {
      build.onResolve({ filter: /^kubevirt-ci:registry$/ }, () => ({ path: 'registry', namespace: 'kubevirt-ci' }));
      build.onLoad({ filter: /.*/, namespace: 'kubevirt-ci' }, () => ({
        // Lazy: a module is imported only when load.ts asks for it. A package outside this
        // checkout (pnpm diff --repo) is TypeScript no build holds: tsx loads it, and
        // whatever it imports, from then on.
        contents: [
          `import { pathToFileURL } from 'node:url';`,
          `const modules = new Map([${topologyEntries()
            .map((e) => `[${JSON.stringify(e)}, () => import(${JSON.stringify(e)})]`)
            .join(', ')}]);`,
          `let tsx;`,
          `globalThis[Symbol.for(${JSON.stringify(registryKey)})] = {`,
          `  async load(entry) {`,
          `    const bundled = modules.get(entry);`,
          `    if (bundled) return bundled();`,
          `    tsx ??= (await import('tsx/esm/api')).register();`,
          `    return import(pathToFileURL(entry).href);`,
          `  },`,
          `};`,
        ].join('\n'),
        resolveDir: root,
        loader: 'js',
      }));
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.path.startsWith('node:') || args.path.startsWith('kubevirt-ci:')) return undefined;
        if (args.pluginData === 'resolving') return undefined;
        const r = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: 'resolving' });
        if (r.errors.length > 0) return { errors: r.errors };
        // Our workspace packages resolve to their real folders and are bundled; anything
        // installed stays where it is.
        if (!r.path.includes('/node_modules/') || inlined.test(r.path)) return { path: r.path, sideEffects: r.sideEffects };
        return { path: r.path, external: true };
      });
      build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8')
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
          .replaceAll('import.meta.filename', JSON.stringify(args.path));
        return { contents: text, loader: 'ts' };
      });
    },
  };
}

/** Removes builds no pointer names that are over an hour old (a run may still be using a newer one). */
function prune() {
  const named = new Set();
  for (const f of readdirSync(cacheDir)) {
    if (!f.endsWith('.json')) continue;
    try {
      named.add(JSON.parse(readFileSync(join(cacheDir, f), 'utf8')).dir);
    } catch {
      // A pointer being replaced; the next build prunes again.
    }
  }
  for (const f of readdirSync(cacheDir)) {
    if (f.endsWith('.json') || named.has(f)) continue;
    const path = join(cacheDir, f);
    if (Date.now() - statSync(path).mtimeMs > 3600_000) rmSync(path, { recursive: true, force: true });
  }
}

/**
 * Builds a command and points at the build.
 * @param {string} command
 * @param {string} source
 * @returns {Promise<string>}
 */
async function build(command, source) {
  const esbuild = await import('esbuild');
  mkdirSync(cacheDir, { recursive: true });
  // The output is built at the depth it is kept at, for its source maps' relative paths.
  const staging = join(cacheDir, `.staging-${command}-${process.pid}`);
  const out = join(cacheDir, `.out-${command}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
  const entry = join(staging, 'entry.mjs');
  mkdirSync(staging, { recursive: true });
  // load.ts's registry first, so it is in place before the command's own code runs.
  writeFileSync(entry, `import 'kubevirt-ci:registry';\nimport ${JSON.stringify(source)};\n`);
  const started = Date.now();
  let result;
  try {
    result = await esbuild.build({
      entryPoints: [{ in: entry, out: command }],
      absWorkingDir: root,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outdir: out,
      outExtension: { '.js': '.mjs' },
      metafile: true,
      // Stack traces name the TypeScript file and line; the topology records where each
      // definition was written from its caller's frame (packages/topology/src/source.ts).
      sourcemap: 'linked',
      logLevel: 'error',
      plugins: [sourcesPlugin()],
    });
  } catch {
    // esbuild has printed each error with its file and line.
    rmSync(staging, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
    process.stderr.write(`cli: tools/src/${command}.ts could not be built; fix the errors above (pnpm test's type check names them too)\n`);
    process.exit(1);
  }
  const inputs = Object.fromEntries(
    [
      ...Object.keys(result.metafile.inputs)
        .filter((p) => !p.startsWith('kubevirt-ci:') && resolve(root, p) !== entry)
        .map((p) => resolve(root, p)),
      // How it was built: this file, and the packages installed (esbuild's version among them).
      fileURLToPath(import.meta.url),
      join(root, 'pnpm-lock.yaml'),
    ]
      .sort()
      .map((p) => [p, fingerprint(p)]),
  );
  const entries = topologyEntries();
  const dir = createHash('sha256').update(JSON.stringify({ command, inputs, entries })).digest('hex').slice(0, 16);
  const target = join(cacheDir, dir);
  if (!existsSync(target)) renameSync(out, target);
  // A source changed while it was being built is not trusted: this run uses the build, the next builds again.
  const settled = Object.keys(inputs).every((p) => existsSync(p) && statSync(p).mtimeMs < started);
  if (settled) {
    writeFileSync(join(staging, 'pointer.json'), JSON.stringify({ dir, entries, inputs }));
    renameSync(join(staging, 'pointer.json'), join(cacheDir, `${command}.json`));
  }
  rmSync(staging, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
  prune();
  return join(target, `${command}.mjs`);
}

const [command, ...rest] = process.argv.slice(2);
const source = command && /^[a-z][a-z-]*$/.test(command) ? join(root, 'tools/src', `${command}.ts`) : undefined;
if (command === undefined || source === undefined || !existsSync(source)) {
  const commands = readdirSync(join(root, 'tools/src')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
  process.stderr.write(`cli: ${command === undefined ? 'no command given' : `no command "${command}"`}; commands are tools/src/<command>.ts: ${commands.join(', ')}\n`);
  process.exit(2);
}
// The command reads its arguments where tsx would have put them.
process.argv = [process.argv[0] ?? 'node', source, ...rest];
process.setSourceMapsEnabled(true);
const main = currentBuild(command) ?? (await build(command, source));
await import(pathToFileURL(main).href);
