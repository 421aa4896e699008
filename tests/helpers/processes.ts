/**
 * The machine's processes as /proc lists them, for tests and benches that look for the processes they started
 * (sandboxes, compilers, servers) or count them.
 *
 * @module
 */

/** One process of the table. */
export interface ProcessEntry {
  /** Its id. */
  pid: number;
  /** Its parent's id. */
  ppid: number;
  /** Its command line, arguments separated by NUL characters. */
  cmdline: string;
}

/**
 * Every process readable in /proc now; one that ends while the table is read is left out.
 *
 * @returns The processes.
 */
export function processes(): ProcessEntry[] {
  const table: ProcessEntry[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      // Field 4 (ppid) comes after the command name, which is in parentheses and may hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`);
      table.push({ pid: Number(entry.name), ppid, cmdline });
    } catch {
      // The process ended while the table was read.
    }
  }
  return table;
}

/**
 * The processes whose command line contains every one of `parts`, optionally only this process's children.
 *
 * @param parts Strings the command line must contain.
 * @param options `childrenOnly`: only processes whose parent is this process.
 * @returns Their ids.
 */
export function pidsRunning(parts: string[], options: { childrenOnly?: boolean } = {}): number[] {
  return processes()
    .filter((p) => !options.childrenOnly || p.ppid === Deno.pid)
    .filter((p) => parts.every((part) => p.cmdline.includes(part)))
    .map((p) => p.pid);
}
