/** RFC 1123 label: what Kubernetes accepts as a namespace or Service name. */
export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);
}

/** A fully qualified public hostname: two or more RFC 1123 labels. */
export function isHostname(s: string): boolean {
  const labels = s.split('.');
  return s.length <= 253 && labels.length >= 2 && labels.every(isDnsLabel);
}
