// @ts-check
/**
 * node tools/bin/cli.mjs <command> [args...]: runs tools/src/<command>.ts as JavaScript built
 * once, instead of compiling every module on every start (tsx's loader hooks cost about a
 * second per run, most of it on the modules of node_modules passing through them).
 *
 * The build is esbuild's bundle of our own TypeScript. The Kubernetes model packages come from
 * a bundle of their own (see `vendored`); every other package from node_modules stays outside
 * and is imported from where it is installed, by its resolved path. Each source file keeps its
 * own import.meta.url, so files read beside a module (policy YAML, generated JSON) are found
 * where they are. The build is kept under node_modules/.cache, keyed by this
 * checkout's path, and is used only while every input has the size and modification time it
 * had when it was built (and apps/ and clusters/ hold the same packages); otherwise it is
 * built again first. A build never changes in place: it is written to a new folder named by
 * its inputs, and the pointer to it is renamed into place, so runs at the same time never
 * see half of one.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The folders whose packages synth imports at run time (packages/synth/src/load.ts). */
const topologyFolders = ['apps', 'clusters'];
/**
 * Installed packages imported from a bundle of their own rather than file by file: the model
 * packages are ESM, one small file a kind, and loading them one by one cost every start some
 * 1,600 file loads. Bundling them costs esbuild about 3 s, so they are built apart from our
 * sources, once for each lockfile (and again when our sources import a module of them that the
 * bundle lacks), and a change to our sources rebuilds only our own code (about 0.35 s).
 */
const vendored = /\/node_modules\/(?:kubernetes-models|@kubernetes-models\/[^/]+)\//;
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
  if (!(pointer.vendored ?? []).every((/** @type {string} */ f) => existsSync(f))) return undefined;
  const main = join(cacheDir, pointer.dir, `${command}.mjs`);
  return existsSync(main) ? main : undefined;
}

/** What both builds share: ES modules for this Node, split into chunks. */
const esmBuild = /** @type {const} */ ({
  absWorkingDir: root,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  logLevel: 'error',
});

/**
 * An onResolve hook for bare specifiers: esbuild's own resolution, then `place` decides what
 * becomes of the file it found (bundled, or imported from a path).
 * @param {import('esbuild').PluginBuild} build
 * @param {(path: string, sideEffects: boolean | undefined) => import('esbuild').OnResolveResult} place
 */
function resolveBare(build, place) {
  build.onResolve({ filter: /^[^./]/ }, async (args) => {
    if (args.path.startsWith('node:') || args.path.startsWith('kubevirt-ci:') || args.pluginData === 'resolving') return undefined;
    const r = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: 'resolving' });
    if (r.errors.length > 0) return { errors: r.errors };
    return place(r.path, r.sideEffects);
  });
}

/** The folder of the vendored packages' bundle for the installed packages (the lockfile's content). */
function vendorDir() {
  const lock = existsSync(join(root, 'pnpm-lock.yaml')) ? readFileSync(join(root, 'pnpm-lock.yaml')) : '';
  return join(cacheDir, `vendor-${createHash('sha256').update(lock).digest('hex').slice(0, 16)}`);
}

/**
 * Where the vendor bundle keeps the module of an installed file, by its path.
 * @param {string} vendor
 * @param {string} path
 */
function vendorFile(vendor, path) {
  return join(vendor, `${createHash('sha256').update(path).digest('hex').slice(0, 16)}.mjs`);
}

/**
 * Makes sure the vendor bundle holds every given module: built anew, with those it held
 * already, when one is missing. Chunks are named by their content and written first; each
 * module's file is then renamed into place, so a run reading the folder meanwhile sees a whole
 * old or a whole new file.
 * @param {typeof import('esbuild')} esbuild
 * @param {string} vendor
 * @param {Set<string>} modules
 */
async function ensureVendor(esbuild, vendor, modules) {
  const listFile = join(vendor, 'modules.json');
  /** @type {string[]} */
  let held = [];
  try {
    held = JSON.parse(readFileSync(listFile, 'utf8'));
  } catch {
    // No bundle yet.
  }
  const all = [...new Set([...held, ...modules])].sort();
  if (all.length === held.length && held.every((m) => existsSync(vendorFile(vendor, m)))) return;
  mkdirSync(vendor, { recursive: true });
  const result = await esbuild.build({
    ...esmBuild,
    entryPoints: all.map((m) => ({ in: m, out: vendorFile(vendor, m).slice(vendor.length + 1, -'.mjs'.length) })),
    outdir: vendor,
    chunkNames: 'chunk-[hash]',
    write: false,
    plugins: [
      {
        // Only the model packages are bundled; what they use is imported where it is installed.
        name: 'kubevirt-ci-vendor',
        setup: (build) => resolveBare(build, (path, sideEffects) => (vendored.test(path) ? { path, sideEffects } : { path, external: true })),
      },
    ],
  });
  const entries = new Set(all.map((m) => vendorFile(vendor, m)));
  const outputs = [...result.outputFiles].sort((a, b) => Number(entries.has(a.path)) - Number(entries.has(b.path)));
  for (const f of outputs) {
    const temporary = `${f.path}.${process.pid}`;
    writeFileSync(temporary, f.contents);
    renameSync(temporary, f.path);
  }
  writeFileSync(`${listFile}.${process.pid}`, JSON.stringify(all));
  renameSync(`${listFile}.${process.pid}`, listFile);
}

/**
 * The esbuild plugin: our TypeScript is bundled with each file's own import.meta; the model
 * packages are imported from the vendor bundle (their modules collected in `vendoredModules`);
 * every other package is left out, imported by the path it resolves to from the importing file.
 * @param {string} vendor
 * @param {Set<string>} vendoredModules
 * @returns {import('esbuild').Plugin}
 */
function sourcesPlugin(vendor, vendoredModules) {
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
      resolveBare(build, (path, sideEffects) => {
        // Our workspace packages resolve to their real folders and are bundled; anything
        // installed stays where it is.
        if (!path.includes('/node_modules/')) return { path, sideEffects };
        if (vendored.test(path)) {
          vendoredModules.add(path);
          return { path: vendorFile(vendor, path), external: true };
        }
        return { path, external: true };
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

/**
 * Removes builds no pointer names that are over an hour old (a run may still be using a newer
 * one); the vendor bundle of the installed packages stays.
 * @param {string} vendor
 */
function prune(vendor) {
  const named = new Set([basename(vendor)]);
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
  const vendor = vendorDir();
  /** @type {Set<string>} */
  const vendoredModules = new Set();
  let result;
  try {
    result = await esbuild.build({
      ...esmBuild,
      entryPoints: [{ in: entry, out: command }],
      outdir: out,
      metafile: true,
      // Stack traces name the TypeScript file and line; the topology records where each
      // definition was written from its caller's frame (packages/topology/src/source.ts).
      sourcemap: 'linked',
      plugins: [sourcesPlugin(vendor, vendoredModules)],
    });
    await ensureVendor(esbuild, vendor, vendoredModules);
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
    const vendoredFiles = [...vendoredModules].sort().map((m) => vendorFile(vendor, m));
    writeFileSync(join(staging, 'pointer.json'), JSON.stringify({ dir, entries, inputs, vendored: vendoredFiles }));
    renameSync(join(staging, 'pointer.json'), join(cacheDir, `${command}.json`));
  }
  rmSync(staging, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
  prune(vendor);
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
