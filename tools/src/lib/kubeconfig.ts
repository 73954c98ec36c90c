import { KubeConfig } from '@kubernetes/client-node';

/**
 * The kubeconfig a person uses ($KUBECONFIG or ~/.kube/config, or the file given), switched to
 * the context asked for. Throws naming the contexts there are when it is not among them.
 */
export function loadKubeConfig(context: string, file?: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (file) kc.loadFromFile(file);
    else kc.loadFromDefault();
  } catch (err) {
    const where = file ?? process.env['KUBECONFIG'] ?? '~/.kube/config';
    throw new Error(`cannot read the kubeconfig ${where}: ${(err as Error).message}; point --kubeconfig (or $KUBECONFIG) at a kubeconfig with the cluster's context`);
  }
  const names = kc.getContexts().map((c) => c.name);
  if (!names.includes(context)) {
    throw new Error(`context "${context}" is not in the kubeconfig (it has: ${names.join(', ') || 'none'}); pass --context with one of them, or add it with kubectl config`);
  }
  kc.setCurrentContext(context);
  return kc;
}

/** An API call's error with its network cause (undici's "fetch failed" says nothing alone). */
export function apiErrorDetail(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return `${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`;
}
