import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const APP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** Starts a built entry (`dist/server.js` or `dist/demo.js`) and waits for its URL on stdout. */
export async function startServerProcess(
  entry: 'server' | 'demo',
  env: Record<string, string>,
  args: string[] = [],
  urlPattern = /Runner listening on (http:\/\/[\d.:]+)/,
): Promise<ServerProcess> {
  const file = path.join(APP, 'dist', `${entry}.js`);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run the build first (npx pnpm build)`);
  const child = spawn(process.execPath, [file, ...args], {
    cwd: APP,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const match = urlPattern.exec(out);
      if (match) {
        child.stdout!.off('data', onData);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => reject(new Error(`${entry} exited (${code}) before listening:\n${out}\n${err}`)));
  });
  return { child, url, stdout: () => out, stderr: () => err, exited };
}
