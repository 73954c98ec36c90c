/** RFC 1123 label: what Kubernetes accepts as a namespace or Service name. */
export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);
}

/** A fully qualified public hostname: two or more RFC 1123 labels. */
export function isHostname(s: string): boolean {
  const labels = s.split('.');
  return s.length <= 253 && labels.length >= 2 && labels.every(isDnsLabel);
}

/*
 * An image reference, by the grammar of github.com/distribution/reference v0.6.0
 * (regexp.go): an optional registry domain with a port, lower-case path components, then a
 * tag, a digest, or both. IPv6 registries are left out; none of ours is one.
 */
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `(?:${domainComponent}(?:\\.${domainComponent})*(?::[0-9]+)?)`;
const imageTagPattern = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}';
const imageReference = new RegExp(`^(?:${domain}/)?${pathComponent}(?:/${pathComponent})*(?::${imageTagPattern})?(?:@${digest})?$`);

export function isImageReference(s: string): boolean {
  return imageReference.test(s);
}

export function isImageTag(s: string): boolean {
  return new RegExp(`^${imageTagPattern}$`).test(s);
}
