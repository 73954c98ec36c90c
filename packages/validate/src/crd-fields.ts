/**
 * Field lists of the custom resources we use, generated from the @kubernetes-models type
 * declarations (their validators let unknown fields pass; their types name every field).
 * `generateCrdFields()` needs the TypeScript compiler, so only the generator and its test
 * import this module; the validator reads the committed JSON.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';

/** A field's type: 'x' a leaf (or anything goes), a named type, an array of, or a map of. */
export type FieldType = 'x' | { t: string } | { a: FieldType } | { m: FieldType };

export interface CrdFields {
  /** 'group/version/Kind' -> the kind's type. */
  readonly kinds: Record<string, string>;
  /** type -> field -> its type; a type whose object also takes any other key is absent. */
  readonly types: Record<string, Record<string, FieldType>>;
}

/** The packages and API groups whose kinds get field lists. */
export const crdPackages: Readonly<Record<string, readonly string[]>> = {
  '@kubernetes-models/argo-cd': ['argoproj.io'],
  '@kubernetes-models/cert-manager': ['cert-manager.io', 'acme.cert-manager.io'],
  '@kubernetes-models/prometheus-operator': ['monitoring.coreos.com'],
};

const require = createRequire(import.meta.url);

function kindFiles(): { key: string; file: string; kind: string }[] {
  const out: { key: string; file: string; kind: string }[] = [];
  for (const [pkg, groups] of Object.entries(crdPackages)) {
    const root = dirname(require.resolve(`${pkg}/package.json`));
    for (const group of groups) {
      for (const version of readdirSync(join(root, group)).sort()) {
        const dir = join(root, group, version);
        if (!/^v\d/.test(version)) continue;
        for (const f of readdirSync(dir).sort()) {
          if (!f.endsWith('.js') || f === 'index.js') continue;
          const kind = /this\.kind="(\w+)"/.exec(readFileSync(join(dir, f), 'utf8'))?.[1];
          if (kind && !kind.endsWith('List')) out.push({ key: `${group}/${version}/${kind}`, file: join(dir, f.replace(/\.js$/, '.d.ts')), kind });
        }
      }
    }
  }
  return out;
}

export function generateCrdFields(): CrdFields {
  const files = kindFiles();
  const program = ts.createProgram(
    files.map((f) => f.file),
    { skipLibCheck: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022 },
  );
  const checker = program.getTypeChecker();
  const ids = new Map<ts.Type, string>();
  const types: Record<string, Record<string, FieldType>> = {};
  const open = new Set<string>();

  const walk = (type: ts.Type): FieldType => {
    if (type.isUnion()) {
      const members = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
      const objects = members.filter((t) => t.flags & ts.TypeFlags.Object);
      // A field that takes a scalar or an object (IntOrString and the like) is not checked further.
      return objects.length === 1 && members.length === 1 ? walk(objects[0]!) : 'x';
    }
    if (!(type.flags & ts.TypeFlags.Object)) return 'x';
    if (checker.isArrayType(type)) return { a: walk(checker.getTypeArguments(type as ts.TypeReference)[0]!) };
    const props = checker.getPropertiesOfType(type);
    const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
    if (props.length === 0) return index ? { m: walk(index.type) } : 'x';
    let id = ids.get(type);
    if (id) return { t: id };
    const name = type.aliasSymbol?.name ?? type.getSymbol()?.name ?? '';
    id = `${/^I[A-Z]/.test(name) ? name.slice(1) : name || 'Object'}#${ids.size}`;
    ids.set(type, id);
    if (index) {
      open.add(id);
      return { t: id };
    }
    const fields: Record<string, FieldType> = {};
    types[id] = fields;
    for (const p of props) fields[p.name] = walk(checker.getNonNullableType(checker.getTypeOfSymbol(p)));
    return { t: id };
  };

  const kinds: Record<string, string> = {};
  for (const f of files) {
    const source = program.getSourceFile(f.file);
    const symbol = source && checker.getSymbolAtLocation(source);
    const exported = symbol && checker.getExportsOfModule(symbol).find((s) => s.name === `I${f.kind}`);
    if (!exported) continue;
    const t = walk(checker.getDeclaredTypeOfSymbol(exported));
    if (typeof t === 'object' && 't' in t) kinds[f.key] = t.t;
  }
  return { kinds, types };
}
