// The delay probe, in its own process so a busy load generator does not skew its clock. Command
// `probe {port, count}`: on one connection to /echo, alternates an undelayed message ("plain N") and
// one the delay rule holds ("delayed N"), and returns each delayed round trip minus the undelayed one
// before it, in ms.
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { servePeer } from './peer-process.mjs';

async function probe({ port, count }) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/echo`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let answered;
  ws.on('message', () => answered());
  const roundTrip = async (text) => {
    const echoed = new Promise((resolve) => { answered = resolve; });
    const start = performance.now();
    ws.send(text);
    await echoed;
    return performance.now() - start;
  };
  const deltas = [];
  for (let i = 0; i < count; i++) {
    const plain = await roundTrip(`plain ${i}`);
    deltas.push((await roundTrip(`delayed ${i}`)) - plain);
  }
  await new Promise((resolve) => {
    ws.once('close', resolve);
    ws.close(1000);
  });
  return deltas;
}

servePeer(0, { probe }, () => {});
