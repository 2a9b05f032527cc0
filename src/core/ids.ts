import { randomFillSync } from 'node:crypto';
import { B32_CHARACTERS, encodeTime } from 'ulidx';

/**
 * Random bytes from the system CSPRNG, drawn 4 KiB at a time: a draw per id or token (ulidx asks
 * for one byte at a time, sixteen times an id) was a system call each, a few µs per job. Each byte
 * is handed out once.
 */
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomBytesFromPool(n: number): Buffer {
  if (used + n > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const bytes = Buffer.from(pool.subarray(used, used + n));
  used += n;
  return bytes;
}

function randomByte(): number {
  if (used >= pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  return pool[used++]!;
}

/** A ULID's random part: 16 base-32 digits (80 bits). */
const RANDOM_DIGITS = 16;
const TIME_DIGITS = 10;
const random = new Uint8Array(RANDOM_DIGITS);
let lastTime = -1;
let timePart = '';
/** The time part and the random part's digits but the last, as text: most ids change only the last. */
let head = '';

/**
 * Job ids are ULIDs, monotonic as ulidx's `monotonicFactory` makes them: a new millisecond draws a
 * fresh random part, and ids made within one millisecond add one to the last. Made here from the
 * random part's digits, the time part encoded (by ulidx) once per millisecond: the factory encoded
 * both parts afresh for every id, a twentieth of a bulk dispatch's time.
 */
export function newJobId(): string {
  const now = Date.now();
  if (now > lastTime) {
    lastTime = now;
    for (let i = 0; i < RANDOM_DIGITS; i++) random[i] = randomByte() & 31; // 256 draws evenly on 32
    timePart = encodeTime(now, TIME_DIGITS);
    head = timePart + leadingDigits();
  } else if (random[RANDOM_DIGITS - 1]! < 31) {
    random[RANDOM_DIGITS - 1]! += 1;
  } else {
    incrementRandom();
    head = timePart + leadingDigits();
  }
  return head + B32_CHARACTERS[random[RANDOM_DIGITS - 1]!];
}

/** The random part's digits but the last, as text. */
function leadingDigits(): string {
  let text = '';
  for (let i = 0; i < RANDOM_DIGITS - 1; i++) text += B32_CHARACTERS[random[i]!];
  return text;
}

/** Add one to the random part, as ulidx does within a millisecond; 80 bits never run out in one. */
function incrementRandom(): void {
  for (let i = RANDOM_DIGITS - 1; i >= 0; i--) {
    if (random[i]! < 31) {
      random[i]! += 1;
      return;
    }
    random[i] = 0;
  }
  throw new Error('ULID random part overflowed within one millisecond');
}

/** Reservation and lock tokens: unguessable, never reused. */
export function newToken(): string {
  return randomBytesFromPool(12).toString('base64url');
}
