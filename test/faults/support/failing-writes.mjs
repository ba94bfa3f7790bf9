// Preloaded into a child engine (NODE_OPTIONS=--import) where a real full disk cannot be made (no
// root for mount -t tmpfs): while the file named by FRAMESCOPE_TEST_DISK_FULL exists, every write to
// a file fails with ENOSPC, as on a full disk; reads and everything else go to the real node:fs.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const flag = process.env.FRAMESCOPE_TEST_DISK_FULL;
if (flag) {
  const full = () => fs.existsSync(flag);
  const enospc = (call) => Object.assign(new Error(`ENOSPC: no space left on device, ${call}`), { code: 'ENOSPC', errno: -28, syscall: call });
  const { writev, writevSync, writeSync, writeFileSync } = fs;
  fs.writev = (fd, buffers, position, callback) => {
    if (typeof position === 'function') [callback, position] = [position, null];
    if (full()) setImmediate(() => callback(enospc('write'), 0));
    else writev(fd, buffers, position, callback);
  };
  fs.writevSync = (...args) => {
    if (full()) throw enospc('write');
    return writevSync(...args);
  };
  fs.writeSync = (fd, ...args) => {
    // Standard streams are not files on the disk.
    if (fd > 2 && full()) throw enospc('write');
    return writeSync(fd, ...args);
  };
  fs.writeFileSync = (...args) => {
    if (full()) throw enospc('open');
    return writeFileSync(...args);
  };
  syncBuiltinESMExports();
}
