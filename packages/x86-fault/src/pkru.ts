/**
 * The PKRU register of x86 memory protection keys (arch/x86/include/asm/pkru.h, arch/x86/mm/pkeys.c,
 * v6.12): two bits per key, access-disable (AD) at 2k and write-disable (WD) at 2k+1. PKRU is per
 * thread, so a fault request carries the value its thread had.
 */

/** PKRU_AD_BIT: access disable. */
export const PKRU_AD_BIT = 0x1;
/** PKRU_WD_BIT: write disable. */
export const PKRU_WD_BIT = 0x2;
/** PKRU_BITS_PER_PKEY. */
export const PKRU_BITS_PER_PKEY = 2;
/** Number of protection keys on x86. */
export const NR_PKEYS = 16;
/** PKEY_DISABLE_ACCESS / PKEY_DISABLE_WRITE of pkey_alloc()'s access rights. */
export const PKEY_DISABLE_ACCESS = 0x1;
export const PKEY_DISABLE_WRITE = 0x2;

/**
 * init_pkru_value: the PKRU of a new process with OSPKE, access-disabled for keys 1-15 so that threads
 * cannot touch pkey-protected memory before they ask for access (arch/x86/mm/pkeys.c).
 */
export const INIT_PKRU_VALUE = (() => {
  let v = 0;
  for (let k = 1; k < NR_PKEYS; k++) v |= PKRU_AD_BIT << (k * PKRU_BITS_PER_PKEY);
  return v >>> 0;
})();

/** __pkru_allows_read(): the key's AD bit is clear. */
export function pkruAllowsRead(pkru: number, pkey: number): boolean {
  return (pkru & (PKRU_AD_BIT << (pkey * PKRU_BITS_PER_PKEY))) === 0;
}

/** __pkru_allows_write(): neither AD nor WD is set (access-disable also disables writes). */
export function pkruAllowsWrite(pkru: number, pkey: number): boolean {
  return (pkru & ((PKRU_AD_BIT | PKRU_WD_BIT) << (pkey * PKRU_BITS_PER_PKEY))) === 0;
}

/** __pkru_allows_pkey(): read allowed, and write allowed when `write`. */
export function pkruAllowsPkey(pkru: number, pkey: number, write: boolean): boolean {
  if (!pkruAllowsRead(pkru, pkey)) return false;
  return !write || pkruAllowsWrite(pkru, pkey);
}

/**
 * arch_set_user_pkey_access(): the new PKRU after giving `pkey` the access rights `rights`
 * (PKEY_DISABLE_ACCESS / PKEY_DISABLE_WRITE), as pkey_alloc() and pkey_set() do.
 */
export function pkruWithKeyAccess(pkru: number, pkey: number, rights: number): number {
  const shift = pkey * PKRU_BITS_PER_PKEY;
  let bits = 0;
  if ((rights & PKEY_DISABLE_ACCESS) !== 0) bits |= PKRU_AD_BIT;
  if ((rights & PKEY_DISABLE_WRITE) !== 0) bits |= PKRU_WD_BIT;
  return ((pkru & ~((PKRU_AD_BIT | PKRU_WD_BIT) << shift)) | (bits << shift)) >>> 0;
}
