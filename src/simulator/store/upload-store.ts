/**
 * The upload host's side of Discord's attachment flow: `POST /channels/{id}/attachments` opens a
 * slot per file (`upload_filename` = `<uuid>/<name>`), the client PUTs the bytes to the slot's
 * `upload_url` (no token, as on Google Cloud Storage), and an interaction may then name the file
 * in `data.attachments[].uploaded_filename`. Slots expire, and a PUT of another size than
 * announced is refused, as the real host refuses a size mismatch.
 */
import type { Snowflake } from '../../discord/types.js';

export interface UploadSlot {
  uploadFilename: string;
  filename: string;
  size: number;
  channelId: Snowflake;
  userId: Snowflake;
  createdAt: number;
  bytes?: Buffer;
  contentType?: string;
}

/** Discord's attachment limit for an account without Nitro. */
export const SIM_UPLOAD_MAX_BYTES = 10 * 1024 * 1024;
const SLOT_TTL_MS = 60 * 60 * 1000;
const MAX_SLOTS = 500;

export class UploadStore {
  private readonly slots = new Map<string, UploadSlot>();

  constructor(private readonly now: () => number = Date.now) {}

  open(slot: Omit<UploadSlot, 'createdAt'>): UploadSlot {
    const full: UploadSlot = { ...slot, createdAt: this.now() };
    this.slots.set(slot.uploadFilename, full);
    while (this.slots.size > MAX_SLOTS) {
      const oldest = this.slots.keys().next().value;
      if (oldest === undefined) break;
      this.slots.delete(oldest);
    }
    return full;
  }

  /** Stores PUT bytes: 'ok', 'unknown' (no such slot, or expired) or 'size-mismatch'. */
  put(uploadFilename: string, bytes: Buffer, contentType: string): 'ok' | 'unknown' | 'size-mismatch' {
    const slot = this.live(uploadFilename);
    if (slot === undefined) return 'unknown';
    if (bytes.length !== slot.size) return 'size-mismatch';
    slot.bytes = bytes;
    slot.contentType = contentType;
    return 'ok';
  }

  /** A slot whose bytes arrived, for the user who opened it. */
  uploaded(uploadFilename: string, userId: Snowflake): UploadSlot | undefined {
    const slot = this.live(uploadFilename);
    return slot?.bytes !== undefined && slot.userId === userId ? slot : undefined;
  }

  private live(uploadFilename: string): UploadSlot | undefined {
    const slot = this.slots.get(uploadFilename);
    if (slot === undefined) return undefined;
    if (this.now() - slot.createdAt > SLOT_TTL_MS) {
      this.slots.delete(uploadFilename);
      return undefined;
    }
    return slot;
  }
}
