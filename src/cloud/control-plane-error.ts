/**
 * Errors of the `iot` control plane (registry and jobs), as data. The HTTP layer maps each code
 * to AWS's exception name and status (spec §3.6); `resourceId`/`resourceArn` are the members
 * ResourceAlreadyExistsException models.
 */
export type ControlPlaneErrorCode =
  | 'InvalidRequest'
  | 'ResourceNotFound'
  | 'ResourceAlreadyExists'
  | 'InvalidStateTransition'
  | 'VersionConflict'
  | 'LimitExceeded'
  | 'Conflict';

export interface ControlPlaneError {
  code: ControlPlaneErrorCode;
  message: string;
  resourceId?: string;
  resourceArn?: string;
}

export const invalidRequest = (message: string): ControlPlaneError => ({ code: 'InvalidRequest', message });
export const notFound = (message: string): ControlPlaneError => ({ code: 'ResourceNotFound', message });
