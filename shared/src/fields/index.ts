// Field selectors (k8s.io/apimachinery/pkg/fields).
export {
  FieldSelector,
  FieldSelectorError,
  escapeFieldValue,
  fieldSelectorFromSet,
  parseFieldSelector,
  unescapeFieldValue,
  type FieldOperator,
  type FieldRequirement,
} from './field-selector.ts';
