/**
 * The webhook target policy: which URLs the service will POST to. Checked twice: when a job is
 * submitted (a clear 400 for the client) and at connect time through the dispatcher's DNS lookup,
 * so a name that resolves to a public address at submit time and to 127.0.0.1 later (DNS
 * rebinding) is still refused.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { Agent } from 'undici';
import { WebhookTargetError } from '../errors.js';
import { forbiddenAddressReason } from './address-policy.js';

/** Resolves a host name to every address it has. */
export type Resolver = (hostname: string) => Promise<string[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

export interface WebhookTargetPolicyOptions {
  /** Allow loopback and private targets (tests, trusted internal receivers). Default false. */
  allowPrivate?: boolean;
  /** DNS resolution; injectable for tests. Default: the system resolver. */
  resolve?: Resolver;
}

export class WebhookTargetPolicy {
  readonly allowPrivate: boolean;
  private readonly resolve: Resolver;

  constructor(options: WebhookTargetPolicyOptions = {}) {
    this.allowPrivate = options.allowPrivate ?? false;
    this.resolve = options.resolve ?? systemResolver;
  }

  private parse(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new WebhookTargetError(raw, 'not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new WebhookTargetError(raw, `scheme ${url.protocol} is not http or https`);
    }
    return url;
  }

  /** Every address `hostname` stands for, each checked; throws WebhookTargetError on the first refused. */
  async addresses(hostname: string, rawUrl: string): Promise<string[]> {
    const host = hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    if (isIP(host) !== 0) {
      addresses = [host];
    } else {
      try {
        addresses = await this.resolve(host);
      } catch (error) {
        throw new WebhookTargetError(rawUrl, `cannot resolve ${host} (${(error as Error).message})`);
      }
      if (addresses.length === 0) throw new WebhookTargetError(rawUrl, `${host} has no address`);
    }
    if (!this.allowPrivate) {
      for (const address of addresses) {
        const reason = forbiddenAddressReason(address);
        // Refuse if any address is private: the connection could pick that one.
        if (reason !== undefined) {
          throw new WebhookTargetError(rawUrl, `${host} resolves to ${address}, ${reason}`);
        }
      }
    }
    return addresses;
  }

  /** Validates a webhook URL; returns it normalised. */
  async check(raw: string): Promise<string> {
    const url = this.parse(raw);
    await this.addresses(url.hostname, raw);
    return url.toString();
  }

  /** A `lookup` for net.connect that resolves through the policy and refuses forbidden addresses. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    void this.addresses(hostname, hostname)
      .then(
        (addresses) => {
          const entries = addresses.map((address) => ({ address, family: isIP(address) }));
          if (options.all) {
            (callback as unknown as (err: null, all: typeof entries) => void)(null, entries);
          } else {
            const first = entries[0]!;
            callback(null, first.address, first.family);
          }
        },
        (error: Error) => callback(error as NodeJS.ErrnoException, '', 0),
      )
      // The callback belongs to the connection; if it throws, calling it again would be wrong,
      // and letting the rejection go unhandled would end the process.
      .catch(() => undefined);
  };

  /**
   * An undici dispatcher whose connections go through the policy's lookup. IP-literal URLs skip
   * DNS, so deliveries call `check` as well before each attempt.
   */
  createDispatcher(options: { connectTimeoutMs?: number } = {}): Agent {
    return new Agent({
      connect: { lookup: this.lookup, timeout: options.connectTimeoutMs ?? 10_000 },
      keepAliveTimeout: 4_000,
    });
  }
}
