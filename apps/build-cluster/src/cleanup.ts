/**
 * The shell the cleanup CronJob runs: force-deletes the pods of a namespace that have been
 * Terminating for longer than the given minutes. A pod whose node is gone never finishes
 * terminating on its own; production had job pods stuck like that for weeks.
 */
export function cleanupScript(namespace: string, stuckForMinutes: number): string {
  return [
    'set -eu',
    `cutoff=$(date -u -d "@$(( $(date +%s) - ${stuckForMinutes * 60} ))" +%Y-%m-%dT%H:%M:%SZ)`,
    `echo "force-deleting pods in ${namespace} Terminating since before $cutoff"`,
    `kubectl get pods --namespace=${namespace} --request-timeout=60s \\`,
    `  -o jsonpath='{range .items[?(@.metadata.deletionTimestamp)]}{.metadata.name}{" "}{.metadata.deletionTimestamp}{"\\n"}{end}' \\`,
    `  | awk -v cutoff="$cutoff" '$2 < cutoff { print $1 }' \\`,
    `  | xargs -r kubectl delete pod --namespace=${namespace} --force --grace-period=0 --request-timeout=60s`,
    '',
  ].join('\n');
}
