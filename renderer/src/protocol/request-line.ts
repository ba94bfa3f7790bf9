// The engine's check of an edited upgrade request (a pure module: no Node APIs).
export { checkRequestHead, type RequestLineProblem } from '../../../src/protocol/request-line.js';
