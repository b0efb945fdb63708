import { FixedOffsetZone, IANAZone, Info, type Zone } from 'luxon';

/*
 * UTC offsets of time zones, remembered by the hour.
 *
 * luxon asks `Intl.DateTimeFormat#formatToParts` for every IANA offset (a few µs each), and
 * the rules ask for one per time-zone fact, calendar check and deadline of every complaint.
 * An offset is a step function of the instant: when it is the same at the first and the last
 * millisecond of a UTC hour, it is that value for the whole hour (tzdb never has two
 * transitions within one hour). Hours with a transition are not remembered, so an answer is
 * always luxon's own for that instant.
 */

const HOUR_MS = 3_600_000;

/** Hours remembered per zone before the memo starts afresh (about a year of distinct hours). */
const MAX_REMEMBERED_HOURS = 10_000;

/** Marks an hour with a transition (offsets are finite numbers). */
const MIXED = Number.POSITIVE_INFINITY;

const hoursByZone = new Map<string, Map<number, number>>();

/** The UTC offset in minutes of an IANA zone at an epoch-ms instant, as `zone.offset(instant)`. */
export function ianaOffset(zone: IANAZone, instant: number): number {
  if (!Number.isFinite(instant)) return zone.offset(instant);
  let hours = hoursByZone.get(zone.name);
  if (hours === undefined) {
    hours = new Map();
    hoursByZone.set(zone.name, hours);
  }
  const hour = Math.floor(instant / HOUR_MS);
  let offset = hours.get(hour);
  if (offset === undefined) {
    const start = hour * HOUR_MS;
    const first = zone.offset(start);
    offset = first === zone.offset(start + HOUR_MS - 1) ? first : MIXED;
    if (hours.size >= MAX_REMEMBERED_HOURS) hours.clear();
    hours.set(hour, offset);
  }
  return offset === MIXED ? zone.offset(instant) : offset;
}

/** The offset of any luxon zone at an instant; IANA zones go through {@link ianaOffset}. */
export function zoneOffset(zone: Zone, instant: number): number {
  return zone instanceof IANAZone ? ianaOffset(zone, instant) : zone.offset(instant);
}

/** The hour of day (0–23) and ISO weekday (1 Monday – 7 Sunday) of an instant in a zone. */
export interface LocalClock {
  hour: number;
  weekday: number;
}

/** Zones by name, for names that mean the same zone forever (IANA names and fixed offsets). */
const zonesByName = new Map<string, Zone>();

/**
 * `Info.normalizeZone(name)`, remembered when the answer cannot change: not for "system" or
 * "local" (the process's zone) nor "default" (luxon's `Settings.defaultZone`).
 */
function zoneNamed(name: string): Zone {
  let zone = zonesByName.get(name);
  if (zone === undefined) {
    zone = Info.normalizeZone(name);
    const lasting = zone instanceof IANAZone || zone instanceof FixedOffsetZone;
    if (lasting && zone.isValid && name.toLowerCase() !== 'default') {
      if (zonesByName.size >= 1_000) zonesByName.clear();
      zonesByName.set(name, zone);
    }
  }
  return zone;
}

const invalidClock: LocalClock = Object.freeze({ hour: Number.NaN, weekday: Number.NaN });

/**
 * `DateTime.fromJSDate(at, { zone }).hour` and `.weekday` without building a DateTime: the zone
 * is read as luxon reads it (an IANA name, "UTC", "UTC+8", "system", …; NaN for both when it
 * is unknown or the Date invalid), and the local wall clock is the instant shifted by the
 * zone's offset, as luxon computes it.
 */
export function localClock(at: Date, zoneName: string): LocalClock {
  const instant = at.getTime();
  if (Number.isNaN(instant)) return invalidClock;
  const zone = zoneNamed(zoneName);
  if (!zone.isValid) return invalidClock;
  // The same arithmetic as luxon's tsToObj(), to the last bit of a fractional (LMT) offset.
  const local = new Date(instant + zoneOffset(zone, instant) * 60 * 1000);
  const hour = local.getUTCHours();
  if (Number.isNaN(hour)) return invalidClock;
  return { hour, weekday: local.getUTCDay() || 7 };
}
