// Browser-safe entry point: the pipeline format, validation, the node catalogue and document rendering.
// Nothing here may import Node built-ins or native modules: the editor bundles it.
export * from './pipeline/schema';
// Pipeline utilities and validation.
export { parentsOf, childrenOf, ancestorsOf, descendantsOf, topologicalOrder, findCycle, formatCycle } from './pipeline/graph';
export { slotWrittenBy, visibleSlots } from './pipeline/slots';
export { templateReferences, renderTemplate, readableText, type TemplateReference, parseReferences } from './pipeline/templates';
export { resolveRunInputs, coerceInput } from './pipeline/inputs';
export { resolveNodeConfig } from './pipeline/config';
export {
  validatePipeline,
  requireValidPipeline,
  invalidPipelineMessage,
  formatProblems,
  type ValidationResult,
  type ValidateOptions,
  type InvalidPipelineOptions,
} from './pipeline/validate';
export { draftProblems } from './pipeline/draft';
export { VALIDATION_CODES, type ValidationCode } from './pipeline/codes';
export { pipelineJsonSchema, PIPELINE_SCHEMA_ID } from './pipeline/json-schema';
export * from './errors';
export { explainModel, explainPipelineModels, modelLabel, type ModelChoice, type ModelSource, type ExplainModelOptions } from './models/choice';
export * from './webhooks/types';
export * from './comments/types';
export { describeAnchor } from './comments/anchor';
export { feedbackFromThreads } from './comments/feedback';
export { renderReviewReport, type ReviewReportInput } from './comments/review-report';
export * from './nodes/types';
// The shared contract: pipeline format, run views, events and their fold, stored pipelines, export formats, actors.
export * from './contract';
// Node catalogue, story bible types, review checks and document rendering.
export { nodeTypes, getNodeType, nodeCapabilities, describeNodeTypes, type NodeTypeDescription } from './nodes/catalogue';
export * from './story/types';
export {
  renderDocument,
  PAPERS,
  type Paper,
  type RenderOptions,
  type ExportOptions,
} from './export';
export { runChecks, checkCeiling, CHECKS, type Check, type CheckContext } from './review/checks';
export { reviewDocumentOf, type ReviewDocument, type ReviewScene } from './review/text';
export { parseScreenplayScene, screenplaySceneText } from './story/screenplay';
export { mapWithConcurrency } from './story/concurrency';
