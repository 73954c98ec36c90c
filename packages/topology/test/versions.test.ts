import { describe, expect, it } from 'vitest';
import { versions } from '../src/index.ts';

describe('the pinned versions', () => {
  it("name one Prow build: the images' tag ends in the first 9 characters of the commit the CRD comes from", () => {
    expect(versions.prow.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(versions.prow.tag).toMatch(/^v\d{8}-[0-9a-f]{9}$/);
    expect(versions.prow.tag.endsWith(`-${versions.prow.commit.slice(0, 9)}`)).toBe(true);
  });

  it("tag KubeVirt's plugins as project-infra's image workflow publishes them: v<commit minute>-<commit>", () => {
    expect(versions.kubevirtciPlugins.tag).toMatch(/^v\d{12}-[0-9a-f]{7}$/);
  });

  it("run a docker proxy that verifies Docker Hub's chain: 0.7.0 or later (verify depth 3, upstream issue 181)", () => {
    const [, tag] = versions.dockerRegistryProxy.split(':');
    const [major, minor] = tag!.split('.').map(Number);
    expect(major! > 0 || minor! >= 7).toBe(true);
  });

  it('pull no image from a registry that was turned down', () => {
    // gcr.io/k8s-prow (Prow moved to us-docker.pkg.dev/k8s-infra-prow) and k8s.gcr.io (frozen; registry.k8s.io).
    const retired = ['gcr.io/k8s-prow/', 'k8s.gcr.io/'];
    const images = Object.values(versions).filter((v): v is string => typeof v === 'string' && v.includes('/'));
    expect(images.length).toBeGreaterThan(10);
    expect(images.filter((i) => retired.some((r) => i.startsWith(r)))).toEqual([]);
    expect(versions.labelSync).toBe('gcr.io/k8s-staging-test-infra/label_sync:v20260729-f66136c16c');
  });

  it('judge the API by a patch of the Kubernetes minor the manifests target', () => {
    expect(versions.kubernetesPatch.startsWith(`${versions.kubernetes}.`)).toBe(true);
  });
});
