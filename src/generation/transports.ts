/**
 * The connections a client talks through: the REST client (with its one RateLimiter) and, for
 * `watch: 'gateway'`, the gateway client. Injected ones are used as given and left open on
 * `close()`; the ones built here belong to the client.
 */
import { DEFAULT_API_BASE_URL, DEFAULT_GATEWAY_URL } from '../config/index.js';
import { GatewayClient } from '../discord/gateway/index.js';
import { RestClient, restIdentityOf } from '../discord/rest/index.js';
import type { MidjourneyOptions, RestApi } from './client-options.js';
import { GenerationOptionsError } from './errors.js';
import type { GenerationSettings } from './options.js';

export interface Transports {
  rest: RestApi;
  gateway: GatewayClient | undefined;
  /** Closes what was built here, not what was injected. */
  close(): Promise<void>;
}

export function openTransports(options: MidjourneyOptions, settings: GenerationSettings): Transports {
  const { config } = options;
  const token = options.token ?? config?.credentials?.token;
  const wantsGateway = settings.watch === 'gateway';
  const needsToken = !options.rest || (wantsGateway && !options.gateway);
  if (needsToken && (typeof token !== 'string' || token === '')) {
    throw new GenerationOptionsError(
      'token',
      'required (or config.credentials) unless `rest` and `gateway` are given',
    );
  }
  let ownedRest: RestClient | undefined;
  if (!options.rest) {
    const spacing = options.minRequestSpacingMs ?? config?.minRequestSpacingMs;
    ownedRest = new RestClient({
      token: token as string,
      baseUrl: options.apiBaseUrl ?? config?.apiBaseUrl ?? DEFAULT_API_BASE_URL,
      timeoutMs: options.requestTimeoutMs ?? config?.requestTimeoutMs ?? 15_000,
      ...(config ? restIdentityOf(config) : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.sendGate ? { sendGate: options.sendGate } : {}),
      limiterOptions: {
        ...(spacing !== undefined ? { minSpacingMs: spacing } : {}),
        ...(config ? { invalidRequestThreshold: config.invalidRequestThreshold } : {}),
      },
    });
  }
  let ownedGateway: GatewayClient | undefined;
  if (wantsGateway && !options.gateway) {
    ownedGateway = new GatewayClient({
      token: token as string,
      url: options.gatewayUrl ?? config?.gatewayUrl ?? DEFAULT_GATEWAY_URL,
    });
  }
  return {
    rest: options.rest ?? (ownedRest as RestClient),
    gateway: wantsGateway ? (options.gateway ?? ownedGateway) : undefined,
    close: async () => {
      await ownedGateway?.close();
      await ownedRest?.close();
    },
  };
}
