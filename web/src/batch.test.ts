// The batch number and dose belong to the product: never carried over, only offered, and Save
// refuses one not confirmed for the product chosen.
import { describe, expect, it } from 'vitest';
import {
  NO_PRODUCT,
  afterSave,
  batchProblem,
  chooseProduct,
  offerBatch,
  readProduct,
  showSuggestion,
  takeSuggestion,
  typeBatch,
  typeDose,
} from './batch';

describe('batch and dose per product', () => {
  it('typing a batch confirms it for the product chosen', () => {
    let f = chooseProduct(NO_PRODUCT, 'FMD-O-INACT');
    f = typeBatch(f, 'FMD-123');
    expect(f).toMatchObject({ vaccine: 'FMD-O-INACT', batch: 'FMD-123', batchFor: 'FMD-O-INACT' });
    expect(batchProblem(f)).toBeNull();
  });

  it('another product empties batch and dose', () => {
    let f = typeDose(typeBatch(chooseProduct(NO_PRODUCT, 'FMD-O-INACT'), 'FMD-123'), '2');
    f = chooseProduct(f, 'PPR-LIVE');
    expect(f).toEqual({ ...NO_PRODUCT, vaccine: 'PPR-LIVE' });
    expect(batchProblem(f)).toBe('batch_required');
  });

  it('choosing the same product again keeps what was typed', () => {
    const f = typeDose(typeBatch(chooseProduct(NO_PRODUCT, 'PPR-LIVE'), 'P-1'), '1');
    expect(chooseProduct(f, 'PPR-LIVE')).toBe(f);
  });

  it('after Save nothing of the product is left', () => {
    expect(afterSave()).toEqual(NO_PRODUCT);
    expect(batchProblem(afterSave())).toBe('batch_required');
  });

  it('the last batch of a product is offered, not filled in, until the user takes it', () => {
    let f = offerBatch(chooseProduct(NO_PRODUCT, 'PPR-LIVE'), 'PPR-LIVE', ' PPR-9 ');
    expect(f.batch).toBe('');
    expect(f.suggestion).toBe('PPR-9');
    expect(showSuggestion(f)).toBe(true);
    expect(batchProblem(f)).toBe('batch_required');
    f = takeSuggestion(f);
    expect(f).toMatchObject({ batch: 'PPR-9', batchFor: 'PPR-LIVE' });
    expect(showSuggestion(f)).toBe(false);
    expect(batchProblem(f)).toBeNull();
  });

  it('an offer read for a product no longer chosen is ignored', () => {
    const f = chooseProduct(NO_PRODUCT, 'SGP-SHEEPPOX-LIVE');
    expect(offerBatch(f, 'PPR-LIVE', 'PPR-9')).toBe(f);
  });

  it('no offer, nothing to take', () => {
    const f = chooseProduct(NO_PRODUCT, 'PPR-LIVE');
    expect(showSuggestion(f)).toBe(false);
    expect(takeSuggestion(f)).toBe(f);
  });

  it('Save refuses a batch confirmed for another product, or with no product', () => {
    const fmd = typeBatch(chooseProduct(NO_PRODUCT, 'FMD-O-INACT'), 'FMD-123');
    expect(batchProblem({ ...fmd, vaccine: 'PPR-LIVE' })).toBe('batch_unconfirmed');
    expect(batchProblem({ ...NO_PRODUCT, batch: 'X', batchFor: '' })).toBe('batch_unconfirmed');
    expect(batchProblem({ ...fmd, batch: '   ' })).toBe('batch_required');
  });

  it('reads a stored value back, and nothing from what is not one', () => {
    const f = typeBatch(chooseProduct(NO_PRODUCT, 'PPR-LIVE'), 'P-1');
    expect(readProduct(JSON.parse(JSON.stringify(f)))).toEqual(f);
    expect(readProduct('x')).toEqual(NO_PRODUCT);
    expect(readProduct({ vaccine: 3, batch: 'B' })).toEqual({ ...NO_PRODUCT, batch: 'B' });
  });
});
