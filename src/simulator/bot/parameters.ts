/**
 * The Midjourney parameters the bot recognises and how it validates their values.
 * https://docs.midjourney.com/docs/parameter-list
 */

/** Returns a reason when `value` is not acceptable, undefined when it is. */
type Check = (value: string) => string | undefined;

const required =
  (check: Check): Check =>
  (value) =>
    value === '' ? 'a value is required' : check(value);

const integer = (min: number, max: number): Check =>
  required((value) =>
    /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max
      ? undefined
      : `expected a whole number from ${min} to ${max}`,
  );

const number = (min: number, max: number): Check =>
  required((value) =>
    /^\d*\.?\d+$/.test(value) && Number(value) >= min && Number(value) <= max
      ? undefined
      : `expected a number from ${min} to ${max}`,
  );

const oneOf = (values: readonly string[], optional = false): Check => {
  const check: Check = (value) =>
    values.includes(value) ? undefined : `expected one of ${values.join(', ')}`;
  return optional ? (value) => (value === '' ? undefined : check(value)) : required(check);
};

const anything: Check = required(() => undefined);
const optionalAnything: Check = () => undefined;
const flag: Check = (value) => (value === '' ? undefined : 'this parameter takes no value');

const aspectRatio: Check = required((value) => {
  const match = /^(\d+):(\d+)$/.exec(value);
  return match && Number(match[1]) > 0 && Number(match[2]) > 0
    ? undefined
    : 'expected width:height, e.g. `3:2`';
});

export const MODEL_VERSIONS = ['1', '2', '3', '4', '5', '5.0', '5.1', '5.2', '6', '6.0', '6.1', '7'] as const;

const CHECKS: Record<string, Check> = {
  ar: aspectRatio,
  aspect: aspectRatio,
  v: oneOf(MODEL_VERSIONS),
  version: oneOf(MODEL_VERSIONS),
  niji: oneOf(['4', '5', '6'], true),
  q: oneOf(['.25', '0.25', '.5', '0.5', '1', '2', '4']),
  quality: oneOf(['.25', '0.25', '.5', '0.5', '1', '2', '4']),
  s: integer(0, 1000),
  stylize: integer(0, 1000),
  c: integer(0, 100),
  chaos: integer(0, 100),
  seed: integer(0, 4_294_967_295),
  sameseed: integer(0, 4_294_967_295),
  stop: integer(10, 100),
  // Custom Zoom's form (zoom out by 1 to 2).
  zoom: number(1, 2),
  iw: number(0, 3),
  w: integer(0, 3000),
  weird: integer(0, 3000),
  r: integer(1, 40),
  repeat: integer(1, 40),
  no: anything,
  style: anything,
  cref: anything,
  sref: anything,
  cw: integer(0, 100),
  sw: integer(0, 1000),
  p: optionalAnything,
  personalize: optionalAnything,
  profile: anything,
  exp: integer(0, 100),
  oref: anything,
  ow: integer(1, 1000),
  stealth: flag,
  public: flag,
  tile: flag,
  fast: flag,
  relax: flag,
  turbo: flag,
  raw: flag,
  video: flag,
  hd: flag,
  test: flag,
  testp: flag,
  uplight: flag,
  upbeta: flag,
  creative: flag,
  draft: flag,
};

export function isKnownParameter(name: string): boolean {
  return Object.hasOwn(CHECKS, name);
}

/** Why `value` is not valid for the known parameter `name`, or undefined if it is. */
export function checkParameter(name: string, value: string): string | undefined {
  return CHECKS[name]?.(value);
}

/** Values Midjourney may leave out of the echo because they are its defaults, by parameter name. */
const DEFAULTS: Record<string, readonly string[]> = {
  ar: ['1:1'],
  aspect: ['1:1'],
  c: ['0'],
  chaos: ['0'],
  q: ['1'],
  quality: ['1'],
  s: ['100'],
  stylize: ['100'],
  w: ['0'],
  weird: ['0'],
  stop: ['100'],
  r: ['1'],
  repeat: ['1'],
  iw: ['1'],
  cw: ['100'],
  sw: ['100'],
  ow: ['100'],
  exp: ['0'],
};

/** Mode and visibility switches: applied, then possibly left out of the echo. */
const SWITCHES = new Set(['fast', 'relax', 'turbo', 'stealth', 'public']);

/** Whether Midjourney may drop `--name value` from the echo (a default value or a mode switch). */
export function isDroppable(name: string, value: string): boolean {
  if (SWITCHES.has(name)) return true;
  const numeric = /^\d*\.?\d+$/.test(value) ? String(Number(value)) : value;
  return DEFAULTS[name]?.includes(numeric) ?? false;
}
