import { isObj } from '@kubevirt-ci/kube/read';
import jsyaml from 'js-yaml';
import { isMap, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';
import type { Finding, ObjectRef } from './finding.ts';

/** A Kubernetes object read from a file, with where it starts. */
export interface ParsedObject {
  readonly file: string;
  readonly line: number;
  readonly value: Record<string, unknown>;
}

export interface ParseResult {
  readonly objects: ParsedObject[];
  readonly findings: Finding[];
}


export function refOf(value: Record<string, unknown>): ObjectRef {
  const meta = isObj(value['metadata']) ? value['metadata'] : {};
  return {
    kind: typeof value['kind'] === 'string' ? value['kind'] : undefined,
    namespace: typeof meta['namespace'] === 'string' ? meta['namespace'] : undefined,
    name: typeof meta['name'] === 'string' ? meta['name'] : undefined,
  };
}

/**
 * Stage 1: reads multi-document YAML or JSON. `kind: List` is expanded into its items and
 * empty documents are skipped. Invalid YAML, duplicate keys, non-objects and objects without
 * apiVersion or kind become findings with file and line; nothing here throws.
 *
 * Documents are parsed with js-yaml, about ten times faster than a full document model; a
 * document it rejects, or a List, is parsed again with `yaml` for exact lines and messages.
 */
export function parseManifests(file: string, text: string): ParseResult {
  if (!text.startsWith('---') && !text.includes('\n---')) return parseDocument(file, text, 0);
  const lines = text.split('\n');
  // A marker with content after it ('--- !tag', '--- {...}') is rare: let the exact parser take the file.
  if (lines.some((l) => l.startsWith('---') && l.slice(3).trim() !== '' && !/^---\s+#/.test(l))) return parseExactly(file, text, 0);
  const objects: ParsedObject[] = [];
  const findings: Finding[] = [];
  let start = 0;
  const flush = (end: number) => {
    const r = parseDocument(file, lines.slice(start, end).join('\n'), start);
    objects.push(...r.objects);
    findings.push(...r.findings);
  };
  lines.forEach((l, i) => {
    if (/^---(\s|$)/.test(l)) {
      flush(i);
      start = i + 1;
    }
  });
  flush(lines.length);
  return { objects, findings };
}

/**
 * Stage 1 over many files. A text seen before is not parsed again: its objects share the first
 * parse's values (no stage changes a value) and its findings are the first's, named by this
 * file. A fleet renders most files identically on every cluster, and checkSchemas judges a
 * shared value once too.
 */
export function parseFiles(files: Iterable<readonly [string, string]>): ParseResult {
  const seen = new Map<string, ParseResult>();
  const out: ParseResult = { objects: [], findings: [] };
  for (const [file, text] of files) {
    const first = seen.get(text);
    if (first === undefined) {
      const r = parseManifests(file, text);
      seen.set(text, r);
      out.objects.push(...r.objects);
      out.findings.push(...r.findings);
    } else {
      for (const o of first.objects) out.objects.push({ ...o, file });
      for (const f of first.findings) out.findings.push({ ...f, file });
    }
  }
  return out;
}

const exact = Symbol('parse exactly');

/** One document (no markers inside), starting at line lineOffset + 1 of its file. */
function parseDocument(file: string, chunk: string, lineOffset: number): ParseResult {
  let value: unknown;
  try {
    value = jsyaml.load(chunk, { schema: jsyaml.CORE_SCHEMA });
  } catch {
    value = exact;
  }
  if (value === exact || (typeof value === 'object' && value !== null && (value as Record<string, unknown>)['kind'] === 'List')) {
    return parseExactly(file, chunk, lineOffset);
  }
  if (value === null || value === undefined) return { objects: [], findings: [] };
  // The object starts on its first line that is neither blank nor a comment.
  let line = lineOffset + 1;
  for (let at = 0; at < chunk.length; ) {
    const nl = chunk.indexOf('\n', at);
    const l = chunk.slice(at, nl < 0 ? undefined : nl).trim();
    if (l !== '' && !l.startsWith('#')) break;
    line++;
    at = nl < 0 ? chunk.length : nl + 1;
  }
  return checkObject(file, value, line);
}

function checkObject(file: string, value: unknown, line: number): ParseResult {
  const r: ParseResult = { objects: [], findings: [] };
  checkValue(file, value, line, r);
  return r;
}

/** An object needs apiVersion and kind; anything that is not an object is a finding. */
function checkValue(file: string, value: unknown, line: number, into: ParseResult): void {
  const finding = (rule: string, message: string, fix: string, object?: ObjectRef, path = '') =>
    into.findings.push({ rule, severity: 'error', file, line, object, path, message, fix });
  if (!isObj(value)) {
    finding('parse/not-an-object', `the document is ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}, not a Kubernetes object`, 'each document must be a mapping with apiVersion, kind and metadata');
    return;
  }
  const ref = refOf(value);
  for (const field of ['apiVersion', 'kind'] as const) {
    if (typeof value[field] !== 'string' || value[field] === '') {
      finding('parse/missing-type', `${field} is ${value[field] === undefined ? 'missing' : 'not a string'}`, `set ${field}; every object needs apiVersion and kind`, ref, field);
    }
  }
  if (typeof value['apiVersion'] === 'string' && typeof value['kind'] === 'string') into.objects.push({ file, line, value });
}

/** The exact parser: positions for every document, error and List item. */
function parseExactly(file: string, text: string, lineOffset: number): ParseResult {
  const result: ParseResult = { objects: [], findings: [] };
  const { findings } = result;
  const lines = new LineCounter();
  const lineAt = (offset: number) => lines.linePos(offset).line + lineOffset;
  const finding = (rule: string, line: number, message: string, fix: string) =>
    findings.push({ rule, severity: 'error', file, line, object: undefined, path: '', message, fix });
  const check = (value: unknown, line: number) => checkValue(file, value, line, result);

  for (const doc of parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false })) {
    const start = lineAt(doc.contents?.range?.[0] ?? doc.range[0]);
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const duplicate = e.code === 'DUPLICATE_KEY';
        finding(
          duplicate ? 'parse/duplicate-key' : 'parse/invalid-yaml',
          lineAt(e.pos[0]),
          duplicate ? `duplicate key "${/^\s*["']?([^"':\n]*)/.exec(text.slice(e.pos[0]))?.[1]?.trim()}"` : e.message.split('\n')[0]!,
          duplicate ? 'keep one of the keys; the API server would silently take only one of them' : 'fix the YAML syntax at this line',
        );
      }
      continue;
    }
    if (doc.contents === null) continue;
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    if (isObj(value) && value['kind'] === 'List' && Array.isArray(value['items']) && isMap(doc.contents)) {
      const items = doc.contents.get('items', true) as Node | undefined;
      (value['items'] as unknown[]).forEach((item, i) => {
        const node = isSeq(items) ? (items.items[i] as Node | undefined) : undefined;
        check(item, node?.range ? lineAt(node.range[0]) : start);
      });
      continue;
    }
    check(value, start);
  }
  return result;
}
