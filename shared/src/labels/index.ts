// Label selectors and the name/label syntax checks (k8s.io/apimachinery/pkg/labels and
// pkg/util/validation).
export {
  DNS1035_LABEL_MAX_LENGTH,
  DNS1123_LABEL_MAX_LENGTH,
  DNS1123_SUBDOMAIN_MAX_LENGTH,
  LABEL_VALUE_MAX_LENGTH,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  maxLenError,
  regexError,
  validateLabelKey,
  validateLabelValue,
} from './validation.ts';
export {
  LabelSelector,
  LabelSelectorError,
  newLabelRequirement,
  requirementToString,
  selectorFromSet,
  selectorToString,
  type LabelRequirement,
  type SelectorOperator,
} from './selector.ts';
export { parseSelector } from './parse-selector.ts';
export { selectorFromLabelSelector, type MetaLabelSelector, type MetaLabelSelectorRequirement } from './label-selector.ts';
