/**
 * `@atrest/rotate`: plan a three-stage key rotation of an EncryptionConfiguration (add the new
 * key as a read key, make it the write key, drop the old key), and decide from an audit of etcd
 * whether each stage may be applied.
 * @module
 */
export { planRotation, ROTATABLE, type RotatableProvider, type PlanOptions, type RotationPlan, type RotatedRule, type SkippedRule } from './plan.js';
export { writeRotationPlan, rotationReadme, PLAN_FILES, type ReadmeOptions } from './write.js';
export { checkStage, removedKeys, renderCheck, type CheckOptions, type CheckResult } from './check.js';
