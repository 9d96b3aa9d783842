// Entry of Beckon's worker threads: Beckon runs its TypeScript sources directly, and a worker thread does not
// inherit the parent's loader, so this plain-JS file registers tsx and then imports the real entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
