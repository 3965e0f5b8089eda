/** The registry moved to `ts/repository/` with versions and states; this keeps the old import path. */
export { ModelRegistry } from '../repository/model-registry';
export type { ServableModel, ServedModel } from '../repository/served-model';
