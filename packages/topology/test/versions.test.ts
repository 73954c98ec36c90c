import { describe, expect, it } from 'vitest';
import { versions } from '../src/index.ts';

describe('the pinned versions', () => {
  it("name one Prow build: the images' tag ends in the first 9 characters of the commit the CRD comes from", () => {
    expect(versions.prow.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(versions.prow.tag).toMatch(/^v\d{8}-[0-9a-f]{9}$/);
    expect(versions.prow.tag.endsWith(`-${versions.prow.commit.slice(0, 9)}`)).toBe(true);
  });

  it('judge the API by a patch of the Kubernetes minor the manifests target', () => {
    expect(versions.kubernetesPatch.startsWith(`${versions.kubernetes}.`)).toBe(true);
  });
});
