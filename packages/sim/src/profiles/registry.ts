/**
 * The built-in machine profiles and lookup by name.
 */
import { findProfile, type MachineProfile } from '../profile.js';
import { phone8c } from './phone-soc.js';
import { skylake2s } from './skylake-2s.js';

/** Every built-in profile; the first is the default. */
export const builtinProfiles: readonly MachineProfile[] = Object.freeze([skylake2s, phone8c]);

/** The default profile's name. */
export const DEFAULT_PROFILE = skylake2s.name;

/** The built-in profile `name`; UnknownNameError lists the known ones. O(profiles). */
export function profileByName(name: string): MachineProfile {
  return findProfile(builtinProfiles, name);
}
