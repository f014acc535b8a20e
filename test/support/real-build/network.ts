import { runOk } from './process';

/**
 * Names of the machine's network interfaces (`ip -o link`), sorted. The real builds must leave
 * this set unchanged: no bridge (docker0, podman's 10.88.x) and no veth ever come up.
 */
export function networkInterfaceNames(): string[] {
  return runOk('ip', ['-o', 'link', 'show'], { timeoutMs: 5_000 })
    .split('\n')
    .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}
