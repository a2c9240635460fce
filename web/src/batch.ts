// The vaccine product of a vaccination and what belongs to it: the batch (lot) number and the dose.
// A batch number is what a recall of a bad lot searches by, so it is never carried over from
// another product nor guessed: choosing a product empties both, and the batch last used with this
// product on this phone is only offered (`suggestion`) until the user takes it or types one.
// `batchFor` is the product the user confirmed the batch for; Save refuses any other.
//
// Pure functions over a plain value, so the unit tests run them in node (batch.test.ts).

export interface ProductFields {
  vaccine: string; // the product's code, '' when none is chosen
  batch: string;
  dose: string; // ml as typed, '' when not given
  batchFor: string; // the product the batch was typed or confirmed for, '' when none
  suggestion: string; // the batch last used with this product on this phone, '' when none
}

export const NO_PRODUCT: ProductFields = { vaccine: '', batch: '', dose: '', batchFor: '', suggestion: '' };

// Another product: its batch and dose start empty. Choosing the same product again changes nothing.
export function chooseProduct(f: ProductFields, vaccine: string): ProductFields {
  if (vaccine === f.vaccine) return f;
  return { ...NO_PRODUCT, vaccine };
}

// The batch this phone last used with the product, offered (not filled in). Ignored when it comes
// for a product that is no longer the chosen one (it was read asynchronously).
export function offerBatch(f: ProductFields, vaccine: string, last: string | undefined): ProductFields {
  if (vaccine !== f.vaccine || !vaccine) return f;
  return { ...f, suggestion: (last ?? '').trim() };
}

// The user typed a batch: theirs, for the product chosen now.
export function typeBatch(f: ProductFields, text: string): ProductFields {
  return { ...f, batch: text, batchFor: f.vaccine };
}

// The user took the offered batch.
export function takeSuggestion(f: ProductFields): ProductFields {
  if (!f.suggestion || !f.vaccine) return f;
  return { ...f, batch: f.suggestion, batchFor: f.vaccine };
}

export function typeDose(f: ProductFields, text: string): ProductFields {
  return { ...f, dose: text };
}

// Whether to show the offer: there is one and the field does not hold it already.
export function showSuggestion(f: ProductFields): boolean {
  return !!f.vaccine && !!f.suggestion && f.batch.trim() !== f.suggestion;
}

// Why Save must refuse the batch, or null: none given, or one not confirmed for this product.
export function batchProblem(f: ProductFields): 'batch_required' | 'batch_unconfirmed' | null {
  if (!f.batch.trim()) return 'batch_required';
  if (!f.vaccine || f.batchFor !== f.vaccine) return 'batch_unconfirmed';
  return null;
}

// After Save: the next vaccination starts with no product, batch or dose.
export function afterSave(): ProductFields {
  return { ...NO_PRODUCT };
}

// A value read back from storage (a visit draft), or NO_PRODUCT when it is not one.
export function readProduct(raw: unknown): ProductFields {
  if (!raw || typeof raw !== 'object') return { ...NO_PRODUCT };
  const o = raw as Record<string, unknown>;
  const str = (k: keyof ProductFields) => (typeof o[k] === 'string' ? (o[k] as string) : '');
  return { vaccine: str('vaccine'), batch: str('batch'), dose: str('dose'), batchFor: str('batchFor'), suggestion: str('suggestion') };
}
