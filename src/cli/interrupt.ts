/**
 * SIGINT and SIGTERM during a bot run (a cancelled workflow, Ctrl-C): clean up, then exit 130 or 143
 * (128 + the signal's number, as a shell reports a process the signal ended). Without a handler node
 * dies on the spot and leaves the bot's worktree registered in the clone (issue 12).
 */
export const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

export async function withInterruptCleanup<T>(cleanup: () => void, run: () => Promise<T>): Promise<T> {
  const handlers = (Object.keys(EXIT_CODES) as (keyof typeof EXIT_CODES)[]).map((signal) => {
    const handler = (): void => {
      try {
        cleanup();
      } finally {
        console.error(`envmatrix: interrupted (${signal}); removed the bot's worktree`);
        process.exit(EXIT_CODES[signal]);
      }
    };
    process.once(signal, handler);
    return () => process.removeListener(signal, handler);
  });
  try {
    return await run();
  } finally {
    for (const remove of handlers) remove();
  }
}
