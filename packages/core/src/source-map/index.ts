/** Rendered line → template line: see line-map.ts. */
export { mapRenderedLines, type MappedLine } from './line-map';
export {
  templateShape,
  type TemplateShape,
  type TemplateLine,
  type LoopSpan,
} from './template-lines';
