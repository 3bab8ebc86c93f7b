/** The finished images: lazy thumbnails; one opened shows its four images, prompt and parameters. */
import { useState } from 'preact/hooks';
import { aspectRatioOf, safeUrl, splitPrompt } from '../format.js';
import type { JobView } from '../types.js';

/** A grid is one 2x2 image (https://docs.midjourney.com/docs/quick-start): each quadrant is a quarter of it. */
const QUADRANTS = ['0% 0%', '100% 0%', '0% 100%', '100% 100%'] as const;

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export function Gallery({ jobs }: { jobs: JobView[] }) {
  const done = jobs.filter((j) => j.status === 'succeeded' && j.result !== null);
  const [open, setOpen] = useState<string | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  // The grid's own proportions, once it has loaded (the --ar guess until then).
  const [ratio, setRatio] = useState<{ url: string; ratio: string } | null>(null);
  const opened = done.find((j) => j.id === open);
  return (
    <section>
      {opened?.result && (
        <div class="opened" data-testid="gallery-open">
          {opened.result.actions.includes('U1') ? (
            <div class="four" data-testid="quadrants">
              <img
                hidden
                alt=""
                src={opened.result.imageUrl}
                onLoad={(e) => {
                  const img = e.currentTarget as HTMLImageElement;
                  const url = opened.result!.imageUrl;
                  setRatio({ url, ratio: `${img.naturalWidth} / ${img.naturalHeight}` });
                }}
              />
              {QUADRANTS.map((position, i) => (
                <a
                  key={position}
                  href={safeUrl(opened.result!.imageUrl)}
                  target="_blank"
                  rel="noreferrer"
                  title={`U${i + 1}`}
                >
                  <div
                    class="quad"
                    role="img"
                    aria-label={`${i + 1} of 4: ${opened.prompt}`}
                    style={{
                      backgroundImage: `url("${safeUrl(opened.result!.imageUrl)}")`,
                      backgroundPosition: position,
                      aspectRatio:
                        ratio?.url === opened.result!.imageUrl ? ratio.ratio : aspectRatioOf(opened.prompt),
                    }}
                  />
                </a>
              ))}
            </div>
          ) : (
            <img class="grid" src={opened.result.imageUrl} alt={opened.prompt} />
          )}
          <p class="prompt">{splitPrompt(opened.prompt).text}</p>
          <p>
            {splitPrompt(opened.prompt).parameters.map(([k, v]) => (
              <code key={k}>
                --{k} {v}
              </code>
            ))}
          </p>
          <a href={safeUrl(opened.result.imageUrl)} download target="_blank" rel="noreferrer">
            Download grid
          </a>{' '}
          <button
            type="button"
            onClick={async () => setCopied((await copy(opened.prompt)) ? opened.id : null)}
          >
            {copied === opened.id ? 'Copied' : 'Copy prompt'}
          </button>{' '}
          <a href={`#/jobs/${opened.id}`}>Open job</a>{' '}
          <button type="button" class="quiet" onClick={() => setOpen(null)}>
            Close
          </button>
        </div>
      )}
      <div class="gallery" data-testid="gallery">
        {done.map((job) => (
          <button
            type="button"
            key={job.id}
            class="tile"
            onClick={() => setOpen(job.id)}
            title={job.action ? `${job.action} · ${job.prompt}` : job.prompt}
          >
            <img loading="lazy" src={job.result!.imageUrl} alt={job.prompt} width={160} height={160} />
          </button>
        ))}
      </div>
      {done.length === 0 && <p class="empty">No finished images yet.</p>}
    </section>
  );
}
