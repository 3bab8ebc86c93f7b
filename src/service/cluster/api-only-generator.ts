/**
 * The Generator of an API-only node (`mjw serve --no-worker`): its runner hands every job to the
 * queue and never drives one, so nothing here is ever called; if it were, it refuses rather than
 * send anything.
 */
import { EventEmitter } from 'eventemitter3';
import { GeneratorClosedError } from '../../generation/errors.js';
import type { GenerationEvents, GenerationResult, Generator } from '../../generation/types.js';

export class ApiOnlyGenerator extends EventEmitter<GenerationEvents> implements Generator {
  imagine(): Promise<GenerationResult> {
    return Promise.reject(new GeneratorClosedError());
  }
  act(): Promise<GenerationResult> {
    return Promise.reject(new GeneratorClosedError());
  }
  resume(): Promise<GenerationResult> {
    return Promise.reject(new GeneratorClosedError());
  }
  async close(): Promise<void> {}
}
