/**
 * The fake's PIN store (docs/reference/plex-api.md §5.4): pins are created by `POST api/v2/pins`, read by `GET
 * api/v2/pins/{id}`, and become linked or expire after a configured number of polls (or when `linkPin` is called), so a
 * test can drive every outcome of a login without a browser.
 */
import { randomInt } from 'node:crypto';

export interface FakePin {
  id: number;
  code: string;
  clientIdentifier: string;
  product: string;
  createdAt: Date;
  expiresAt: Date;
  authToken: string | null;
  /** Polls answered so far. */
  polls: number;
}

export interface PinRules {
  /** The first N polls see the pin pending; poll N+1 sees it linked. */
  authorizeAfterPolls?: number;
  /** The first N polls see the pin pending; poll N+1 gets 404 code 1020 and the pin is gone. */
  expireAfterPolls?: number;
  /** The token a linked pin carries. */
  token: string;
}

const PIN_LIFETIME_S = 900;
const STRONG_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const SHORT_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function randomCode(alphabet: string, length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += alphabet[randomInt(alphabet.length)];
  return code;
}

export type PinPoll = { status: 'pending' | 'linked'; pin: FakePin } | { status: 'gone' };

export class FakePinStore {
  private nextId = 100_000_001;
  readonly pins = new Map<number, FakePin>();

  create(clientIdentifier: string, product: string, strong: boolean, now = new Date()): FakePin {
    const pin: FakePin = {
      id: this.nextId++,
      // Strong codes are long (app.plex.tv/auth flow); the short ones are what a user types at plex.tv/link.
      code: strong ? randomCode(STRONG_ALPHABET, 25) : randomCode(SHORT_ALPHABET, 4),
      clientIdentifier,
      product,
      createdAt: now,
      expiresAt: new Date(now.getTime() + PIN_LIFETIME_S * 1000),
      authToken: null,
      polls: 0,
    };
    this.pins.set(pin.id, pin);
    return pin;
  }

  poll(id: number, rules: PinRules, now = new Date()): PinPoll {
    const pin = this.pins.get(id);
    if (!pin) return { status: 'gone' };
    const answered = pin.polls;
    pin.polls += 1;
    if (now >= pin.expiresAt || (rules.expireAfterPolls !== undefined && answered >= rules.expireAfterPolls)) {
      this.pins.delete(id);
      return { status: 'gone' };
    }
    if (pin.authToken === null && rules.authorizeAfterPolls !== undefined && answered >= rules.authorizeAfterPolls) {
      pin.authToken = rules.token;
    }
    return { status: pin.authToken === null ? 'pending' : 'linked', pin };
  }

  /** Links a pin now (as if the user approved it in the browser). */
  link(id: number, token: string): void {
    const pin = this.pins.get(id);
    if (!pin) throw new Error(`no pin ${id}`);
    pin.authToken = token;
  }
}

/** A pin as plex.tv's v2 JSON writes it (`authToken` null until linked). */
export function pinToJson(pin: FakePin, now = new Date()): Record<string, unknown> {
  return {
    id: pin.id,
    code: pin.code,
    product: pin.product,
    trusted: false,
    qr: `https://plex.tv/api/v2/pins/qr/${pin.code}`,
    clientIdentifier: pin.clientIdentifier,
    expiresIn: Math.max(0, Math.round((pin.expiresAt.getTime() - now.getTime()) / 1000)),
    createdAt: pin.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    expiresAt: pin.expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    authToken: pin.authToken,
    newRegistration: null,
  };
}
