import { runConformance } from './conformance.js';
import { cliFace, logCoreFace, pinoFace, winstonFace } from './faces.js';

runConformance('pino worker transport', pinoFace);
runConformance('winston transport', winstonFace);
runConformance('log-core handler', logCoreFace);
runConformance('pactown-loki CLI', cliFace);
