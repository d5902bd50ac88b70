/**
 * `exit` / `quit` (and `exit()` / `quit()`) as a cell: leave the console, as in IPython.
 *
 * jupyter console's help says "You can always use 'exit' or 'quit'"; with lrlab they were a type
 * error ("Cannot find name 'exit'") and only Ctrl-D left. ipykernel's `exit` (ZMQExitAutocall,
 * called even without parentheses) adds the payload `{ source: "ask_exit", keepkernel: false }`
 * to the execute_reply, and the console leaves (and shuts down a kernel it started) when it reads
 * it; a notebook ignores it. As in IPython, a name the user has defined wins: a cell's own
 * `const exit = ...` (or a global of that name) is read as that value, not as a request to leave.
 */

/** The payload ipykernel's ask_exit writes (keepkernel: `exit(keep_kernel=True)` keeps the kernel). */
export const ASK_EXIT = Object.freeze({ source: "ask_exit", keepkernel: false });

/**
 * Whether `code` is only `exit` or `quit`, bare or called without arguments (spaces, one `;`),
 * and `defined(name)` says the user has no value of that name.
 */
export function isExitRequest(code: string, defined: (name: string) => boolean): boolean {
  const m = /^\s*(exit|quit)\s*(?:\(\s*\))?\s*;?\s*$/.exec(code);
  return m !== null && !defined(m[1]);
}
