import { loadConfig } from '../config/config.js';
import { createRunnerApp } from '../app/app.js';
import { installSignalHandlers } from '../app/signals.js';

/** `pnpm start`: the runner alone, configured from the environment. */
async function main(): Promise<void> {
  const config = loadConfig(process.env, {}, process.env.INIT_CWD ?? process.cwd());
  const app = await createRunnerApp({ config });
  installSignalHandlers(app, config.shutdownGraceMs);
  const url = await app.listen();
  app.logging.root.info(`Runner listening on ${url} (log page: ${url}/, logs in ${config.logDir})`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
