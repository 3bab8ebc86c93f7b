export type { Config, DiscordCredentials, LoadConfigOptions, LogLevel, WatchMode } from './config/index.js';
export { ConfigError, describeConfig, loadConfig } from './config/index.js';
export { isWorkerError, ValidationError, WorkerError } from './errors.js';
