/**
 * The API routes the simulator serves, matched against the path after `/api/v10`. A route's
 * template (`GET /channels/{channel_id}/messages`) names it in the request log, in faults and in
 * rate-limit configuration; its major parameter splits rate-limit buckets.
 */
export interface RouteDefinition<H> {
  method: string;
  /** Path template with `{name}` parameters. */
  path: string;
  /** The parameter that splits buckets (channel or guild), if any. */
  major?: string;
  handler: H;
}

export type RouteMatch<H> =
  | { kind: 'found'; route: string; params: Record<string, string>; major: string | undefined; handler: H }
  | { kind: 'method-not-allowed'; route: string }
  | { kind: 'not-found' };

interface Compiled<H> {
  definition: RouteDefinition<H>;
  pattern: RegExp;
  names: string[];
}

export class RouteTable<H> {
  private readonly compiled: Compiled<H>[];

  constructor(definitions: readonly RouteDefinition<H>[]) {
    this.compiled = definitions.map((definition) => {
      const names: string[] = [];
      const source = definition.path
        .split('/')
        .map((segment) => {
          const param = /^\{(\w+)\}$/.exec(segment);
          if (param?.[1] === undefined) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(param[1]);
          return '([^/]+)';
        })
        .join('/');
      return { definition, pattern: new RegExp(`^${source}/?$`), names };
    });
  }

  match(method: string, path: string): RouteMatch<H> {
    let pathKnown: string | undefined;
    for (const { definition, pattern, names } of this.compiled) {
      const found = pattern.exec(path);
      if (found === null) continue;
      if (definition.method !== method) {
        pathKnown ??= definition.path;
        continue;
      }
      const params: Record<string, string> = {};
      names.forEach((name, i) => {
        params[name] = decodeURIComponent(found[i + 1] ?? '');
      });
      return {
        kind: 'found',
        route: `${method} ${definition.path}`,
        params,
        major: definition.major === undefined ? undefined : params[definition.major],
        handler: definition.handler,
      };
    }
    return pathKnown === undefined
      ? { kind: 'not-found' }
      : { kind: 'method-not-allowed', route: `${method} ${pathKnown}` };
  }
}
