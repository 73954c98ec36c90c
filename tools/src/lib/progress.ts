/**
 * A line saying what a step that can take more than two seconds is doing. Only on a
 * terminal: logs, pipes and tests see the results alone, so their output stays exact.
 */
export function progress(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`${line}\n`);
}
