/**
 * Builds and generates what the checks need from upstream, once, before the tests run in
 * parallel (so each build happens once and its progress line is not interleaved). Where
 * something cannot be had here it says so in one line; the checks then report it too.
 */
import { versions } from '@kubevirt-ci/topology';
import { available, goProgram } from './go.ts';
import { prepareKubeconform } from './kubeconform.ts';
import { preparePromtool } from './promtool.ts';
import { etcdProgram, kubernetesPrograms, programsByImage, scheduleParsers } from './sources.ts';

const k = prepareKubeconform(versions);
if ('unavailable' in k) process.stderr.write(`upstream: kubeconform cannot be prepared here: ${k.unavailable}\n`);
else process.stdout.write(`upstream: kubeconform ${k.bin}, schemas for Kubernetes ${k.kubernetesVersion} and the pinned CRDs\n`);

const p = preparePromtool(versions);
if (typeof p !== 'string') process.stderr.write(`upstream: promtool cannot be prepared here: ${p.unavailable}\n`);
else process.stdout.write(`upstream: promtool ${p}\n`);

// The test cluster's control plane (packages/testcluster) and the programs of our images.
const controlPlane = available(() => [...Object.values(kubernetesPrograms(versions)), etcdProgram(versions)]);
if (!Array.isArray(controlPlane)) process.stderr.write(`upstream: the test cluster's control plane cannot be prepared here: ${controlPlane.unavailable}\n`);
const schedules = available(() => scheduleParsers(versions));
if ('unavailable' in schedules) process.stderr.write(`upstream: the schedule parsers' harness cannot be prepared here: ${schedules.unavailable}\n`);
for (const p of [...(Array.isArray(controlPlane) ? controlPlane : []), ...programsByImage(versions).values(), ...('unavailable' in schedules ? [] : [schedules])]) {
  const bin = available(() => goProgram(p));
  if (typeof bin === 'string') process.stdout.write(`upstream: ${bin}\n`);
  else process.stderr.write(`upstream: ${p.pkg}@${p.version} cannot be prepared here: ${bin.unavailable}\n`);
}
