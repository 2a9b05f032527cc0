import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import canonicalize from 'canonicalize';
import type { JobEnvelope } from './envelope.js';
import { InputError } from './errors.js';

/** Shortest secret accepted: 32 characters is what `openssl rand -base64 24` and up give. */
export const MIN_KEY_LENGTH = 32;

export interface SealSettings {
  /** The signing (and encryption) secret: QTOOL_KEY, else the config's `security.key`. */
  key: string;
  /** Older secrets still accepted when verifying (key rotation): QTOOL_PREVIOUS_KEYS, comma-separated. */
  previousKeys?: string[];
  /** Encrypt every job's data, not only jobs whose definition says `encrypted: true`. */
  encryptAll?: boolean;
}

interface DerivedKey {
  /** Short fingerprint carried in signatures and ciphertexts so rotation knows which key to try. */
  id: string;
  mac: Buffer;
  cipher: Buffer;
}

/** Envelope fields the store changes after dispatch; everything else is covered by the signature. */
const MUTABLE_FIELDS = new Set(['attempts', 'exceptions', 'lockWaits', 'signature']);

/**
 * Signs envelopes at push and checks them at reserve (Laravel's ShouldBeEncrypted, plus a MAC on
 * the whole job): someone who can write to the store but does not hold the key cannot make a
 * worker run a job it did not dispatch, or change the data, queue, chain or middleware of one.
 * HMAC-SHA256 over the RFC 8785 canonical JSON, so key order and whitespace in the store do not
 * matter; AES-256-GCM for data, keys derived from the secret with HKDF.
 */
export class Sealer {
  private readonly current: DerivedKey;
  private readonly accepted: DerivedKey[];

  constructor(readonly settings: SealSettings) {
    this.current = deriveKey(settings.key);
    this.accepted = [this.current, ...(settings.previousKeys ?? []).map(deriveKey)];
  }

  /** A signed copy; `encrypt` replaces data with its ciphertext. */
  seal(envelope: JobEnvelope, encrypt: boolean): JobEnvelope {
    // Sign what the store will hold: JSON drops undefined fields and turns dates into strings.
    const sealed = JSON.parse(JSON.stringify(envelope)) as JobEnvelope;
    delete sealed.signature;
    if (encrypt && !sealed.encrypted) {
      sealed.data = this.encrypt(JSON.stringify(sealed.data ?? null));
      sealed.encrypted = true;
    }
    sealed.signature = `v1.${this.current.id}.${mac(this.current, sealed)}`;
    return sealed;
  }

  /** The envelope as dispatched (data decrypted, signature dropped), or why it must not run. */
  open(envelope: JobEnvelope): { envelope: JobEnvelope } | { rejected: string } {
    const signature = envelope.signature;
    if (!signature) return { rejected: 'job is not signed and this worker requires signed jobs (QTOOL_KEY is set)' };
    const [version, keyId, digest] = signature.split('.');
    const key = this.accepted.find((k) => k.id === keyId);
    if (version !== 'v1' || !key || !digest) {
      return { rejected: 'signature mismatch: the job was signed with a key this worker does not have' };
    }
    if (!safeEqual(digest, mac(key, envelope))) {
      return { rejected: 'signature mismatch: the job was changed in the store after it was dispatched' };
    }
    const opened: JobEnvelope = { ...envelope };
    delete opened.signature;
    if (opened.encrypted) {
      const plain = this.decrypt(String(opened.data));
      if (plain === null) return { rejected: 'cannot decrypt the job data with this worker key' };
      opened.data = JSON.parse(plain);
      delete opened.encrypted;
    }
    return { envelope: opened };
  }

  /** For display: the data in the clear when this key can decrypt it, else left as it is. */
  reveal(envelope: JobEnvelope): JobEnvelope {
    const shown: JobEnvelope = { ...envelope };
    delete shown.signature;
    if (!shown.encrypted) return shown;
    const plain = this.decrypt(String(shown.data));
    if (plain === null) return shown;
    shown.data = JSON.parse(plain);
    delete shown.encrypted;
    return shown;
  }

  private encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.cipher, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', this.current.id, iv, body, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  private decrypt(sealed: string): string | null {
    const [version, keyId, iv, body, tag] = sealed.split('.');
    const key = this.accepted.find((k) => k.id === keyId);
    if (version !== 'v1' || !key || iv === undefined || body === undefined || tag === undefined) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.cipher, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}

/** Sealing settings from the environment (QTOOL_KEY, QTOOL_PREVIOUS_KEYS) and the config's `security`. */
export function resolveSealSettings(
  security: { key?: string; previousKeys?: string[]; encrypt?: boolean } | undefined,
  env: NodeJS.ProcessEnv = process.env,
): SealSettings | null {
  const key = env.QTOOL_KEY || security?.key;
  if (!key) {
    if (security?.encrypt) throw new InputError('security.encrypt needs a key: set QTOOL_KEY (or security.key)');
    return null;
  }
  const previousKeys = env.QTOOL_PREVIOUS_KEYS
    ? env.QTOOL_PREVIOUS_KEYS.split(',')
        .map((k) => k.trim())
        .filter(Boolean)
    : (security?.previousKeys ?? []);
  for (const [name, value] of [['QTOOL_KEY', key], ...previousKeys.map((k) => ['QTOOL_PREVIOUS_KEYS', k])]) {
    if (value!.length < MIN_KEY_LENGTH) {
      throw new InputError(
        `${name} is too short: use at least ${MIN_KEY_LENGTH} characters (e.g. the output of: openssl rand -base64 32)`,
      );
    }
  }
  return { key, previousKeys, encryptAll: security?.encrypt ?? false };
}

function deriveKey(secret: string): DerivedKey {
  const material = Buffer.from(hkdfSync('sha256', secret, 'qtool', 'qtool job sealing v1', 64));
  return {
    id: createHash('sha256').update(material).digest('base64url').slice(0, 8),
    mac: material.subarray(0, 32),
    cipher: material.subarray(32, 64),
  };
}

function mac(key: DerivedKey, envelope: JobEnvelope): string {
  const signed = Object.fromEntries(Object.entries(envelope).filter(([field]) => !MUTABLE_FIELDS.has(field)));
  return createHmac('sha256', key.mac)
    .update(canonicalize(signed) ?? '')
    .digest('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
