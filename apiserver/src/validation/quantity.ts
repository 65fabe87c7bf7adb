// The quantity parser lives in shared (shared/src/api/quantity.ts) so every component reads
// quantities the same way; validation and defaulting import it from here.

export {
  QUANTITY_FORMAT_ERROR,
  QUANTITY_SUFFIX_ERROR,
  QuantityError,
  parseQuantityExact,
  parseQuantity,
  quantityToMilli,
  isQuantity,
  compareQuantities,
  canonicalQuantity,
  formatQuantity,
  type ParsedQuantity,
  type QuantityFormat,
} from '@minik8s/shared';
