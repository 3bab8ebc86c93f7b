/**
 * midjourney-proxy's two-step form flow: `/mj/submit/action` on a button Midjourney answers with a
 * form (Custom Zoom, a describe / shorten prompt) and no `prompt` answers code 21 with a ticket id;
 * `/mj/submit/modal` with that id and the `prompt` runs the button. Tickets live in this process
 * for `ttlMs` (a cluster routes the follow-up to any node: send `prompt` with `/mj/submit/action`
 * there instead).
 */
import { randomInt } from 'node:crypto';

export interface ModalTicket {
  clientId: string;
  /** The task whose button opens the form. */
  parentId: string;
  customId: string;
  expiresAt: number;
}

export class ModalTickets {
  private readonly tickets = new Map<string, ModalTicket>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = 15 * 60_000,
  ) {}

  issue(input: Omit<ModalTicket, 'expiresAt'>): string {
    this.sweep();
    // 16 digits like a task id, from a range task ids (creation-time based) do not reach.
    const digits = (n: number): string => String(randomInt(0, 10 ** n)).padStart(n, '0');
    const id = `9${digits(8)}${digits(7)}`;
    this.tickets.set(id, { ...input, expiresAt: this.now() + this.ttlMs });
    return id;
  }

  /** The ticket, once, for its client; undefined when unknown, expired or someone else's. */
  take(id: string, clientId: string): ModalTicket | undefined {
    this.sweep();
    const ticket = this.tickets.get(id);
    if (ticket === undefined || ticket.clientId !== clientId) return undefined;
    this.tickets.delete(id);
    return ticket;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, ticket] of this.tickets) if (ticket.expiresAt <= now) this.tickets.delete(id);
  }
}
