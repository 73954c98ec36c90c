/**
 * For the kill test: writes the old or the new fixture render into a root, killing itself
 * with SIGKILL at the named step (nothing after it runs, no finally, no exit handler).
 */
import { enable } from '@kubevirt-ci/topology';
import { render, writeManifests, type WriteStep } from '../src/index.ts';
import { dashboards, topology, widgets } from './fixtures.ts';

export const renders = {
  old: () => render(topology([enable(widgets), enable(dashboards)], [enable(widgets)])),
  new: () => render(topology([enable(widgets), enable(dashboards, { title: 'new' })], [enable(widgets), enable(dashboards)])),
};

const [root, which, killAt] = process.argv.slice(2);
if (root && (which === 'old' || which === 'new')) {
  writeManifests(root, renders[which](), undefined, (step: WriteStep) => {
    if (step === killAt) process.kill(process.pid, 'SIGKILL');
  });
}
