// Worker entry: load TypeScript through tsx (workers do not inherit the test runner's
// loader), then run the worker proper.
import { register } from 'tsx/esm/api';

register();
await import('./busy-worker.ts');
