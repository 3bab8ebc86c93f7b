/**
 * The URL to resume on: READY's `resume_gateway_url` (a bare host such as
 * `wss://gateway-us-east1-b.discord.gg`) with the version and encoding query of the configured
 * gateway URL added, since Discord expects them on every connection. Falls back to the
 * configured URL when Discord sent nothing usable.
 * https://discord.com/developers/docs/events/gateway#preparing-to-resume
 */
export function buildResumeUrl(resumeGatewayUrl: unknown, gatewayUrl: string): string {
  if (typeof resumeGatewayUrl !== 'string' || resumeGatewayUrl.length === 0) return gatewayUrl;
  let resume: URL;
  try {
    resume = new URL(resumeGatewayUrl);
  } catch {
    return gatewayUrl;
  }
  if (resume.protocol !== 'ws:' && resume.protocol !== 'wss:') return gatewayUrl;
  for (const [key, value] of new URL(gatewayUrl).searchParams) {
    if (!resume.searchParams.has(key)) resume.searchParams.set(key, value);
  }
  return resume.toString();
}
