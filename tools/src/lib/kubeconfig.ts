import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/** The kubeconfig files kubectl would read: $KUBECONFIG's list, else ~/.kube/config. */
function defaultKubeConfigFiles(): string[] {
  const env = process.env['KUBECONFIG'];
  return env ? env.split(delimiter).filter((f) => f !== '') : [join(homedir(), '.kube', 'config')];
}

/**
 * The kubeconfig a person uses ($KUBECONFIG or ~/.kube/config, or the file given), switched to
 * the context asked for. Throws naming the contexts there are when it is not among them.
 */
export function loadKubeConfig(context: string, file?: string): KubeConfig {
  const kc = new KubeConfig();
  // Without any file, client-node makes up a context called "loaded-context" for localhost.
  if (!file && !defaultKubeConfigFiles().some((f) => existsSync(f))) {
    throw new Error(`no kubeconfig: ${process.env['KUBECONFIG'] ? `none of $KUBECONFIG (${process.env['KUBECONFIG']}) exists` : `~/.kube/config does not exist and $KUBECONFIG is not set`}; pass --kubeconfig <file>, or set $KUBECONFIG to a kubeconfig with the cluster's context`);
  }
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
