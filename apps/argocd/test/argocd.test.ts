import { render } from '@kubevirt-ci/synth';
import { argoObject, clusterSpec } from '@kubevirt-ci/synth/testing';
import { defineRole, defineTopology, enable } from '@kubevirt-ci/topology';
import fengari from 'fengari';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { app, applicationHealthKey, applicationHealthLua } from '../src/index.ts';

const { lua, lauxlib, lualib, to_luastring } = fengari;

/** A JSON value as a Lua table constructor. */
function toLua(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `{${v.map(toLua).join(', ')}}`;
  return `{${Object.entries(v as object).map(([k, x]) => `[${JSON.stringify(k)}] = ${toLua(x)}`).join(', ')}}`;
}

/** Runs the health script the way Argo CD does: `obj` set, a table { status, message } returned. */
function health(obj: unknown): { status: string; message: string } {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const code = `obj = ${toLua(obj)}\nlocal function check()\n${applicationHealthLua}\nend\nlocal hs = check()\nreturn hs.status, hs.message`;
  const rc = lauxlib.luaL_dostring(L, to_luastring(code));
  if (rc !== 0) throw new Error(`lua: ${lua.lua_tojsstring(L, -1)}`);
  return { status: lua.lua_tojsstring(L, -2), message: lua.lua_tojsstring(L, -1) };
}

describe('the Application health check', () => {
  it('is Progressing until the child Application reports a health', () => {
    expect(health({ metadata: { name: 'x' } })).toEqual({ status: 'Progressing', message: '' });
    expect(health({ status: {} })).toEqual({ status: 'Progressing', message: '' });
    expect(health({ status: { health: {} } })).toEqual({ status: 'Progressing', message: '' });
  });

  it("passes on the child's own health and message", () => {
    expect(health({ status: { health: { status: 'Healthy' } } })).toEqual({ status: 'Healthy', message: '' });
    expect(health({ status: { health: { status: 'Degraded', message: 'Deployment deck has 0/3 ready' } } })).toEqual({
      status: 'Degraded',
      message: 'Deployment deck has 0/3 ready',
    });
  });
});

describe('the argocd app', () => {
  const hub = defineRole({ role: 'hub', description: 'h', hub: true, apps: [enable(app)], clusters: [clusterSpec('hub-1')] });
  const rendered = render(defineTopology({ apps: [app], roles: [hub] }));
  const release = argoObject(rendered, 'hub-1', 'Application', 'hub-1-argocd-release');
  const source = (release['spec'] as { source: Record<string, unknown> }).source;

  it('installs the pinned upstream cluster-wide release of Argo CD, server-side', () => {
    expect({ ...source, kustomize: undefined }).toEqual({
      repoURL: 'https://github.com/argoproj/argo-cd',
      targetRevision: 'v3.4.2',
      path: 'manifests/cluster-install',
      kustomize: undefined,
    });
    expect((release['spec'] as { syncPolicy: { syncOptions: string[] } }).syncPolicy.syncOptions).toContain('ServerSideApply=true');
  });

  it('patches argocd-cm with the Application health check, verbatim, and with watching only what RBAC allows', () => {
    const patches = (source['kustomize'] as { patches: { target: unknown; patch: string }[] }).patches;
    expect(patches.map((p) => p.target)).toEqual([{ kind: 'ConfigMap', name: 'argocd-cm' }]);
    expect(parse(patches[0]!.patch)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'argocd-cm' },
      data: { [applicationHealthKey]: applicationHealthLua, 'resource.respectRBAC': 'normal' },
    });
  });
});
