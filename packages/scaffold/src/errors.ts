/**
 * The scaffolder's refusals. Each carries the exit status `vmakit new` ends with, so a script can
 * tell "fix your input" from "this repository is not one I can edit".
 */
import { VmakitError } from '@vmakit/core';

/** Why the scaffolder refused; the exit status of `vmakit new` for each. */
export const SCAFFOLD_EXIT = {
  /** The name is not lowercase kebab-case, or is reserved. */
  'invalid-name': 2,
  /** A package folder, package name or plug-in name already exists. */
  exists: 3,
  /** The folder is not (inside) a vmakit repository. */
  'not-a-repo': 4,
  /** vmakit.config.ts or tsconfig.json has a shape the scaffolder will not edit by itself. */
  'cannot-edit': 5,
  /** Writing the files failed (nothing is left half-written). */
  'write-failed': 6,
  /** The files were written but `pnpm install` failed. */
  'install-failed': 7,
} as const;

/** A reason the scaffolder refused. */
export type ScaffoldErrorCode = keyof typeof SCAFFOLD_EXIT;

/** A refusal with its reason; `exitCode` is the status `vmakit new` exits with. */
export class ScaffoldError extends VmakitError {
  override readonly name = 'ScaffoldError';
  readonly exitCode: number;

  constructor(
    readonly code: ScaffoldErrorCode,
    message: string,
  ) {
    super(message);
    this.exitCode = SCAFFOLD_EXIT[code];
  }
}
