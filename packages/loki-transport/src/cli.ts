#!/usr/bin/env node
import { main } from './cli-main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`${err instanceof TypeError ? err.message : err.stack}\n`);
    process.exitCode = 2;
  },
);
