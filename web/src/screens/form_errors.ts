// What the vaccinator's event forms share (tag_life_state.ts, flock_life_state.ts): a field typed
// again loses its error.
export function withoutError<E extends object>(errors: E, field: keyof E): E {
  if (!errors[field]) return errors;
  const { [field]: _gone, ...rest } = errors;
  return rest as E;
}
