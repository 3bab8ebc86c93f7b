/** The pieces of the simulated Discord the HTTP handlers work on. */
import type { CommandRegistry } from './command-registry.js';
import type { DiscordWorld } from './discord-world.js';
import type { InteractionDelivery } from './interaction-delivery.js';
import type { ScaledClock } from './sim-clock.js';
import type { UploadStore } from './store/upload-store.js';
import type { ChannelDirectory, UserDirectory } from './users.js';

export interface SimState {
  world: DiscordWorld;
  users: UserDirectory;
  channels: ChannelDirectory;
  commands: CommandRegistry;
  delivery: InteractionDelivery;
  clock: ScaledClock;
  /** Attachment upload slots and the bytes PUT to them. */
  uploads: UploadStore;
  /** The upload host's origin (the simulator's own, under `/upload/`). */
  uploadBaseUrl: () => string;
}
