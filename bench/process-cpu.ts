/** CPU time of another process (the Temporal dev server), from Linux's /proc; undefined elsewhere. */
import fs from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat: USER_HZ, 100 on Linux (x86 and arm). */
const ticksPerSecond = 100;

/** User + system CPU milliseconds the process has used so far, or undefined when /proc cannot tell. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: the fields after it start past the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 (utime, stime) of the whole line are 12 and 13 of those.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / ticksPerSecond : undefined;
  } catch {
    return undefined;
  }
}
