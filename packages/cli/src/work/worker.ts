/**
 * A worker thread of the task pool: loads the project's registry itself (plug-ins cannot be sent
 * between threads), then runs the tasks it is sent one at a time and posts each result back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadRegistry } from '@vmakit/registry';
import { serializeError, type WorkerData, type WorkerReply, type WorkerRequest } from './protocol.js';
import { taskExecutor } from './tasks.js';

const port = parentPort;
if (port === null) throw new Error('worker.js must run as a worker thread');
const data = workerData as WorkerData;

try {
  const executor = taskExecutor(await loadRegistry(data.projectDir));
  let controller = new AbortController();
  port.on('message', (msg: WorkerRequest) => {
    if (msg.type === 'abort') {
      controller.abort();
      return;
    }
    controller = new AbortController();
    executor.run(msg.task, controller.signal).then(
      (result) => port.postMessage({ type: 'result', id: msg.id, result } satisfies WorkerReply),
      (err: unknown) =>
        port.postMessage({ type: 'error', id: msg.id, error: serializeError(err) } satisfies WorkerReply),
    );
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
} catch (err) {
  port.postMessage({ type: 'fatal', error: serializeError(err) } satisfies WorkerReply);
}
